"""Reference solution for A14, Advanced Training Techniques.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro): ``ResNet50(weights='imagenet')``
needs a download, so the "pretrained" base is a small MLP the grader pretrains on a source task and
hands over (as a SavedModel in Q1); a base with BatchNormalization must be called with
``training=False`` or unfreezing it puts BN back into training mode and destroys its statistics;
recompiling inside a callback during ``fit`` crashes in tf_keras 2.18 and flipping ``trainable``
without a new train function has no effect; ``Adam(lr=...)`` silently ignores ``lr``;
``apply_discriminative_lr`` only returns a dict: per-group learning rates need one optimizer per
group (scaling the gradients is a no-op for Adam); the multi-task loss sums unreduced per-example
vectors and its "adaptive weighting" callback is a stub; the curriculum compares raw difficulty
scores with a [0, 1] pacing value (use percentile ranks) and silently falls back to the whole data;
rotation data is built with a Python loop and masked modelling masks 15% of pixels with the loss on
every pixel; MoCo's ``register_buffer`` is PyTorch and ``with tf.stop_gradient():`` is not a
context manager; ``clone_model`` re-initialises weights instead of copying them.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

SEED = 0


def make_base(input_dim: int = 64, units=(64, 64, 32)) -> tf.keras.Sequential:
    """The architecture of the "pretrained" base: ``Dense -> BatchNormalization -> ReLU`` blocks.

    Layer names: ``dense_0, bn_0, relu_0, dense_1, bn_1, relu_1, dense_2, bn_2, relu_2``.
    """
    layers = [tf.keras.Input(shape=(input_dim,))]
    for i, u in enumerate(units):
        layers += [tf.keras.layers.Dense(int(u), name=f"dense_{i}"),
                   tf.keras.layers.BatchNormalization(name=f"bn_{i}"),
                   tf.keras.layers.Activation("relu", name=f"relu_{i}")]
    return tf.keras.Sequential(layers, name="base")


def make_encoder(input_shape=(8, 8, 1), code: int = 16) -> tf.keras.Sequential:
    """The self-supervised encoder: ``Flatten -> Dense(128, relu) -> Dense(code)`` (a 16-d code)."""
    return tf.keras.Sequential([
        tf.keras.Input(shape=input_shape),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(code),
    ], name="encoder")


def make_decoder(code: int = 16, output_shape=(8, 8, 1)) -> tf.keras.Sequential:
    """The reconstruction decoder: ``Dense(128, relu) -> Dense(H*W*C) -> Reshape``."""
    return tf.keras.Sequential([
        tf.keras.Input(shape=(code,)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(int(np.prod(output_shape))),
        tf.keras.layers.Reshape(output_shape),
    ], name="decoder")


# %% [q1]
def load_pretrained_base(path: str) -> tf.keras.Model:
    """Load the pretrained base saved as a SavedModel folder at ``path`` and freeze it (every layer)."""
    ### BEGIN SOLUTION
    base = tf.keras.models.load_model(path, compile=False)
    base.trainable = False
    return base
    ### END SOLUTION


def extract_features(base: tf.keras.Model, x) -> np.ndarray:
    """Features of ``x`` from the base in inference mode (BatchNormalization uses its moving statistics)."""
    ### BEGIN SOLUTION
    return np.asarray(base(tf.convert_to_tensor(x, tf.float32), training=False))
    ### END SOLUTION


def build_feature_extractor(base: tf.keras.Model, num_classes: int) -> tf.keras.Model:
    """Frozen ``base`` (called with ``training=False``) followed by a new ``Dense(num_classes)`` logits head."""
    ### BEGIN SOLUTION
    base.trainable = False
    inputs = tf.keras.Input(shape=base.input_shape[1:])
    features = base(inputs, training=False)
    outputs = tf.keras.layers.Dense(num_classes, name="head")(features)
    return tf.keras.Model(inputs, outputs)
    ### END SOLUTION


def train_feature_extractor(base: tf.keras.Model, x, y, num_classes: int, epochs: int = 40,
                            learning_rate: float = 1e-2, batch_size: int = 16) -> tf.keras.Model:
    """Build the feature extractor and train its head with Adam on sparse cross-entropy from logits."""
    ### BEGIN SOLUTION
    model = build_feature_extractor(base, num_classes)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=batch_size, verbose=0)
    return model
    ### END SOLUTION


# %% [q2]
def build_transfer_model(base: tf.keras.Model, num_classes: int) -> tf.keras.Model:
    """The transfer model: ``base(inputs, training=False)`` then a new ``Dense(num_classes)`` logits head.

    ``training=False`` keeps BatchNormalization in inference mode even after the base is unfrozen.
    The base starts frozen.
    """
    ### BEGIN SOLUTION
    base.trainable = False
    inputs = tf.keras.Input(shape=base.input_shape[1:])
    features = base(inputs, training=False)
    outputs = tf.keras.layers.Dense(num_classes, name="head")(features)
    return tf.keras.Model(inputs, outputs)
    ### END SOLUTION


def unfreeze_top(base: tf.keras.Model, n: int) -> None:
    """Make the top ``n`` weighted non-BatchNormalization layers of ``base`` trainable, everything else frozen.

    BatchNormalization layers always stay frozen. ``n = 0`` freezes the whole base.
    """
    ### BEGIN SOLUTION
    base.trainable = True
    for layer in base.layers:
        layer.trainable = False
    weighted = [layer for layer in base.layers
                if layer.weights and not isinstance(layer, tf.keras.layers.BatchNormalization)]
    for layer in weighted[len(weighted) - n:] if n > 0 else []:
        layer.trainable = True
    ### END SOLUTION


class DiscriminativeFineTuner:
    """One Adam optimizer for the head (``head_lr``) and one for the base (``base_lr``)."""

    def __init__(self, model: tf.keras.Model, base: tf.keras.Model, head_lr: float, base_lr: float):
        ### BEGIN SOLUTION
        self.model, self.base = model, base
        self.head_opt = tf.keras.optimizers.Adam(learning_rate=head_lr)
        self.base_opt = tf.keras.optimizers.Adam(learning_rate=base_lr)
        base_ids = {id(v) for v in base.weights}
        self.head_vars = [v for v in model.trainable_weights if id(v) not in base_ids]
        self.base_candidates = [v for v in base.weights if v.trainable]  # every variable that may be unfrozen
        self.head_opt.build(self.head_vars)
        self.base_opt.build(self.base_candidates)
        self.loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        ### END SOLUTION

    def train_step(self, x, y) -> tf.Tensor:
        """One step on the mean sparse cross-entropy; returns the loss. Only trainable variables move."""
        ### BEGIN SOLUTION
        base_ids = {id(v) for v in self.base.weights}
        trainable = self.model.trainable_weights
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self.model(x, training=True))
        grads = tape.gradient(loss, trainable)
        base_pairs = [(g, v) for g, v in zip(grads, trainable, strict=True) if id(v) in base_ids and g is not None]
        head_pairs = [(g, v) for g, v in zip(grads, trainable, strict=True) if id(v) not in base_ids and g is not None]
        if base_pairs:
            self.base_opt.apply_gradients(base_pairs)
        self.head_opt.apply_gradients(head_pairs)
        return loss
        ### END SOLUTION


def fine_tune(base: tf.keras.Model, x, y, num_classes: int, schedule=((20, 0), (15, 1), (15, 2)),
              head_lr: float = 1e-2, base_lr: float = 1e-3, batch_size: int = 32) -> tf.keras.Model:
    """Gradual unfreezing with discriminative learning rates; returns the transfer model.

    For each ``(epochs, n)`` stage: ``unfreeze_top(base, n)``, then that many epochs with a new
    ``DiscriminativeFineTuner`` (a fresh train function per stage).
    """
    ### BEGIN SOLUTION
    model = build_transfer_model(base, num_classes)
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    for epochs, n in schedule:
        unfreeze_top(base, n)
        tuner = DiscriminativeFineTuner(model, base, head_lr, base_lr)
        step = tf.function(tuner.train_step)  # a new train function per stage: it sees the new trainable flags
        data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=SEED).batch(batch_size)
        for _ in range(epochs):
            for xb, yb in data:
                step(xb, yb)
    return model
    ### END SOLUTION


# %% [q3]
TASKS = ("digit", "parity", "ink")


def build_multitask_model(input_dim: int = 64, trunk_units=(64, 32), num_classes: int = 10) -> tf.keras.Model:
    """Hard parameter sharing: a ReLU ``Dense`` trunk, then three heads on the trunk's output.

    Outputs a dict: ``"digit"`` (``num_classes`` logits), ``"parity"`` (1 logit), ``"ink"`` (1 value).
    ``model.get_weights()`` order: the trunk, then the heads by sorted output name (digit, ink, parity).
    """
    ### BEGIN SOLUTION
    inputs = tf.keras.Input(shape=(input_dim,))
    h = inputs
    for i, u in enumerate(trunk_units):
        h = tf.keras.layers.Dense(int(u), activation="relu", name=f"trunk_{i}")(h)
    outputs = {"digit": tf.keras.layers.Dense(num_classes, name="digit")(h),
               "parity": tf.keras.layers.Dense(1, name="parity")(h),
               "ink": tf.keras.layers.Dense(1, name="ink")(h)}
    return tf.keras.Model(inputs, outputs)
    ### END SOLUTION


def task_losses(y_true: dict, y_pred: dict) -> dict:
    """Per-task mean losses: sparse CE from logits (digit), binary CE from the logit (parity), MSE (ink).

    ``y_true["digit"]`` holds ints ``(B,)``, ``y_true["parity"]`` 0/1 ``(B,)``, ``y_true["ink"]`` floats ``(B,)``;
    predictions are ``(B, C)``, ``(B, 1)``, ``(B, 1)``. Returns ``{task: float32 scalar tensor}``.
    """
    ### BEGIN SOLUTION
    digit = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
        tf.cast(y_true["digit"], tf.int32), y_pred["digit"], from_logits=True))
    parity_true = tf.reshape(tf.cast(y_true["parity"], tf.float32), (-1, 1))
    parity = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(parity_true, tf.cast(y_pred["parity"], tf.float32)))
    ink_true = tf.reshape(tf.cast(y_true["ink"], tf.float32), (-1, 1))
    ink = tf.reduce_mean(tf.square(tf.cast(y_pred["ink"], tf.float32) - ink_true))
    return {"digit": digit, "parity": parity, "ink": ink}
    ### END SOLUTION


def weighted_total(losses: dict, weights: dict) -> tf.Tensor:
    """Static loss weighting: ``sum_i weights[i] * losses[i]`` over the tasks in ``losses``."""
    ### BEGIN SOLUTION
    return tf.add_n([tf.cast(weights[k], tf.float32) * losses[k] for k in losses])
    ### END SOLUTION


class UncertaintyWeighting(tf.keras.layers.Layer):
    """Learned homoscedastic-uncertainty weighting (Kendall et al. 2018): ``sum_i exp(-s_i) * L_i + s_i``.

    ``s_i = log(sigma_i**2)`` is one trainable scalar per task (``self.log_vars``, shape ``(num_tasks,)``,
    initialised to 0). ``call(losses)`` takes a list of ``num_tasks`` scalar losses.
    """

    def __init__(self, num_tasks: int = 3, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.num_tasks = int(num_tasks)
        self.log_vars = self.add_weight(name="log_vars", shape=(self.num_tasks,), initializer="zeros",
                                        trainable=True)
        ### END SOLUTION

    def call(self, losses):
        ### BEGIN SOLUTION
        stacked = tf.stack([tf.cast(loss, tf.float32) for loss in losses])
        return tf.reduce_sum(tf.exp(-self.log_vars) * stacked + self.log_vars)
        ### END SOLUTION


def per_task_gradients(model: tf.keras.Model, x, y_true: dict) -> dict:
    """Per-task gradients: ``{task: [gradient of its loss for each of model.trainable_variables]}``.

    ``None`` where a variable does not reach the task; one forward pass under a persistent tape.
    """
    ### BEGIN SOLUTION
    with tf.GradientTape(persistent=True) as tape:
        losses = task_losses(y_true, model(x, training=True))
    grads = {task: tape.gradient(losses[task], model.trainable_variables) for task in TASKS}
    del tape
    return grads
    ### END SOLUTION


def multitask_train_step(model: tf.keras.Model, weighting: UncertaintyWeighting, optimizer, x, y_true: dict):
    """One step on ``weighting([L_digit, L_parity, L_ink])``, updating the model and the ``log_vars`` together.

    Returns the total loss.
    """
    ### BEGIN SOLUTION
    variables = model.trainable_variables + weighting.trainable_variables
    with tf.GradientTape() as tape:
        losses = task_losses(y_true, model(x, training=True))
        total = weighting([losses[t] for t in TASKS])
    optimizer.apply_gradients(zip(tape.gradient(total, variables), variables, strict=True))
    return total
    ### END SOLUTION


# %% [q4]
def difficulty_scores(scoring_model: tf.keras.Model, x, y) -> np.ndarray:
    """Per-example difficulty: the scoring model's cross-entropy (logits, inference mode), float32 ``(N,)``."""
    ### BEGIN SOLUTION
    logits = scoring_model(tf.convert_to_tensor(x, tf.float32), training=False)
    return np.asarray(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True), np.float32)
    ### END SOLUTION


