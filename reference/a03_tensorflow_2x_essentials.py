"""Reference solution for A03, TensorFlow 2.x Essentials.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub


def make_regressor(seed: int) -> tf.keras.Model:
    """The small regression model of Q5, with weights that depend only on ``seed``.

    Args:
        seed: seeds the kernel initializers, so two calls with the same seed build equal models.

    Returns:
        A built ``tf.keras.Sequential`` mapping ``(batch, 4)`` to ``(batch, 1)``.
    """
    glorot = tf.keras.initializers.GlorotUniform
    return tf.keras.Sequential([
        tf.keras.layers.Dense(16, activation="tanh", kernel_initializer=glorot(seed), input_shape=(4,)),
        tf.keras.layers.Dense(1, kernel_initializer=glorot(seed + 1)),
    ])


def make_batch(seed: int, step: int, batch_size: int = 16) -> tuple:
    """The training batch of step ``step`` in Q5, drawn with stateless random ops.

    The batch depends only on ``(seed, step)``, never on how many draws happened before, so a
    run that restarts at step ``k`` sees exactly the batches an uninterrupted run sees.

    Returns:
        ``(x, y)``: float32 tensors of shapes ``(batch_size, 4)`` and ``(batch_size, 1)``.
    """
    step = int(step)
    x = tf.random.stateless_normal([batch_size, 4], seed=[seed, step])
    noise = tf.random.stateless_normal([batch_size, 1], seed=[seed + 1, step])
    y = tf.reduce_sum(tf.sin(2.0 * x), axis=1, keepdims=True) + 0.1 * noise
    return x, y


# %% [q1]
def minimize_eager(loss_fn, x0, lr: float, max_steps: int, tol: float) -> tuple:
    """Minimise ``loss_fn`` by gradient descent, eagerly, with Python-level early stopping.

    ``x`` lives in a ``float64`` ``tf.Variable`` initialised from ``x0``. For ``k = 0, 1, ...,
    max_steps - 1``:

    1. under a ``tf.GradientTape``, compute ``L_k = loss_fn(x)`` and then its gradient ``g_k``;
    2. append ``float(L_k)`` to the history;
    3. if ``k >= 1`` and ``abs(L_k - L_{k-1}) < tol``, stop (``x`` is not updated again);
    4. otherwise ``x <- x - lr * g_k`` (``assign_sub``).

    Args:
        loss_fn: a function of a ``float64`` vector tensor returning a scalar tensor.
        x0: the starting point (array-like).
        lr: the learning rate.
        max_steps: the largest number of loss evaluations (and updates).
        tol: the early-stopping tolerance on the change of the loss.

    Returns:
        ``(x, history)``: the final ``x`` as a ``float64`` NumPy array and the list of Python
        floats ``L_0, L_1, ...``.
    """
    ### BEGIN SOLUTION
    x = tf.Variable(np.asarray(x0, dtype=np.float64))
    history = []
    for k in range(max_steps):
        with tf.GradientTape() as tape:
            loss = loss_fn(x)
        grad = tape.gradient(loss, x)
        # Eager tensors have concrete values, so ordinary Python control flow decides when to stop.
        history.append(float(loss))
        if k >= 1 and abs(history[-1] - history[-2]) < tol:
            break
        x.assign_sub(lr * grad)
    return x.numpy(), history
    ### END SOLUTION


def hessian_vector_product(loss_fn, x, v) -> tf.Tensor:
    """The product ``H(x) @ v`` of the Hessian of ``loss_fn`` at ``x`` with ``v``, without forming ``H``.

    Use two nested ``tf.GradientTape``s: the inner one gives the gradient ``g(x)``; the outer one
    differentiates ``sum(g(x) * v)`` with respect to ``x``.

    Args:
        loss_fn: a function of a ``float64`` vector tensor returning a scalar tensor.
        x: the point (array-like or tensor), used as ``float64``.
        v: the vector (array-like or tensor, same shape as ``x``), used as ``float64``.

    Returns:
        A ``float64`` tensor of the shape of ``x``.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float64))
    v = tf.convert_to_tensor(np.asarray(v, dtype=np.float64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            loss = loss_fn(x)
        grad = inner.gradient(loss, x)
        projected = tf.reduce_sum(grad * v)
    return outer.gradient(projected, x)
    ### END SOLUTION


# %% [q2]
def ema_eager(x, alpha):
    """Exponential moving average of a vector, written once for eager and graph execution.

    ``s[0] = x[0]`` and ``s[i] = alpha * x[i] + (1 - alpha) * s[i - 1]``. Write a Python ``for``
    loop over ``tf.range(n)`` with ``n = tf.shape(x)[0]`` and collect the values in a
    ``tf.TensorArray``. Called directly, the loop runs eagerly, op by op; inside ``tf.function``
    AutoGraph turns the same loop into one graph ``While`` op.

    Args:
        x: a ``float32`` vector with at least one element.
        alpha: the smoothing factor in ``(0, 1]``, a Python float or a ``float32`` scalar.

    Returns:
        A ``float32`` vector of the shape of ``x``.
    """
    ### BEGIN SOLUTION
    n = tf.shape(x)[0]
    out = tf.TensorArray(tf.float32, size=n)
    s = x[0]
    for i in tf.range(n):
        s = alpha * x[i] + (1.0 - alpha) * s
        out = out.write(i, s)
    return out.stack()
    ### END SOLUTION


def make_ema():
    """Compile ``ema_eager`` into a ``tf.function`` that traces only once.

    Callers pass vectors of every length and ``alpha`` as a Python float. A plain
    ``tf.function(ema_eager)`` retraces for every new length and for every new Python float
    (Python values are baked into the graph as constants); give it an input signature instead.

    Returns:
        The ``tf.function``.
    """
    ### BEGIN SOLUTION
    # A TensorSpec for alpha converts Python floats to tensors, so a new alpha does not retrace;
    # [None] serves every length with the same trace.
    return tf.function(ema_eager, input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)])
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
def clip_or_scale(x):
    """Bring a vector into ``[-1, 1]`` with a data-dependent branch.

    Keep this decorator. If ``tf.reduce_max(tf.abs(x)) > 1``: when ``tf.reduce_sum(x) > 0``
    return ``x / tf.reduce_max(tf.abs(x))`` (scale), otherwise ``tf.clip_by_value(x, -1, 1)``
    (clip). A vector already inside ``[-1, 1]`` is returned unchanged. Write Python ``if``
    statements on tensors; AutoGraph turns them into graph ``If`` ops (``tf.cond``).

    Args:
        x: a ``float32`` vector.

    Returns:
        A ``float32`` vector of the shape of ``x``.
    """
    ### BEGIN SOLUTION
    peak = tf.reduce_max(tf.abs(x))
    if peak > 1.0:
        if tf.reduce_sum(x) > 0.0:
            x = x / peak
        else:
            x = tf.clip_by_value(x, -1.0, 1.0)
    return x
    ### END SOLUTION


