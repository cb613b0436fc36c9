"""Reference solution for A09, Custom Components.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

# Every custom class and function of this assignment is registered under this package, so that
# Keras serialises it as "course>Name" and loads it again without `custom_objects`.
PACKAGE = "course"


# %% [q1]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MyDense(tf.keras.layers.Layer):
    """A dense layer written from scratch: ``activation(dropout(x) @ kernel + bias)``.

    Args:
        units: the number of outputs.
        activation: anything ``tf.keras.activations.get`` accepts (None: linear).
        dropout: inverted-dropout rate applied to the *inputs*, only when ``training`` is true.
        kernel_regularizer, kernel_constraint: anything ``tf.keras.regularizers.get`` /
            ``tf.keras.constraints.get`` accepts; they apply to the kernel only.

    The kernel (glorot uniform) and the bias (zeros) are created in ``build`` from the last
    input dimension, with ``add_weight``. ``call`` accepts inputs of any rank >= 2 (the
    contraction is over the last axis). ``get_config`` returns everything ``__init__`` needs.
    """

    def __init__(self, units, activation=None, dropout=0.0, kernel_regularizer=None, kernel_constraint=None,
                 **kwargs):
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = tf.keras.activations.get(activation)
        self.dropout = float(dropout)
        self.kernel_regularizer = tf.keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = tf.keras.constraints.get(kernel_constraint)
        self.input_spec = tf.keras.layers.InputSpec(min_ndim=2)
        ### END SOLUTION

    def build(self, input_shape):
        ### BEGIN SOLUTION
        last = int(input_shape[-1])
        self.kernel = self.add_weight(name="kernel", shape=(last, self.units), initializer="glorot_uniform",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      trainable=True)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros", trainable=True)
        self.input_spec = tf.keras.layers.InputSpec(min_ndim=2, axes={-1: last})
        super().build(input_shape)
        ### END SOLUTION

    def call(self, inputs, training=None):
        ### BEGIN SOLUTION
        x = tf.cast(inputs, self.compute_dtype)
        if training and self.dropout > 0.0:
            x = tf.nn.dropout(x, rate=self.dropout)
        y = tf.tensordot(x, self.kernel, axes=[[x.shape.rank - 1], [0]]) + self.bias
        return self.activation(y)
        ### END SOLUTION

    def compute_output_shape(self, input_shape):
        ### BEGIN SOLUTION
        return tf.TensorShape(input_shape)[:-1].concatenate([self.units])
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": tf.keras.activations.serialize(self.activation),
            "dropout": self.dropout,
            "kernel_regularizer": tf.keras.regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": tf.keras.constraints.serialize(self.kernel_constraint),
        })
        return config
        ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class L2Normalize(tf.keras.layers.Layer):
    """``x / sqrt(max(sum(x**2, axis), epsilon))`` along ``axis``; passes an incoming mask through unchanged."""

    def __init__(self, axis=-1, epsilon=1e-12, **kwargs):
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.supports_masking = True
        ### END SOLUTION

    def call(self, inputs):
        ### BEGIN SOLUTION
        squares = tf.reduce_sum(tf.square(inputs), axis=self.axis, keepdims=True)
        return inputs * tf.math.rsqrt(tf.maximum(squares, self.epsilon))
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
        ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MaskedMeanPool(tf.keras.layers.Layer):
    """Mean over axis 1 of ``(batch, time, features)`` of the unmasked steps only; outputs no mask.

    Padded steps must not influence the result at all, even if they hold NaN or huge values. A row
    whose steps are all masked gives zeros. Without a mask, it is the plain mean over time.
    """

    def __init__(self, **kwargs):
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.supports_masking = True
        ### END SOLUTION

    def call(self, inputs, mask=None):
        ### BEGIN SOLUTION
        if mask is None:
            return tf.reduce_mean(inputs, axis=1)
        keep = tf.cast(mask, inputs.dtype)[:, :, tf.newaxis]
        total = tf.reduce_sum(tf.where(keep > 0, inputs, tf.zeros_like(inputs)), axis=1)
        count = tf.reduce_sum(keep, axis=1)
        return total / tf.maximum(count, 1.0)
        ### END SOLUTION

    def compute_mask(self, inputs, mask=None):
        ### BEGIN SOLUTION
        return None
        ### END SOLUTION


# %% [q2]
def softplus_stable(x):
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``."""
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    return tf.maximum(x, 0.0) + tf.math.log1p(tf.exp(-tf.abs(x)))
    ### END SOLUTION