def pacing(t: int, total_steps: int, c0: float = 0.1, kind: str = "linear") -> float:
    """Fraction of the data (easiest first) available at step ``t`` of ``total_steps``; never above 1.

    - ``linear``: ``c0 + (1 - c0) * t / T``
    - ``root`` (Platanios et al. 2019): ``sqrt(t * (1 - c0**2) / T + c0**2)``
    - ``exp``: ``c0 * (1 / c0) ** (t / T)``
    - ``step``: ``c0`` for ``t < T/3``, ``(1 + c0) / 2`` for ``T/3 <= t < 2T/3``, then 1
    """
    ### BEGIN SOLUTION
    frac = t / total_steps
    if kind == "linear":
        value = c0 + (1.0 - c0) * frac
    elif kind == "root":
        value = np.sqrt(frac * (1.0 - c0 ** 2) + c0 ** 2)
    elif kind == "exp":
        value = c0 * (1.0 / c0) ** frac
    elif kind == "step":
        value = c0 if frac < 1 / 3 else (1.0 + c0) / 2 if frac < 2 / 3 else 1.0
    else:
        raise ValueError(f"unknown pacing kind {kind!r}")
    return float(min(1.0, value))
    ### END SOLUTION


def curriculum_batches(scores, total_steps: int, batch_size: int, kind: str = "linear", c0: float = 0.1,
                       anti: bool = False, seed: int = 0) -> np.ndarray:
    """Example indices for every step: an int ``(total_steps, batch_size)`` array.

    At step ``t`` the pool is the ``max(batch_size, ceil(pacing(t, T, c0, kind) * N))`` easiest examples by
    difficulty rank (the hardest with ``anti=True``); the batch is drawn from the pool uniformly without
    replacement (``np.random.default_rng(seed)``).
    """
    ### BEGIN SOLUTION
    scores = np.asarray(scores)
    n = len(scores)
    order = np.argsort(scores, kind="stable")
    if anti:
        order = order[::-1]
    rng = np.random.default_rng(seed)
    batches = np.empty((total_steps, batch_size), np.int64)
    for t in range(total_steps):
        size = max(batch_size, int(np.ceil(pacing(t, total_steps, c0, kind) * n)))
        batches[t] = order[rng.choice(min(size, n), batch_size, replace=False)]
    return batches
    ### END SOLUTION


