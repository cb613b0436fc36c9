"""Reference solution for A07, Keras Sequential API.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf


# %% [q1]
def build_mlp(input_dim: int, hidden: tuple, num_classes: int, dropout: float = 0.0,
              batchnorm: bool = False) -> tf.keras.Sequential:
    """A classifier MLP as a list-style ``tf.keras.Sequential``.

    Layers, in order: ``tf.keras.Input(shape=(input_dim,))``; then for each ``i, units`` in
    ``enumerate(hidden, start=1)``: ``Dense(units, activation="relu", name=f"hidden_{i}")``,
    then (only if ``batchnorm``) ``BatchNormalization(name=f"bn_{i}")``, then (only if
    ``dropout > 0``) ``Dropout(dropout, name=f"dropout_{i}")``; finally
    ``Dense(num_classes, activation="softmax", name="output")``.

    Returns:
        The model, built (it has an Input, so its weights exist before any call).
    """
    ### BEGIN SOLUTION
    layers = [tf.keras.Input(shape=(input_dim,))]
    for i, units in enumerate(hidden, start=1):
        layers.append(tf.keras.layers.Dense(units, activation="relu", name=f"hidden_{i}"))
        if batchnorm:
            layers.append(tf.keras.layers.BatchNormalization(name=f"bn_{i}"))
        if dropout > 0:
            layers.append(tf.keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    layers.append(tf.keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return tf.keras.Sequential(layers)
    ### END SOLUTION


def build_mlp_incremental(input_dim: int, hidden: tuple, num_classes: int, dropout: float = 0.0,
                          batchnorm: bool = False) -> tf.keras.Sequential:
    """The same model as ``build_mlp``, built with ``Sequential()`` and ``model.add(...)``."""
    ### BEGIN SOLUTION
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(input_dim,)))
    for i, units in enumerate(hidden, start=1):
        model.add(tf.keras.layers.Dense(units, activation="relu", name=f"hidden_{i}"))
        if batchnorm:
            model.add(tf.keras.layers.BatchNormalization(name=f"bn_{i}"))
        if dropout > 0:
            model.add(tf.keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    model.add(tf.keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return model
    ### END SOLUTION


# %% [q2]
LEAKY_ALPHA = 0.1


def apply_activation(x, name: str) -> tf.Tensor:
    """Apply the activation ``name`` elementwise (``softmax``: over the last axis), with raw maths.

    ``name`` is one of ``"linear"``, ``"relu"``, ``"leaky_relu"`` (slope ``LEAKY_ALPHA`` below 0),
    ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ``"swish"`` (``x * sigmoid(x)``) and ``"gelu"`` (exact,
    ``0.5 x (1 + erf(x / sqrt 2))``). Do not call ``tf.nn``/``tf.keras.activations`` versions;
    ``tf.exp``, ``tf.math.tanh``, ``tf.math.erf``, ``tf.where`` and reductions are fine. Stable for
    large ``|x|`` (no NaN or inf at +-1000), and at the kinks the derivative is the one Keras uses
    (relu: 0 at 0; leaky_relu: ``LEAKY_ALPHA`` at 0).
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    if name == "linear":
        return x
    if name == "relu":
        return tf.where(x > 0, x, tf.zeros_like(x))
    if name == "leaky_relu":
        return tf.where(x > 0, x, LEAKY_ALPHA * x)
    if name == "tanh":
        return tf.math.tanh(x)
    if name in ("sigmoid", "swish"):
        # exp of -|x| only (no overflow), with |x| as a tf.where so that its derivative at 0 is not 0.
        e = tf.exp(tf.where(x >= 0, -x, x))
        sig = tf.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return sig if name == "sigmoid" else x * sig
    if name == "softmax":
        e = tf.exp(x - tf.reduce_max(x, axis=-1, keepdims=True))
        return e / tf.reduce_sum(e, axis=-1, keepdims=True)
    if name == "gelu":
        return 0.5 * x * (1.0 + tf.math.erf(x / np.sqrt(2.0).astype(x.dtype.as_numpy_dtype)))
    raise ValueError(f"unknown activation {name!r}")
    ### END SOLUTION