@tf.custom_gradient
def _mish_with_gradient(x):
    ### BEGIN SOLUTION
    t = tf.tanh(softplus_stable(x))

    def grad(upstream):
        # d/dx [x tanh(sp(x))] = tanh(sp(x)) + x * sigmoid(x) * (1 - tanh(sp(x))**2): every factor is bounded.
        return upstream * (t + x * tf.sigmoid(x) * (1.0 - t * t))

    return x * t, grad
    ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
def stable_mish(x):
    """Mish ``x * tanh(softplus(x))``, registered as ``"course>stable_mish"``.

    Its derivative comes from ``_mish_with_gradient``'s ``tf.custom_gradient``; values and gradients are finite
    and exact in float32 up to ``|x| = 1e4``.
    """
    ### BEGIN SOLUTION
    return _mish_with_gradient(tf.convert_to_tensor(x))
    ### END SOLUTION


def hard_swish(x):
    """``x * relu6(x + 3) / 6`` (tf_keras 2.18 has no built-in)."""
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    return x * tf.nn.relu6(x + 3.0) / 6.0
    ### END SOLUTION


@tf.custom_gradient
def snake(x, alpha):
    """Snake ``x + sin(alpha x)**2 / alpha`` with a ``tf.custom_gradient`` for both ``x`` and ``alpha``.

    ``alpha`` is a scalar tensor of the dtype of ``x``. The gradient for ``x`` is ``1 + sin(2 alpha x)``;
    the gradient for ``alpha`` is ``x sin(2 alpha x) / alpha - sin(alpha x)**2 / alpha**2``, summed to a scalar.
    """
    ### BEGIN SOLUTION
    s = tf.sin(alpha * x)
    y = x + s * s / alpha

    def grad(upstream):
        s2 = tf.sin(2.0 * alpha * x)
        d_x = upstream * (1.0 + s2)
        d_alpha = tf.reduce_sum(upstream * (x * s2 / alpha - s * s / (alpha * alpha)))
        return d_x, d_alpha

    return y, grad
    ### END SOLUTION