def curriculum_dataset(x, y, scores, total_steps: int, batch_size: int, kind: str = "linear", c0: float = 0.1,
                       anti: bool = False, seed: int = 0) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)`` in the order of ``curriculum_batches``."""
    ### BEGIN SOLUTION
    idx = curriculum_batches(scores, total_steps, batch_size, kind, c0, anti, seed)
    x, y = np.asarray(x), np.asarray(y)
    return tf.data.Dataset.from_tensor_slices((x[idx], y[idx]))
    ### END SOLUTION


def self_paced_weights(losses, lam: float) -> tf.Tensor:
    """Hard self-paced learning: ``v_i = 1`` where ``loss_i < lam``, else 0 (float32)."""
    ### BEGIN SOLUTION
    losses = tf.convert_to_tensor(losses, tf.float32)
    return tf.cast(losses < lam, tf.float32)
    ### END SOLUTION


def self_paced_loss(losses, lam: float) -> tf.Tensor:
    """Mean loss over the selected examples (``v_i = 1``); the weights carry no gradient. 0 when none is selected."""
    ### BEGIN SOLUTION
    losses = tf.convert_to_tensor(losses, tf.float32)
    v = tf.stop_gradient(self_paced_weights(losses, lam))
    return tf.reduce_sum(v * losses) / tf.maximum(tf.reduce_sum(v), 1.0)
    ### END SOLUTION


# %% [q5]
def rotation_pretext(images) -> tuple:
    """Rotation prediction data, vectorised: ``(4N, H, W, C)`` images and int32 labels.

    Block ``k`` (rows ``k*N .. (k+1)*N``) holds every image turned ``k`` quarter-turns counter-clockwise
    (``tf.image.rot90(images, k)``), labelled ``k``.
    """
    ### BEGIN SOLUTION
    images = tf.convert_to_tensor(images, tf.float32)
    n = tf.shape(images)[0]
    rotated = tf.concat([tf.image.rot90(images, k) for k in range(4)], axis=0)
    labels = tf.repeat(tf.range(4, dtype=tf.int32), n)
    return rotated, labels
    ### END SOLUTION


def patch_mask(batch_size: int, image_hw=(8, 8), patch: int = 2, mask_ratio: float = 0.5, seed=(1, 2)) -> tf.Tensor:
    """MAE-style patch masking: float32 ``(batch, H, W, 1)``, 1 where masked.

    Exactly ``round(mask_ratio * num_patches)`` of the ``(H/patch) * (W/patch)`` patches are masked in each
    image, chosen with the stateless RNG from ``seed`` (same seed, same mask).
    """
    ### BEGIN SOLUTION
    gh, gw = image_hw[0] // patch, image_hw[1] // patch
    num = gh * gw
    k = int(round(mask_ratio * num))
    noise = tf.random.stateless_uniform((batch_size, num), seed=seed)
    ranks = tf.argsort(tf.argsort(noise, axis=1), axis=1)
    mask = tf.cast(ranks < k, tf.float32)
    mask = tf.reshape(mask, (batch_size, gh, gw, 1))
    mask = tf.repeat(tf.repeat(mask, patch, axis=1), patch, axis=2)
    return mask
    ### END SOLUTION


def masked_reconstruction_loss(x, x_hat, mask) -> tf.Tensor:
    """Mean squared error over the masked entries only (``mask == 1``)."""
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x, tf.float32)
    x_hat = tf.convert_to_tensor(x_hat, tf.float32)
    mask = tf.cast(mask, tf.float32)
    return tf.reduce_sum(mask * tf.square(x_hat - x)) / tf.maximum(tf.reduce_sum(mask), 1.0)
    ### END SOLUTION


def pretrain_masked(encoder: tf.keras.Model, decoder: tf.keras.Model, x_unlabeled, epochs: int = 20,
                    mask_ratio: float = 0.5, patch: int = 2, learning_rate: float = 3e-3,
                    batch_size: int = 64) -> tf.keras.Model:
    """Masked reconstruction pretext (MAE-style); returns the trained encoder (the same object).

    For each batch: ``mask = patch_mask(...)`` (a new seed per batch), ``x_hat = decoder(encoder(x * (1 - mask)))``
    and an Adam step on ``masked_reconstruction_loss(x, x_hat, mask)`` for encoder and decoder.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(np.asarray(x_unlabeled, np.float32))
    hw = tuple(int(d) for d in x.shape[1:3])
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    variables = encoder.trainable_variables + decoder.trainable_variables

    @tf.function
    def step(xb, seed):
        mask = patch_mask(batch_size, hw, patch, mask_ratio, seed=seed)
        with tf.GradientTape() as tape:
            x_hat = decoder(encoder(xb * (1.0 - mask), training=True), training=True)
            loss = masked_reconstruction_loss(xb, x_hat, mask)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    n = int(x.shape[0])
    for epoch in range(epochs):
        order = tf.random.shuffle(tf.range(n))
        for i, start in enumerate(range(0, n - batch_size + 1, batch_size)):
            xb = tf.gather(x, order[start:start + batch_size])
            step(xb, tf.constant([epoch, i], tf.int32))
    return encoder
    ### END SOLUTION