def dense_forward(x, kernel, bias, name: str) -> tf.Tensor:
    """What ``Dense(units, activation=name)`` computes: ``apply_activation(x @ kernel + bias, name)``."""
    ### BEGIN SOLUTION
    return apply_activation(tf.matmul(x, kernel) + bias, name)
    ### END SOLUTION


def l1l2_penalty(kernel, l1: float, l2: float) -> tf.Tensor:
    """The penalty ``tf.keras.regularizers.L1L2(l1, l2)`` adds: ``l1 * sum|W| + l2 * sum W**2`` (no 1/2)."""
    ### BEGIN SOLUTION
    kernel = tf.convert_to_tensor(kernel)
    return l1 * tf.reduce_sum(tf.abs(kernel)) + l2 * tf.reduce_sum(tf.square(kernel))
    ### END SOLUTION


def make_dense(units: int, name: str, l1: float, l2: float, seed: int) -> tf.keras.layers.Dense:
    """A ``Dense`` layer with activation ``name`` (the Keras string).

    Its kernel is initialised with ``tf.keras.initializers.HeNormal(seed=seed)``, its bias with
    zeros, and it has an ``L1L2(l1, l2)`` kernel regulariser.
    """
    ### BEGIN SOLUTION
    return tf.keras.layers.Dense(
        units, activation=name, use_bias=True,
        kernel_initializer=tf.keras.initializers.HeNormal(seed=seed), bias_initializer="zeros",
        kernel_regularizer=tf.keras.regularizers.L1L2(l1=l1, l2=l2))
    ### END SOLUTION


# %% [q3]
def compile_for_task(model: tf.keras.Model, task: str, lr: float) -> tf.keras.Model:
    """Compile ``model`` for ``task`` with ``Adam(learning_rate=lr)`` and return it.

    ``task`` is ``"binary"`` (labels 0/1, one output unit), ``"multiclass_sparse"`` (integer labels),
    ``"multiclass_onehot"`` (one-hot labels) or ``"regression"``. The model's last layer is a
    ``Dense``; if its activation is linear the outputs are logits (``from_logits=True`` wherever a
    loss or metric takes it), otherwise they are probabilities (sigmoid/softmax).

    Metrics, with these names: binary: ``"accuracy"`` (threshold 0.5 on the probability) and
    ``"auc"`` (ROC AUC); multiclass: ``"accuracy"`` and ``"top3"`` (top-3 accuracy, the variant
    that matches the labels); regression (loss: mean squared error): ``"mae"`` and ``"rmse"``.
    Any other ``task`` raises ``ValueError``.
    """
    ### BEGIN SOLUTION
    act = getattr(model.layers[-1], "activation", None)
    logits = act is None or getattr(act, "__name__", "") == "linear"
    k = tf.keras
    if task == "binary":
        loss = k.losses.BinaryCrossentropy(from_logits=logits)
        metrics = [k.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if logits else 0.5),
                   k.metrics.AUC(name="auc", from_logits=logits)]
    elif task == "multiclass_sparse":
        loss = k.losses.SparseCategoricalCrossentropy(from_logits=logits)
        metrics = [k.metrics.SparseCategoricalAccuracy(name="accuracy"),
                   k.metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")]
    elif task == "multiclass_onehot":
        loss = k.losses.CategoricalCrossentropy(from_logits=logits)
        metrics = [k.metrics.CategoricalAccuracy(name="accuracy"),
                   k.metrics.TopKCategoricalAccuracy(k=3, name="top3")]
    elif task == "regression":
        loss = k.losses.MeanSquaredError()
        metrics = [k.metrics.MeanAbsoluteError(name="mae"), k.metrics.RootMeanSquaredError(name="rmse")]
    else:
        raise ValueError(f"unknown task {task!r}")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=lr), loss=loss, metrics=metrics)
    return model
    ### END SOLUTION


def binary_f1(y_true, y_prob) -> tf.Tensor:
    """F1 score of the predictions ``y_prob > 0.5`` against 0/1 labels, a float32 scalar tensor.

    Usable as a Keras metric function (``metrics=[binary_f1]``). With no true positives it is 0
    (never NaN). Any shapes ``(n,)`` or ``(n, 1)``.
    """
    ### BEGIN SOLUTION
    y_true = tf.reshape(tf.cast(y_true, tf.float32), [-1])
    y_pred = tf.cast(tf.reshape(y_prob, [-1]) > 0.5, tf.float32)
    tp = tf.reduce_sum(y_true * y_pred)
    fp = tf.reduce_sum((1.0 - y_true) * y_pred)
    fn = tf.reduce_sum(y_true * (1.0 - y_pred))
    return tf.math.divide_no_nan(2.0 * tp, 2.0 * tp + fp + fn)
    ### END SOLUTION