# %% [q3]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class BinaryFocalLoss(tf.keras.losses.Loss):
    """Balanced binary focal loss on probabilities, one value per sample.

    With ``p`` clipped to ``[epsilon, 1 - epsilon]``, ``p_t = y p + (1-y)(1-p)`` and
    ``a_t = y alpha + (1-y)(1-alpha)``: ``-a_t (1 - p_t)**gamma log(p_t)``, averaged over the last axis.
    ``y_true`` may be any numeric dtype (cast it to ``y_pred``'s). Keras applies the reduction and
    the sample weights, so ``call`` returns shape ``(batch,)`` for inputs of shape ``(batch, d)``.
    """

    def __init__(self, alpha=0.25, gamma=2.0, epsilon=1e-7, reduction=tf.keras.losses.Reduction.AUTO,
                 name="binary_focal_loss"):
        ### BEGIN SOLUTION
        super().__init__(reduction=reduction, name=name)
        self.alpha = float(alpha)
        self.gamma = float(gamma)
        self.epsilon = float(epsilon)
        ### END SOLUTION

    def call(self, y_true, y_pred):
        ### BEGIN SOLUTION
        y_pred = tf.convert_to_tensor(y_pred)
        y_true = tf.cast(y_true, y_pred.dtype)
        p = tf.clip_by_value(y_pred, self.epsilon, 1.0 - self.epsilon)
        p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
        alpha_t = y_true * self.alpha + (1.0 - y_true) * (1.0 - self.alpha)
        loss = -alpha_t * tf.pow(1.0 - p_t, self.gamma) * tf.math.log(p_t)
        return tf.reduce_mean(loss, axis=-1)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"alpha": self.alpha, "gamma": self.gamma, "epsilon": self.epsilon})
        return config
        ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class SmoothedCCE(tf.keras.losses.Loss):
    """Categorical cross-entropy on probabilities with label smoothing, one value per sample.

    ``y_true`` is one-hot ``(batch, K)`` (any numeric dtype); the target is
    ``y (1 - smoothing) + smoothing / K``; the loss is ``-sum(target * log(clip(p, epsilon, 1)))`` over
    the last axis.
    """

    def __init__(self, smoothing=0.1, epsilon=1e-7, reduction=tf.keras.losses.Reduction.AUTO,
                 name="smoothed_cce"):
        ### BEGIN SOLUTION
        super().__init__(reduction=reduction, name=name)
        self.smoothing = float(smoothing)
        self.epsilon = float(epsilon)
        ### END SOLUTION

    def call(self, y_true, y_pred):
        ### BEGIN SOLUTION
        y_pred = tf.convert_to_tensor(y_pred)
        y_true = tf.cast(y_true, y_pred.dtype)
        classes = tf.cast(tf.shape(y_pred)[-1], y_pred.dtype)
        target = y_true * (1.0 - self.smoothing) + self.smoothing / classes
        p = tf.clip_by_value(y_pred, self.epsilon, 1.0)
        return -tf.reduce_sum(target * tf.math.log(p), axis=-1)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"smoothing": self.smoothing, "epsilon": self.epsilon})
        return config
        ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class Pinball(tf.keras.losses.Loss):
    """Quantile (pinball) loss: with ``e = y_true - y_pred``, ``max(q e, (q - 1) e)`` averaged over the last axis."""

    def __init__(self, q=0.5, reduction=tf.keras.losses.Reduction.AUTO, name="pinball"):
        ### BEGIN SOLUTION
        super().__init__(reduction=reduction, name=name)
        self.q = float(q)
        ### END SOLUTION

    def call(self, y_true, y_pred):
        ### BEGIN SOLUTION
        y_pred = tf.convert_to_tensor(y_pred)
        error = tf.cast(y_true, y_pred.dtype) - y_pred
        return tf.reduce_mean(tf.maximum(self.q * error, (self.q - 1.0) * error), axis=-1)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"q": self.q})
        return config
        ### END SOLUTION


# %% [q4]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class StreamingF1(tf.keras.metrics.Metric):
    """Streaming F1 for single-label classification, kept as a weighted confusion matrix.

    ``update_state(y_true, y_pred, sample_weight=None)``: ``y_true`` holds integer labels (shape
    ``(batch,)`` or ``(batch, 1)``, any numeric dtype), ``y_pred`` class scores ``(batch, K)``
    (the predicted class is the argmax). ``average="macro"``: the mean F1 over the classes that occur
    in the labels or the predictions seen so far; ``"micro"``: F1 of the pooled counts. Zero before
    any update and after ``reset_state``.
    """

    def __init__(self, num_classes, average="macro", name="streaming_f1", **kwargs):
        ### BEGIN SOLUTION
        super().__init__(name=name, **kwargs)
        if average not in ("macro", "micro"):
            raise ValueError(f"average must be 'macro' or 'micro', not {average!r}")
        self.num_classes = int(num_classes)
        self.average = average
        self.confusion = self.add_weight(name="confusion", shape=(self.num_classes, self.num_classes),
                                         initializer="zeros", dtype=tf.float32)
        ### END SOLUTION

    def update_state(self, y_true, y_pred, sample_weight=None):
        ### BEGIN SOLUTION
        self.confusion.assign_add(_weighted_confusion(y_true, y_pred, sample_weight, self.num_classes))
        ### END SOLUTION

    def result(self):
        ### BEGIN SOLUTION
        cm = self.confusion
        tp = tf.linalg.diag_part(cm)
        fp = tf.reduce_sum(cm, axis=0) - tp
        fn = tf.reduce_sum(cm, axis=1) - tp
        if self.average == "micro":
            tp, fp, fn = tf.reduce_sum(tp), tf.reduce_sum(fp), tf.reduce_sum(fn)
            return tf.math.divide_no_nan(2.0 * tp, 2.0 * tp + fp + fn)
        denominator = 2.0 * tp + fp + fn
        present = tf.cast(denominator > 0, tf.float32)
        f1 = tf.math.divide_no_nan(2.0 * tp, denominator)
        return tf.math.divide_no_nan(tf.reduce_sum(f1 * present), tf.reduce_sum(present))
        ### END SOLUTION

    def reset_state(self):
        ### BEGIN SOLUTION
        self.confusion.assign(tf.zeros_like(self.confusion))
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"num_classes": self.num_classes, "average": self.average})
        return config
        ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class PresentClassIoU(tf.keras.metrics.Metric):
    """Streaming mean intersection-over-union ``tp / (tp + fp + fn)`` over the classes that occur.

    Same inputs as ``StreamingF1``. A class that occurs neither in the labels nor in the
    predictions seen so far is left out of the mean (not counted as 0).
    """

    def __init__(self, num_classes, name="present_class_iou", **kwargs):
        ### BEGIN SOLUTION
        super().__init__(name=name, **kwargs)
        self.num_classes = int(num_classes)
        self.confusion = self.add_weight(name="confusion", shape=(self.num_classes, self.num_classes),
                                         initializer="zeros", dtype=tf.float32)
        ### END SOLUTION

    def update_state(self, y_true, y_pred, sample_weight=None):
        ### BEGIN SOLUTION
        self.confusion.assign_add(_weighted_confusion(y_true, y_pred, sample_weight, self.num_classes))
        ### END SOLUTION

    def result(self):
        ### BEGIN SOLUTION
        cm = self.confusion
        tp = tf.linalg.diag_part(cm)
        union = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
        present = tf.cast(union > 0, tf.float32)
        iou = tf.math.divide_no_nan(tp, union)
        return tf.math.divide_no_nan(tf.reduce_sum(iou * present), tf.reduce_sum(present))
        ### END SOLUTION

    def reset_state(self):
        ### BEGIN SOLUTION
        self.confusion.assign(tf.zeros_like(self.confusion))
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"num_classes": self.num_classes})
        return config
        ### END SOLUTION