ema = make_ema()


# %% [q3]
def v1_variable_shapes(ckpt_prefix: str) -> dict:
    """List the variables of a TF1 checkpoint without building any graph.

    Args:
        ckpt_prefix: a checkpoint prefix as written by ``tf.compat.v1.train.Saver.save`` (e.g.
            ``".../model.ckpt-1234"``).

    Returns:
        ``{variable_name: [dim, ...]}`` for every variable stored in the checkpoint.
    """
    ### BEGIN SOLUTION
    return {name: list(shape) for name, shape in tf.train.list_variables(ckpt_prefix)}
    ### END SOLUTION


class MigratedMLP(tf.Module):
    """A TF2 port of a TF1 multi-layer perceptron, loaded from its v1 checkpoint.

    The TF1 graph computed, for ``i = 0 .. L-1`` and variables ``dense_{i}/kernel`` and
    ``dense_{i}/bias`` (made with ``tf.compat.v1.get_variable`` in ``variable_scope("dense_{i}")``)::

        h = x
        h = matmul(h, kernel_i) + bias_i      # followed by relu for every layer but the last
        probs = softmax(h)

    The checkpoint also holds other variables (a ``global_step``) that the port must ignore. The
    number of layers ``L`` and all sizes come from the checkpoint: hard-code nothing.
    """

    def __init__(self, ckpt_prefix: str, name=None):
        """Create the module's variables once, from the checkpoint's values.

        Read the checkpoint with ``tf.train.load_checkpoint`` (or ``tf.train.list_variables`` and
        ``tf.train.load_variable``); do not rebuild the TF1 graph or open a ``Session``. Store the
        variables in attributes (lists are fine) so that ``self.trainable_variables`` lists
        exactly the ``2 * L`` kernels and biases.

        Args:
            ckpt_prefix: the v1 checkpoint prefix.
            name: the module name.
        """
        super().__init__(name=name)
        ### BEGIN SOLUTION
        reader = tf.train.load_checkpoint(ckpt_prefix)
        names = reader.get_variable_to_shape_map()
        layers = sorted(int(n.split("/")[0].split("_")[1]) for n in names if n.startswith("dense_")
                        and n.endswith("/kernel"))
        self.kernels = [tf.Variable(reader.get_tensor(f"dense_{i}/kernel"), name=f"dense_{i}_kernel")
                        for i in layers]
        self.biases = [tf.Variable(reader.get_tensor(f"dense_{i}/bias"), name=f"dense_{i}_bias")
                       for i in layers]
        ### END SOLUTION

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def __call__(self, x):
        """The TF1 model's ``probs`` for a batch ``x`` of shape ``(batch, inputs)``."""
        ### BEGIN SOLUTION
        h = x
        last = len(self.kernels) - 1
        # A Python loop over a Python list is unrolled while tracing: one MatMul per layer.
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases, strict=True)):
            h = tf.matmul(h, kernel) + bias
            if i < last:
                h = tf.nn.relu(h)
        return tf.nn.softmax(h)
        ### END SOLUTION