# %% [q6]
def nt_xent(z1, z2, temperature: float = 0.5) -> tf.Tensor:
    """SimCLR's NT-Xent loss over the ``2N`` anchors of two views ``(N, d)``, averaged.

    Cosine similarities divided by ``temperature``; each anchor's positive is its other view, the
    ``2N - 2`` others are negatives (the anchor itself is excluded).
    """
    ### BEGIN SOLUTION
    z = tf.math.l2_normalize(tf.concat([z1, z2], axis=0), axis=1)
    n = tf.shape(z1)[0]
    sim = tf.matmul(z, z, transpose_b=True) / temperature
    sim = sim - 1e9 * tf.eye(2 * n, dtype=sim.dtype)
    positives = tf.concat([tf.range(n, 2 * n), tf.range(0, n)], axis=0)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(positives, sim)
    return tf.reduce_mean(losses)
    ### END SOLUTION


def augment_pair(x, seed: int) -> tuple:
    """Two float32 views of each 1-D signal ``(N, L)``.

    Each view: a random circular shift (0..L-1, per row and view) plus Gaussian noise with standard
    deviation 0.2, all drawn from ``np.random.default_rng(seed)``.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, np.float32)
    rng = np.random.default_rng(seed)
    n, length = x.shape
    views = []
    for _ in range(2):
        shifts = rng.integers(0, length, size=n)
        cols = (np.arange(length)[None, :] - shifts[:, None]) % length
        view = x[np.arange(n)[:, None], cols] + rng.normal(0.0, 0.2, size=x.shape)
        views.append(view.astype(np.float32))
    return views[0], views[1]
    ### END SOLUTION


def simclr_step(encoder: tf.keras.Model, head: tf.keras.Model, optimizer, x1, x2, temperature: float = 0.2):
    """One SimCLR step on ``nt_xent(head(encoder(x1)), head(encoder(x2)))`` for encoder and head; returns the loss."""
    ### BEGIN SOLUTION
    variables = encoder.trainable_variables + head.trainable_variables
    with tf.GradientTape() as tape:
        loss = nt_xent(head(encoder(x1, training=True), training=True),
                       head(encoder(x2, training=True), training=True), temperature)
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
    return loss
    ### END SOLUTION


def train_simclr(encoder: tf.keras.Model, head: tf.keras.Model, x, epochs: int = 40, batch_size: int = 256,
                 temperature: float = 0.2, learning_rate: float = 1e-3, seed: int = 0) -> tf.keras.Model:
    """SimCLR on unlabeled signals ``x``; returns the trained encoder.

    Per epoch: shuffle, make fresh views with ``augment_pair``, and take a ``simclr_step`` (Adam) per batch.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, np.float32)
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    step = tf.function(lambda a, b: simclr_step(encoder, head, optimizer, a, b, temperature))
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        v1, v2 = augment_pair(x[order], seed * 1000 + epoch)
        for start in range(0, len(x) - batch_size + 1, batch_size):
            step(tf.constant(v1[start:start + batch_size]), tf.constant(v2[start:start + batch_size]))
    return encoder
    ### END SOLUTION
