"""Reference solution for A13, Training Strategies.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import math
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf


# %% [q1]
def optimize(rule: str, loss_fn, w0, steps: int, learning_rate: float, *, momentum: float = 0.9,
             rho: float = 0.9, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
             weight_decay: float = 0.0) -> np.ndarray:
    """Minimise ``loss_fn`` with a hand-written gradient descent update rule, as Keras writes it.

    ``w`` is a ``float32`` ``tf.Variable`` initialised from ``w0``. For ``t = 1 .. steps``: take
    ``g = d loss_fn(w) / d w`` with a ``tf.GradientTape`` at the current ``w``, then update ``w``
    with ``rule`` (``lr`` is ``learning_rate``; state starts at zero):

    - ``"sgd"``: ``w -= lr * g``
    - ``"momentum"``: ``v = momentum * v - lr * g``; ``w += v``
    - ``"nesterov"``: ``v = momentum * v - lr * g``; ``w += momentum * v - lr * g``
    - ``"rmsprop"``: ``s = rho * s + (1 - rho) * g**2``; ``w -= lr * g / sqrt(s + epsilon)``
    - ``"adam"``: ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``;
      ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``; ``w -= alpha * m / (sqrt(v) + epsilon)``
      (Keras's "epsilon-hat" form: epsilon is added after the bias correction of ``v``)
    - ``"adamw"``: decoupled weight decay: first ``w -= w * weight_decay * lr`` (``g`` was taken
      before the decay), then the Adam step with ``g``
    - ``"adam_l2"``: L2 regularisation under Adam: ``g += weight_decay * w`` (the gradient of
      ``weight_decay / 2 * sum(w**2)``), then the Adam step

    Do not use the ``tf.keras.optimizers`` classes: the point is to write the rules.

    Returns:
        The trajectory: a ``float32`` NumPy array of shape ``(steps + 1,) + w0.shape``, row 0 being ``w0``.
    """
    ### BEGIN SOLUTION
    if rule not in ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adam_l2"):
        raise ValueError(f"unknown rule {rule!r}")
    w = tf.Variable(np.asarray(w0, np.float32))
    lr = tf.constant(learning_rate, tf.float32)
    first = tf.zeros_like(w)
    second = tf.zeros_like(w)
    trajectory = [w.numpy().copy()]
    for t in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = loss_fn(w)
        g = tape.gradient(loss, w)
        if rule == "sgd":
            w.assign_sub(lr * g)
        elif rule in ("momentum", "nesterov"):
            first = momentum * first - lr * g
            if rule == "nesterov":
                w.assign_add(momentum * first - lr * g)
            else:
                w.assign_add(first)
        elif rule == "rmsprop":
            second = rho * second + (1 - rho) * tf.square(g)
            w.assign_sub(lr * g / tf.sqrt(second + epsilon))
        else:
            if rule == "adam_l2":
                g = g + weight_decay * w
            if rule == "adamw":
                w.assign_sub(w * weight_decay * lr)
            first = first + (g - first) * (1 - beta_1)
            second = second + (tf.square(g) - second) * (1 - beta_2)
            alpha = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
            w.assign_sub(alpha * first / (tf.sqrt(second) + epsilon))
        trajectory.append(w.numpy().copy())
    return np.stack(trajectory).astype(np.float32)
    ### END SOLUTION


# %% [q2]
class WarmupCosine(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from 0 to ``peak_lr`` over ``warmup_steps``, then cosine decay over ``decay_steps``.

    ``lr(s) = peak_lr * s / warmup_steps`` for ``s < warmup_steps``; after it, with
    ``p = min(s - warmup_steps, decay_steps) / decay_steps``:
    ``lr = peak_lr * ((1 - alpha) * 0.5 * (1 + cos(pi * p)) + alpha)``. This is what
    ``tf.keras.optimizers.schedules.CosineDecay(0.0, decay_steps, alpha, warmup_target=peak_lr,
    warmup_steps=warmup_steps)`` computes. Graph-safe (no Python ``if`` on the step), with ``get_config``.
    """

    def __init__(self, peak_lr, warmup_steps, decay_steps, alpha=0.0):
        super().__init__()
        self.peak_lr = peak_lr
        self.warmup_steps = warmup_steps
        self.decay_steps = decay_steps
        self.alpha = alpha

    def __call__(self, step):
        ### BEGIN SOLUTION
        s = tf.cast(step, tf.float32)
        warmup = tf.cast(self.warmup_steps, tf.float32)
        decay = tf.cast(self.decay_steps, tf.float32)
        peak = tf.cast(self.peak_lr, tf.float32)
        warm = peak * s / tf.maximum(warmup, 1.0)
        p = tf.minimum(tf.maximum(s - warmup, 0.0), decay) / decay
        cosine = 0.5 * (1.0 + tf.cos(math.pi * p))
        decayed = peak * ((1.0 - self.alpha) * cosine + self.alpha)
        return tf.where(s < warmup, warm, decayed)
        ### END SOLUTION

    def get_config(self):
        return {"peak_lr": self.peak_lr, "warmup_steps": self.warmup_steps, "decay_steps": self.decay_steps,
                "alpha": self.alpha}


class StepDecay(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Step decay: ``initial_lr * drop ** floor(step / steps_per_drop)``.

    Equal to ``ExponentialDecay(initial_lr, steps_per_drop, drop, staircase=True)``. Graph-safe, with ``get_config``.
    """

    def __init__(self, initial_lr, drop, steps_per_drop):
        super().__init__()
        self.initial_lr = initial_lr
        self.drop = drop
        self.steps_per_drop = steps_per_drop

    def __call__(self, step):
        ### BEGIN SOLUTION
        s = tf.cast(step, tf.float32)
        k = tf.floor(s / tf.cast(self.steps_per_drop, tf.float32))
        return tf.cast(self.initial_lr, tf.float32) * tf.pow(tf.cast(self.drop, tf.float32), k)
        ### END SOLUTION

    def get_config(self):
        return {"initial_lr": self.initial_lr, "drop": self.drop, "steps_per_drop": self.steps_per_drop}


class CyclicalLR(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Cyclical learning rate (Smith 2017).

    ``cycle = floor(1 + s / (2 * step_size))``, ``x = |s / step_size - 2 * cycle + 1|``,
    ``lr = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale`` with ``scale = 1`` (``"triangular"``),
    ``1 / 2 ** (cycle - 1)`` (``"triangular2"``) or ``gamma ** s`` (``"exp_range"``).
    Graph-safe (the mode is a Python string fixed at construction), with ``get_config``.
    """

    def __init__(self, base_lr, max_lr, step_size, mode="triangular", gamma=1.0):
        super().__init__()
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"unknown mode {mode!r}")
        self.base_lr = base_lr
        self.max_lr = max_lr
        self.step_size = step_size
        self.mode = mode
        self.gamma = gamma

    def __call__(self, step):
        ### BEGIN SOLUTION
        s = tf.cast(step, tf.float32)
        size = tf.cast(self.step_size, tf.float32)
        cycle = tf.floor(1.0 + s / (2.0 * size))
        x = tf.abs(s / size - 2.0 * cycle + 1.0)
        if self.mode == "triangular":
            scale = tf.constant(1.0)
        elif self.mode == "triangular2":
            scale = 1.0 / tf.pow(2.0, cycle - 1.0)
        else:
            scale = tf.pow(tf.cast(self.gamma, tf.float32), s)
        return self.base_lr + (self.max_lr - self.base_lr) * tf.maximum(0.0, 1.0 - x) * scale
        ### END SOLUTION

    def get_config(self):
        return {"base_lr": self.base_lr, "max_lr": self.max_lr, "step_size": self.step_size, "mode": self.mode,
                "gamma": self.gamma}


class OneCycleLR(tf.keras.optimizers.schedules.LearningRateSchedule):
    """One-cycle policy with cosine annealing in both phases.

    ``initial = max_lr / div_factor``, ``final = initial / final_div_factor``,
    ``up = round(pct_start * total_steps)``. For ``s <= up``: ``p = s / up`` and
    ``lr = max_lr + (initial - max_lr) * 0.5 * (1 + cos(pi * p))`` (from ``initial`` to ``max_lr``);
    after it ``p = min((s - up) / (total_steps - up), 1)`` and
    ``lr = final + (max_lr - final) * 0.5 * (1 + cos(pi * p))``. Graph-safe, with ``get_config``.
    """

    def __init__(self, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
        super().__init__()
        self.max_lr = max_lr
        self.total_steps = total_steps
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor

    def __call__(self, step):
        ### BEGIN SOLUTION
        s = tf.cast(step, tf.float32)
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        up = float(round(self.pct_start * self.total_steps))
        down = float(self.total_steps) - up
        p_up = tf.minimum(s / up, 1.0)
        warm = self.max_lr + (initial - self.max_lr) * 0.5 * (1.0 + tf.cos(math.pi * p_up))
        p_down = tf.clip_by_value((s - up) / down, 0.0, 1.0)
        anneal = final + (self.max_lr - final) * 0.5 * (1.0 + tf.cos(math.pi * p_down))
        return tf.where(s <= up, warm, anneal)
        ### END SOLUTION

    def get_config(self):
        return {"max_lr": self.max_lr, "total_steps": self.total_steps, "pct_start": self.pct_start,
                "div_factor": self.div_factor, "final_div_factor": self.final_div_factor}


def lr_range_test(model, x, y, min_lr: float, max_lr: float, num_steps: int, batch_size: int,
                  diverge_factor: float = 4.0) -> dict:
    """Learning-rate range test (Smith): train with an exponentially growing learning rate.

    ``model`` is compiled (optimizer with a settable ``learning_rate`` variable). For ``i = 0 ..
    num_steps-1``: ``lr_i = min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))``; set the
    optimizer's learning rate to ``lr_i`` and train on batch ``i`` (rows ``i*batch_size ..
    (i+1)*batch_size`` taken cyclically modulo ``len(x)``, which is a multiple of ``batch_size``)
    with ``model.train_on_batch``; record ``lr_i`` and the loss it returns. Stop after recording a
    loss that is not finite or exceeds ``diverge_factor`` times the smallest loss so far.

    Returns:
        ``{"lr": float64 array, "loss": float64 array}`` of the tried steps, same length.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x)
    lrs, losses = [], []
    best = np.inf
    for i in range(num_steps):
        lr = min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))
        model.optimizer.learning_rate.assign(lr)
        start = (i * batch_size) % n
        loss = float(model.train_on_batch(x[start:start + batch_size], y[start:start + batch_size]))
        lrs.append(lr)
        losses.append(loss)
        best = min(best, loss)
        if not np.isfinite(loss) or loss > diverge_factor * best:
            break
    return {"lr": np.asarray(lrs, np.float64), "loss": np.asarray(losses, np.float64)}
    ### END SOLUTION


def suggest_lr(lrs, losses) -> float:
    """The rule of thumb after a range test: the learning rate of the smallest finite loss, divided by 10."""
    ### BEGIN SOLUTION
    losses = np.asarray(losses, np.float64)
    masked = np.where(np.isfinite(losses), losses, np.inf)
    return float(np.asarray(lrs, np.float64)[int(np.argmin(masked))] / 10.0)
    ### END SOLUTION


# %% [q3]
def accumulated_gradients(model, loss_fn, x, y, micro_batch: int) -> list:
    """The gradient of the mean loss over all of ``x``, computed ``micro_batch`` rows at a time.

    ``loss_fn(y_true, y_pred)`` returns one loss per example. Run the model on one micro-batch at a
    time (the last one may be smaller) and add up the gradients so that the result equals the
    gradient of ``mean(loss_fn(y, model(x)))`` over all rows: weight each micro-batch by its share
    of the rows, not equally.

    Returns:
        A list of tensors, one per ``model.trainable_variables``.
    """
    ### BEGIN SOLUTION
    n = int(len(x))
    total = [tf.zeros_like(v) for v in model.trainable_variables]
    for start in range(0, n, micro_batch):
        xb, yb = x[start:start + micro_batch], y[start:start + micro_batch]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(loss_fn(yb, model(xb, training=True))) / n
        grads = tape.gradient(loss, model.trainable_variables)
        total = [t + g for t, g in zip(total, grads, strict=True)]
    return total
    ### END SOLUTION


def train_accumulated(model, optimizer, loss_fn, x, y, batch_size: int, accum_steps: int) -> None:
    """One epoch of training with gradient accumulation, in order, without shuffling.

    Every optimizer step covers ``accum_steps`` micro-batches of ``batch_size`` rows (the last group
    and its last micro-batch may be smaller); the model never sees more than ``batch_size`` rows at
    once, and ``optimizer.apply_gradients`` runs once per group with the gradient of the group's
    mean loss. The result equals ``model.fit(x, y, batch_size=batch_size * accum_steps,
    shuffle=False, epochs=1)`` with the same optimizer and a per-example ``loss_fn``.
    """
    ### BEGIN SOLUTION
    group = batch_size * accum_steps
    for start in range(0, int(len(x)), group):
        grads = accumulated_gradients(model, loss_fn, x[start:start + group], y[start:start + group], batch_size)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    ### END SOLUTION


def scale_learning_rate(base_lr: float, base_batch: int, batch: int, rule: str = "linear") -> float:
    """Learning rate for ``batch`` given one tuned at ``base_batch``.

    ``"linear"`` (Goyal et al. 2017): ``base_lr * batch / base_batch``; ``"sqrt"``:
    ``base_lr * sqrt(batch / base_batch)``. Returns a Python float; raises ``ValueError`` for
    another rule.
    """
    ### BEGIN SOLUTION
    ratio = batch / base_batch
    if rule == "linear":
        return float(base_lr * ratio)
    if rule == "sqrt":
        return float(base_lr * math.sqrt(ratio))
    raise ValueError(f"unknown rule {rule!r}")
    ### END SOLUTION


def warmup_learning_rate(step: int, start_lr: float, target_lr: float, warmup_steps: int) -> float:
    """Gradual warm-up for the linear scaling rule.

    ``start_lr + (target_lr - start_lr) * min(step, warmup_steps) / warmup_steps`` (so ``target_lr``
    from ``warmup_steps`` on; at once when ``warmup_steps <= 0``). Returns a Python float.
    """
    ### BEGIN SOLUTION
    if warmup_steps <= 0:
        return float(target_lr)
    return float(start_lr + (target_lr - start_lr) * min(step, warmup_steps) / warmup_steps)
    ### END SOLUTION


# %% [q4]
def elastic_net_penalty(weights: list, l1: float, l2: float) -> tf.Tensor:
    """The elastic-net penalty of a list of weight tensors.

    ``sum over tensors of l1 * sum(|w|) + l2 * sum(w**2)``, the convention of
    ``tf.keras.regularizers.L1L2`` (no 1/2 on the L2 term). A scalar float32 tensor, differentiable.
    """
    ### BEGIN SOLUTION
    total = tf.constant(0.0, tf.float32)
    for w in weights:
        w = tf.cast(w, tf.float32)
        total += l1 * tf.reduce_sum(tf.abs(w)) + l2 * tf.reduce_sum(tf.square(w))
    return total
    ### END SOLUTION


def regularized_loss(model, x, y, l1: float, l2: float) -> tf.Tensor:
    """Data loss plus the elastic-net penalty of the kernels, by hand.

    Mean squared error of ``model(x, training=False)`` against ``y`` plus ``elastic_net_penalty``
    of the kernels of ``model``'s Dense layers (biases are not penalised): equal to the
    ``compiled_loss`` of the same model built with ``kernel_regularizer=L1L2(l1, l2)``.
    """
    ### BEGIN SOLUTION
    pred = model(x, training=False)
    data = tf.reduce_mean(tf.square(tf.cast(y, tf.float32) - pred))
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    return data + elastic_net_penalty(kernels, l1, l2)
    ### END SOLUTION


def fit_elastic_net(x, y, l1: float, l2: float, steps: int = 2000) -> np.ndarray:
    """Linear regression without intercept under an elastic-net penalty, by proximal gradient (ISTA).

    Minimise ``1/(2n) * ||y - x w||**2 + l1 * ||w||_1 + l2 * ||w||**2`` from ``w = 0`` with step
    ``lr = 1 / L``, ``L = largest eigenvalue of x.T x / n + 2 * l2``: a gradient step on the smooth
    part, then soft-thresholding ``sign(z) * max(|z| - lr * l1, 0)``, so that L1 gives exact zeros.
    Work in float64. ``y`` has shape ``(n,)`` or ``(n, 1)``. Do not call scikit-learn.

    Returns:
        ``w`` as a float64 NumPy array of shape ``(features,)``.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64).reshape(-1)
    n = x.shape[0]
    lr = 1.0 / (np.linalg.eigvalsh(x.T @ x / n).max() + 2.0 * l2)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        grad = x.T @ (x @ w - y) / n + 2.0 * l2 * w
        z = w - lr * grad
        w = np.sign(z) * np.maximum(np.abs(z) - lr * l1, 0.0)
    return w
    ### END SOLUTION


# %% [q5]
def dropout(x, rate: float, training: bool, seed: int) -> tf.Tensor:
    """Inverted dropout by hand.

    In training, keep each element with probability ``1 - rate`` (mask from
    ``tf.random.stateless_uniform(shape, seed=[seed, 0]) >= rate``) and scale the kept ones by
    ``1 / (1 - rate)``; at inference (``training=False``) return ``x`` unchanged. Do not use
    ``tf.nn.dropout`` or the Keras layer. ``rate=0`` returns ``x`` unchanged. Returns a float32 tensor.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x, tf.float32)
    if not training or rate == 0.0:
        return tf.identity(x)
    keep = tf.random.stateless_uniform(tf.shape(x), seed=[seed, 0]) >= rate
    return tf.where(keep, x / (1.0 - rate), tf.zeros_like(x))
    ### END SOLUTION


class BatchNorm(tf.keras.layers.Layer):
    """Batch normalisation over the last axis, by hand, like ``tf.keras.layers.BatchNormalization(fused=False)``.

    Weights, created in ``build`` in this order: ``gamma`` (ones), ``beta`` (zeros), then the
    non-trainable ``moving_mean`` (zeros) and ``moving_variance`` (ones), each of shape ``(C,)``.
    Training: mean and biased variance over every axis but the last; output
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``; update
    ``moving = moving * momentum + batch_stat * (1 - momentum)``. Inference: the moving statistics.
    Do not use ``tf.nn.batch_normalization`` or the Keras layer.
    """

    def __init__(self, momentum=0.99, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.epsilon = epsilon

    def build(self, input_shape):
        ### BEGIN SOLUTION
        c = int(input_shape[-1])
        self.gamma = self.add_weight(name="gamma", shape=(c,), initializer="ones", trainable=True)
        self.beta = self.add_weight(name="beta", shape=(c,), initializer="zeros", trainable=True)
        self.moving_mean = self.add_weight(name="moving_mean", shape=(c,), initializer="zeros", trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=(c,), initializer="ones",
                                               trainable=False)
        ### END SOLUTION

    def call(self, inputs, training=None):
        ### BEGIN SOLUTION
        axes = list(range(len(inputs.shape) - 1))
        if training:
            mean = tf.reduce_mean(inputs, axis=axes)
            var = tf.reduce_mean(tf.square(inputs - mean), axis=axes)
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance * self.momentum + var * (1.0 - self.momentum))
        else:
            mean, var = self.moving_mean, self.moving_variance
        return self.gamma * (inputs - mean) / tf.sqrt(var + self.epsilon) + self.beta
        ### END SOLUTION

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon}


# %% [q6]
class EarlyStoppingByHand(tf.keras.callbacks.Callback):
    """Early stopping with the exact semantics of ``tf.keras.callbacks.EarlyStopping`` in TF 2.18.

    Same arguments. ``mode="auto"`` means max for monitors ending in ``acc``/``accuracy``/``auc``,
    else min. ``on_train_begin`` resets ``wait = 0``, ``stopped_epoch = 0``, ``best_epoch = 0``,
    ``best = +inf`` (min) / ``-inf`` (max), ``best_weights = None``.

    ``on_epoch_end``: skip if the monitor is missing or ``epoch < start_from_epoch``; with
    ``restore_best_weights``, snapshot the weights if none are stored yet; ``wait += 1``. An
    improvement is ``current + min_delta < best`` (min) or ``current - min_delta > best`` (max),
    i.e. better by more than ``min_delta``: then store best/best_epoch (and the weights), and reset
    ``wait = 0`` only if there is no ``baseline`` or the value also improves on it. Otherwise, if
    ``wait >= patience`` and ``epoch > 0``, set ``stopped_epoch = epoch`` and
    ``model.stop_training = True``.

    ``on_train_end`` restores the best weights whenever ``restore_best_weights`` is set and some
    were stored, stopped early or not.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def _maximize(self):
        """True when a larger monitored value is better."""
        ### BEGIN SOLUTION
        if self.mode == "max":
            return True
        if self.mode == "min":
            return False
        return self.monitor.endswith(("acc", "accuracy", "auc"))
        ### END SOLUTION

    def _improves(self, value, reference):
        """True when ``value`` improves on ``reference`` by more than ``min_delta``."""
        ### BEGIN SOLUTION
        if self._maximize():
            return value - self.min_delta > reference
        return value + self.min_delta < reference
        ### END SOLUTION

    def on_train_begin(self, logs=None):
        ### BEGIN SOLUTION
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best = -np.inf if self._maximize() else np.inf
        self.best_weights = None
        ### END SOLUTION

    def on_epoch_end(self, epoch, logs=None):
        ### BEGIN SOLUTION
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
        ### END SOLUTION

    def on_train_end(self, logs=None):
        ### BEGIN SOLUTION
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        ### END SOLUTION