def export_migrated(module: tf.Module, export_dir: str) -> None:
    """Export the migrated module as a SavedModel.

    ``tf.saved_model.load(export_dir)`` must be callable on a ``float32`` batch (its ``__call__``
    keeps the input signature) and give the module's outputs.

    Args:
        module: a ``MigratedMLP``.
        export_dir: the folder to write.
    """
    ### BEGIN SOLUTION
    tf.saved_model.save(module, export_dir, signatures={"serving_default": module.__call__})
    ### END SOLUTION


# %% [q4]
def train_custom(model, dataset, optimizer, loss_fn, epochs: int) -> list:
    """Train a compiled-free Keras model with a custom loop that reproduces ``model.fit`` exactly.

    For each batch ``(x, y)`` of ``dataset``, one ``tf.function`` train step computes
    ``model(x, training=True)`` (so BatchNormalization uses and updates its batch statistics),
    the loss ``loss_fn(y, predictions)`` plus the model's regularisation losses
    (``model.losses``), its gradients with a ``tf.GradientTape`` and one
    ``optimizer.apply_gradients``. The train step must not be retraced for every batch.

    Args:
        model: a ``tf.keras.Model``.
        dataset: a ``tf.data.Dataset`` of ``(x, y)`` batches (the last one may be smaller).
        optimizer: a ``tf.keras.optimizers.Optimizer``.
        loss_fn: a Keras loss object (mean over the batch).
        epochs: the number of passes over ``dataset``.

    Returns:
        One float per epoch: the epoch's mean of the per-batch total losses (regularisation
        included) weighted by batch size, which is what ``fit`` reports as ``history["loss"]``.
    """
    ### BEGIN SOLUTION
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    history = []
    for _ in range(epochs):
        # fit's "loss" is a Mean metric updated with sample_weight=batch size: the last, smaller
        # batch weighs less than the full ones.
        mean = tf.keras.metrics.Mean()
        for x, y in dataset:
            loss = train_step(x, y)
            mean.update_state(loss, sample_weight=tf.shape(x)[0])
        history.append(float(mean.result()))
    return history
    ### END SOLUTION