# %% [q4]
def keras_validation_split(x, y, validation_split: float) -> tuple:
    """The ``(x_train, y_train, x_val, y_val)`` that ``model.fit(x, y, validation_split=...)`` uses.

    Keras takes the validation set from the *end* of the arrays, before any shuffling: the first
    ``floor(n * (1 - validation_split))`` rows train, the rest validate. NumPy arrays in and out.
    """
    ### BEGIN SOLUTION
    x, y = np.asarray(x), np.asarray(y)
    split_at = int(np.floor(len(x) * (1.0 - validation_split)))
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]
    ### END SOLUTION


def stratified_split(y, val_fraction: float, seed: int) -> tuple:
    """A shuffled, stratified split: ``(train_idx, val_idx)``, both sorted int64 index arrays.

    For every class ``c`` with ``n_c`` samples, ``floor(val_fraction * n_c + 0.5)`` of its indices,
    chosen at random with ``np.random.default_rng(seed)``, go to validation; the rest train. The
    same seed gives the same split.
    """
    ### BEGIN SOLUTION
    y = np.asarray(y).reshape(-1)
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        n_val = int(np.floor(val_fraction * len(members) + 0.5))
        val.append(rng.permutation(members)[:n_val])
    val_idx = np.sort(np.concatenate(val)).astype(np.int64)
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx).astype(np.int64)
    return train_idx, val_idx
    ### END SOLUTION


def train_loop(model, x, y, x_val, y_val, optimizer, loss_fn, epochs: int, batch_size: int) -> dict:
    """A hand-written training loop that reproduces ``fit`` with validation data.

    That is, ``model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs, batch_size=batch_size,
    shuffle=False)``.

    Per epoch: for each batch in order (the last may be smaller), one ``tf.function`` step with a
    ``GradientTape``: ``model(xb, training=True)``, ``loss_fn(yb, pred) + sum(model.losses)``,
    ``optimizer.apply_gradients``. Then the validation loss over batches of ``batch_size`` in
    inference mode (``training=False``), regularisation included.

    Returns:
        ``{"loss": [...], "val_loss": [...]}``: one Python float per epoch each, the means over
        samples (batch losses weighted by batch size), as ``fit``'s history reports them.
    """
    ### BEGIN SOLUTION
    x, y = np.asarray(x, np.float32), np.asarray(y)
    x_val, y_val = np.asarray(x_val, np.float32), np.asarray(y_val)

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            loss = loss_fn(yb, pred) + tf.add_n([tf.constant(0.0)] + list(model.losses))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def val_step(xb, yb):
        pred = model(xb, training=False)
        return loss_fn(yb, pred) + tf.add_n([tf.constant(0.0)] + list(model.losses))

    history = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            total += float(train_step(xb, yb)) * len(xb)
        history["loss"].append(total / len(x))
        total = 0.0
        for start in range(0, len(x_val), batch_size):
            xb, yb = x_val[start:start + batch_size], y_val[start:start + batch_size]
            total += float(val_step(xb, yb)) * len(xb)
        history["val_loss"].append(total / len(x_val))
    return history
    ### END SOLUTION