def _weighted_confusion(y_true, y_pred, sample_weight, num_classes):
    """The ``(K, K)`` float32 confusion matrix of one batch (rows: labels, columns: predictions)."""
    ### BEGIN SOLUTION
    labels = tf.reshape(tf.cast(y_true, tf.int32), [-1])
    predicted = tf.reshape(tf.argmax(y_pred, axis=-1, output_type=tf.int32), [-1])
    if sample_weight is None:
        weights = tf.ones_like(labels, dtype=tf.float32)
    else:
        weights = tf.reshape(tf.cast(sample_weight, tf.float32), [-1])
    return tf.math.confusion_matrix(labels, predicted, num_classes=num_classes, weights=weights, dtype=tf.float32)
    ### END SOLUTION


# %% [q5]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MomentumSGD(tf.keras.optimizers.Optimizer):
    """SGD with momentum on the new ``tf.keras.optimizers.Optimizer`` API (same rule as Keras ``SGD``).

    ``v <- momentum v - lr g``; then ``w <- w + v`` (or, with ``nesterov``,
    ``w <- w + momentum v - lr g``). One ``velocity`` slot per variable, made in ``build`` with
    ``add_variable_from_reference``. A sparse gradient (``tf.IndexedSlices``, from an embedding) is
    applied without densifying it, with the same non-lazy result as the dense rule: every row's
    velocity decays each step, only the touched rows get ``- lr g``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="MomentumSGD", **kwargs):
        ### BEGIN SOLUTION
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        ### END SOLUTION

    def build(self, var_list):
        ### BEGIN SOLUTION
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self.velocities = [self.add_variable_from_reference(var, "velocity") for var in var_list]
        ### END SOLUTION

    def update_step(self, gradient, variable):
        ### BEGIN SOLUTION
        lr = tf.cast(self.learning_rate, variable.dtype)
        momentum = tf.cast(self.momentum, variable.dtype)
        velocity = self.velocities[self._index_dict[self._var_key(variable)]]
        if isinstance(gradient, tf.IndexedSlices):
            velocity.assign(momentum * velocity)
            velocity.scatter_add(tf.IndexedSlices(-lr * gradient.values, gradient.indices))
            if self.nesterov:
                variable.assign_add(momentum * velocity)
                variable.scatter_add(tf.IndexedSlices(-lr * gradient.values, gradient.indices))
            else:
                variable.assign_add(velocity)
        else:
            velocity.assign(momentum * velocity - lr * gradient)
            if self.nesterov:
                variable.assign_add(momentum * velocity - lr * gradient)
            else:
                variable.assign_add(velocity)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter(self._learning_rate),
                       "momentum": self.momentum, "nesterov": self.nesterov})
        return config
        ### END SOLUTION


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class AdaBound(tf.keras.optimizers.Optimizer):
    """AdaBound (Luo et al. 2019, the official formulation) on the new optimizer API, dense gradients.

    At step ``t`` (1, 2, ...): ``m <- b1 m + (1-b1) g``; ``v <- b2 v + (1-b2) g**2``;
    ``step = lr sqrt(1 - b2**t) / (1 - b1**t)`` (the bias correction lives here only);
    ``lower = final_lr (1 - 1/(gamma t + 1))``, ``upper = final_lr (1 + 1/(gamma t))``;
    ``w <- w - clip(step / (sqrt(v) + epsilon), lower, upper) * m``. Slots ``m`` and ``v`` per variable.
    """

    def __init__(self, learning_rate=1e-3, final_lr=0.1, gamma=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 name="AdaBound", **kwargs):
        ### BEGIN SOLUTION
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.final_lr = float(final_lr)
        self.gamma = float(gamma)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        ### END SOLUTION

    def build(self, var_list):
        ### BEGIN SOLUTION
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self.moments = [self.add_variable_from_reference(var, "m") for var in var_list]
        self.second_moments = [self.add_variable_from_reference(var, "v") for var in var_list]
        ### END SOLUTION

    def update_step(self, gradient, variable):
        ### BEGIN SOLUTION
        dtype = variable.dtype
        gradient = tf.convert_to_tensor(gradient)
        index = self._index_dict[self._var_key(variable)]
        m, v = self.moments[index], self.second_moments[index]
        t = tf.cast(self.iterations + 1, dtype)
        lr = tf.cast(self.learning_rate, dtype)
        m.assign(self.beta_1 * m + (1.0 - self.beta_1) * gradient)
        v.assign(self.beta_2 * v + (1.0 - self.beta_2) * tf.square(gradient))
        step = lr * tf.sqrt(1.0 - tf.pow(tf.cast(self.beta_2, dtype), t)) / (1.0 - tf.pow(tf.cast(self.beta_1,
                                                                                               dtype), t))
        lower = self.final_lr * (1.0 - 1.0 / (self.gamma * t + 1.0))
        upper = self.final_lr * (1.0 + 1.0 / (self.gamma * t))
        bounded = tf.clip_by_value(step / (tf.sqrt(v) + self.epsilon), lower, upper)
        variable.assign_sub(bounded * m)
        ### END SOLUTION

    def get_config(self):
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter(self._learning_rate),
                       "final_lr": self.final_lr, "gamma": self.gamma, "beta_1": self.beta_1,
                       "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
        ### END SOLUTION


# %% [q6]
def fit_with_callbacks(model, x, y, epochs, batch_size, callbacks):
    """A training loop of your own that drives Keras callbacks the way ``model.fit`` does.

    ``model`` is compiled (optimizer and loss, no metrics). Batches are consecutive slices of ``x``
    and ``y`` (no shuffling; the last one may be smaller). Wrap ``callbacks`` in a
    ``tf.keras.callbacks.CallbackList`` bound to ``model``, set ``model.stop_training = False``, then:
    ``on_train_begin``; per epoch ``on_epoch_begin(epoch)``; per batch ``on_train_batch_begin(i)``,
    one optimizer step on the batch (``model.train_on_batch`` or a ``tf.GradientTape`` step with
    ``model.compiled_loss``), ``on_train_batch_end(i, {"loss": running mean})`` where the running mean
    is the batch-size-weighted mean loss of the epoch's batches so far (what ``fit`` logs);
    ``on_epoch_end(epoch, {"loss": the epoch's mean})``; stop after the epoch in which a callback set
    ``model.stop_training``; ``on_train_end({"loss": the last epoch's mean})``.

    Returns:
        The list of the epochs' mean losses (Python floats).
    """
    ### BEGIN SOLUTION
    callback_list = tf.keras.callbacks.CallbackList(callbacks, add_history=False, model=model)
    model.stop_training = False
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x)
    history = []
    callback_list.on_train_begin()
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        total, seen = 0.0, 0
        for i, start in enumerate(range(0, n, batch_size)):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            callback_list.on_train_batch_begin(i)
            loss = float(model.train_on_batch(xb, yb, reset_metrics=True))
            total += loss * len(xb)
            seen += len(xb)
            callback_list.on_train_batch_end(i, {"loss": total / seen})
        history.append(total / seen)
        callback_list.on_epoch_end(epoch, {"loss": history[-1]})
        if model.stop_training:
            break
    callback_list.on_train_end({"loss": history[-1]} if history else None)
    return history
    ### END SOLUTION


class BestWeightsEarlyStopping(tf.keras.callbacks.Callback):
    """Early stopping on ``logs[monitor]`` (smaller is better), with Keras's semantics.

    ``on_train_begin`` resets the state (best = +inf, wait = 0, no best weights). In
    ``on_epoch_end(epoch, logs)``: if ``current < best - min_delta`` it is an improvement (best =
    current, wait = 0, and the model's weights are kept as the best weights); otherwise
    ``wait += 1``, and when ``wait >= patience`` set ``model.stop_training = True`` and, if
    ``restore_best_weights``, put the best weights back into the model. (An equal value is no
    improvement.)
    """

    def __init__(self, monitor="val_loss", patience=2, min_delta=0.0, restore_best_weights=True):
        ### BEGIN SOLUTION
        super().__init__()
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights = bool(restore_best_weights)
        ### END SOLUTION

    def on_train_begin(self, logs=None):
        ### BEGIN SOLUTION
        self.best = np.inf
        self.wait = 0
        self.best_weights = None
        ### END SOLUTION

    def on_epoch_end(self, epoch, logs=None):
        ### BEGIN SOLUTION
        current = (logs or {}).get(self.monitor)
        if current is None:
            return
        current = float(current)
        if current < self.best - self.min_delta:
            self.best = current
            self.wait = 0
            self.best_weights = [w.copy() for w in self.model.get_weights()]
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)
        ### END SOLUTION


class CyclicLR(tf.keras.callbacks.Callback):
    """Cyclical learning rate (Smith 2017), set on the optimizer before every training batch.

    With ``it`` the number of batches trained since ``on_train_begin`` (0 for the first batch,
    counting across epochs), ``cycle = floor(1 + it / (2 step_size))``,
    ``x = |it / step_size - 2 cycle + 1|`` and
    ``lr = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale`` where ``scale`` is 1
    (``"triangular"``), ``1 / 2**(cycle - 1)`` (``"triangular2"``) or ``gamma**it`` (``"exp_range"``).
    Set it with ``tf.keras.backend.set_value(self.model.optimizer.learning_rate, lr)`` in
    ``on_train_batch_begin``.
    """

    def __init__(self, base_lr=1e-3, max_lr=6e-3, step_size=4, mode="triangular", gamma=1.0):
        ### BEGIN SOLUTION
        super().__init__()
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"unknown mode {mode!r}")
        self.base_lr = float(base_lr)
        self.max_lr = float(max_lr)
        self.step_size = float(step_size)
        self.mode = mode
        self.gamma = float(gamma)
        self.iteration = 0
        ### END SOLUTION

    def rate(self, iteration):
        """The learning rate of batch number ``iteration`` (a Python float)."""
        ### BEGIN SOLUTION
        cycle = np.floor(1 + iteration / (2 * self.step_size))
        x = abs(iteration / self.step_size - 2 * cycle + 1)
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1.0 / 2.0 ** (cycle - 1)
        else:
            scale = self.gamma ** iteration
        return float(self.base_lr + (self.max_lr - self.base_lr) * max(0.0, 1.0 - x) * scale)
        ### END SOLUTION

    def on_train_begin(self, logs=None):
        ### BEGIN SOLUTION
        self.iteration = 0
        ### END SOLUTION

    def on_train_batch_begin(self, batch, logs=None):
        ### BEGIN SOLUTION
        tf.keras.backend.set_value(self.model.optimizer.learning_rate, self.rate(self.iteration))
        self.iteration += 1
        ### END SOLUTION