# %% [q5]
def train_resumable(ckpt_dir: str, total_steps: int, seed: int, save_every: int = 1) -> dict:
    """Train ``make_regressor(seed)`` for ``total_steps`` steps, resuming from ``ckpt_dir`` if it holds a checkpoint.

    - Model ``make_regressor(seed)``, optimizer ``tf.keras.optimizers.Adam(0.01)``, loss mean squared error,
      and a step counter in an ``int64`` ``tf.Variable``.
    - One ``tf.train.Checkpoint`` tracks all three (the optimizer too: Adam's moments and its
      iteration count are part of the state); a ``tf.train.CheckpointManager`` with
      ``max_to_keep=3`` writes to ``ckpt_dir``.
    - On entry, restore the manager's latest checkpoint if there is one.
    - While ``step < total_steps``: train on ``make_batch(seed, step)``, increment ``step``, and
      every ``save_every`` steps save with ``manager.save(checkpoint_number=step)``, so the
      checkpoint after step 3 is ``ckpt-3``.

    A run killed at any point and called again with the same arguments must end with exactly
    the weights of an uninterrupted run.

    Args:
        ckpt_dir: the checkpoint folder (created if missing).
        total_steps: the step count to reach.
        seed: the seed of ``make_regressor`` and ``make_batch``.
        save_every: save after every ``save_every``-th step.

    Returns:
        ``{"weights": [...], "resumed_from": int}``: the model's ``weights`` as a list of
        tensors or arrays after training, and the step value restored on entry (0 for a fresh start).
    """
    ### BEGIN SOLUTION
    model = make_regressor(seed)
    optimizer = tf.keras.optimizers.Adam(0.01)
    step = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
    manager = tf.train.CheckpointManager(checkpoint, ckpt_dir, max_to_keep=3)
    if manager.latest_checkpoint:
        # Adam's slots do not exist yet; the checkpoint restores them as soon as they are created.
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    resumed_from = int(step.numpy())
    loss_fn = tf.keras.losses.MeanSquaredError()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    while int(step.numpy()) < total_steps:
        train_step(*make_batch(seed, int(step.numpy())))
        step.assign_add(1)
        if int(step.numpy()) % save_every == 0:
            manager.save(checkpoint_number=step)
    return {"weights": [w.numpy() for w in model.weights], "resumed_from": resumed_from}
    ### END SOLUTION


# %% [q6]
def hub_features(handle: str, x) -> tf.Tensor:
    """Feature vectors of ``x`` from a TF Hub model given by a local path.

    Args:
        handle: a local folder holding a TF2 SavedModel (a "hub module"); no URL.
        x: a ``float32`` batch.

    Returns:
        The module's output for ``x``, a ``float32`` tensor.
    """
    ### BEGIN SOLUTION
    module = hub.load(handle)
    return module(tf.convert_to_tensor(x, tf.float32))
    ### END SOLUTION


def build_hub_classifier(handle: str, input_dim: int, num_classes: int, trainable: bool, seed: int):
    """A classifier on top of a TF Hub feature extractor.

    ``tf.keras.Sequential`` of a ``hub.KerasLayer(handle, trainable=trainable,
    input_shape=(input_dim,))`` and a ``Dense(num_classes)`` head that outputs logits, with
    ``kernel_initializer=tf.keras.initializers.GlorotUniform(seed)``.

    Args:
        handle: a local SavedModel folder.
        input_dim: the number of input features.
        num_classes: the number of classes.
        trainable: fine-tune the hub weights (True) or keep them frozen (False).
        seed: the head's initializer seed.

    Returns:
        The built model.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        hub.KerasLayer(handle, trainable=trainable, input_shape=(input_dim,)),
        tf.keras.layers.Dense(num_classes, kernel_initializer=tf.keras.initializers.GlorotUniform(seed)),
    ])
    ### END SOLUTION


def fine_tune(model, x, y, epochs: int, lr: float) -> list:
    """Compile and fit a hub classifier deterministically.

    Compile with ``tf.keras.optimizers.Adam(lr)`` and
    ``tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)``, then ``fit`` on
    ``(x, y)`` with ``batch_size=32``, ``shuffle=False`` and ``verbose=0``.

    Returns:
        ``history.history["loss"]``.
    """
    ### BEGIN SOLUTION
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0)
    return [float(v) for v in history.history["loss"]]
    ### END SOLUTION