# %% [q5]
def evaluate_classifier(model, x, y, num_classes: int, batch_size: int = 32) -> dict:
    """Classification metrics of ``model`` on ``(x, y)``, computed with TensorFlow ops (no sklearn).

    Predicted class: the argmax of ``model.predict(x, batch_size=batch_size)``. Returns a dict of
    NumPy values: ``"accuracy"`` (float), ``"confusion_matrix"`` (int64, ``(k, k)``, rows = true
    class, columns = predicted), per-class ``"precision"``, ``"recall"``, ``"f1"`` (float64 arrays
    of length ``k``; 0 where the denominator is 0, never NaN), ``"macro_f1"`` and ``"weighted_f1"``
    (weighted by each class's true count), as ``sklearn.metrics`` with ``zero_division=0`` would.
    """
    ### BEGIN SOLUTION
    probs = model.predict(x, batch_size=batch_size, verbose=0)
    pred = tf.argmax(probs, axis=-1, output_type=tf.int64)
    true = tf.cast(tf.reshape(y, [-1]), tf.int64)
    cm = tf.cast(tf.math.confusion_matrix(true, pred, num_classes=num_classes), tf.float64)
    tp = tf.linalg.diag_part(cm)
    support = tf.reduce_sum(cm, axis=1)
    predicted = tf.reduce_sum(cm, axis=0)
    precision = tf.math.divide_no_nan(tp, predicted)
    recall = tf.math.divide_no_nan(tp, support)
    f1 = tf.math.divide_no_nan(2.0 * precision * recall, precision + recall)
    return {
        "accuracy": float(tf.reduce_sum(tp) / tf.reduce_sum(cm)),
        "confusion_matrix": tf.cast(cm, tf.int64).numpy(),
        "precision": precision.numpy(),
        "recall": recall.numpy(),
        "f1": f1.numpy(),
        "macro_f1": float(tf.reduce_mean(f1)),
        "weighted_f1": float(tf.reduce_sum(f1 * support) / tf.reduce_sum(support)),
    }
    ### END SOLUTION


def train_classifier(x, y, num_classes: int, seed: int) -> tf.keras.Sequential:
    """Train a Sequential MLP classifier on ``(x, y)`` (float32 features, integer labels) and return it.

    Hold out a validation set (shuffled, not ``validation_split``), stop early on ``val_loss`` and
    restore the best weights. ``model.predict`` of the result must give class probabilities. Keep it
    small: it must train in a few seconds on 2 CPU cores.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    x, y = np.asarray(x, np.float32), np.asarray(y).reshape(-1)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    perm = np.random.default_rng(seed).permutation(len(x))
    n_val = len(x) // 5
    val, train = perm[:n_val], perm[n_val:]
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(x.shape[1],)),
        tf.keras.layers.Normalization(mean=mean, variance=std ** 2),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(32, activation="relu"),
        tf.keras.layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)
    model.fit(x[train], y[train], validation_data=(x[val], y[val]), epochs=80, batch_size=64,
              callbacks=[stop], verbose=0)
    return model
    ### END SOLUTION


# %% [q6]
@tf.keras.utils.register_keras_serializable(package="course")
def scaled_tanh(x):
    """LeCun's scaled tanh, ``1.7159 * tanh(2 x / 3)``.

    Registered as ``"course>scaled_tanh"``, so that a saved model that uses it loads without
    ``custom_objects``.
    """
    ### BEGIN SOLUTION
    return 1.7159 * tf.math.tanh(2.0 * x / 3.0)
    ### END SOLUTION


def build_model(input_dim: int, hidden: int, num_classes: int) -> tf.keras.Sequential:
    """``Input((input_dim,))`` -> ``Dense(hidden, activation=scaled_tanh)`` -> ``Dense(num_classes)`` (logits)."""
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.Input(shape=(input_dim,)),
        tf.keras.layers.Dense(hidden, activation=scaled_tanh),
        tf.keras.layers.Dense(num_classes),
    ])
    ### END SOLUTION


def save_all(model: tf.keras.Model, outdir: str) -> dict:
    """Save a compiled, trained ``model`` three ways under the existing folder ``outdir``.

    Returns ``{"keras": ..., "savedmodel": ..., "weights": ...}``: the paths of the native Keras
    file ``<outdir>/model.keras`` (architecture, weights and optimizer state), a SavedModel folder
    ``<outdir>/savedmodel`` (with a ``serving_default`` signature) and a weights-only file
    ``<outdir>/model.weights.h5``.
    """
    ### BEGIN SOLUTION
    paths = {"keras": os.path.join(outdir, "model.keras"),
             "savedmodel": os.path.join(outdir, "savedmodel"),
             "weights": os.path.join(outdir, "model.weights.h5")}
    model.save(paths["keras"])
    model.save(paths["savedmodel"], save_format="tf")
    model.save_weights(paths["weights"])
    return paths
    ### END SOLUTION
