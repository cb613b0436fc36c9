# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# No augmentation at all: the model passes every value check, but the question asks for augmentation layers that
# are active only in training.
# %% [q1]
def _beta(n, alpha, seed):
    """``n`` draws of Beta(alpha, alpha) from two stateless Gamma draws."""
    g1 = tf.random.stateless_gamma([n], seed=[seed, 0], alpha=alpha)
    g2 = tf.random.stateless_gamma([n], seed=[seed, 1], alpha=alpha)
    return g1 / (g1 + g2)


def _partners(n, seed):
    """A random permutation of ``range(n)``: the partner of each sample."""
    return tf.argsort(tf.random.stateless_uniform([n], seed=[seed, 2]))


def mixup(images, labels_onehot, alpha: float, seed: int):
    """MixUp with one mixing weight per sample.

    Draw ``lam[i] ~ Beta(alpha, alpha)`` for every sample and a random permutation ``p`` of the batch (from
    ``seed``), then return ``lam[i] * images[i] + (1 - lam[i]) * images[p[i]]`` and the same mix of the one-hot
    labels, both float32.
    """
    x = tf.convert_to_tensor(images, tf.float32)
    y = tf.convert_to_tensor(labels_onehot, tf.float32)
    n = tf.shape(x)[0]
    lam = _beta(n, alpha, seed)
    perm = _partners(n, seed)
    lam_x = tf.reshape(lam, [-1] + [1] * (len(x.shape) - 1))
    mixed_x = lam_x * x + (1.0 - lam_x) * tf.gather(x, perm)
    mixed_y = lam[:, None] * y + (1.0 - lam[:, None]) * tf.gather(y, perm)
    return mixed_x, mixed_y


def cutmix(images, labels_onehot, alpha: float, seed: int):
    """CutMix with one box per sample; the label weight is the exact fraction of pixels kept.

    For each sample draw ``lam ~ Beta(alpha, alpha)``, a partner ``p[i]``, a box of side ``sqrt(1 - lam)`` times the
    image's side centred at a uniform random pixel and clipped at the borders; paste the partner's pixels inside the
    box. The label is ``k * y[i] + (1 - k) * y[p[i]]`` where ``k`` is the fraction of the image's pixels that were
    NOT replaced (after clipping).
    """
    x = tf.convert_to_tensor(images, tf.float32)
    y = tf.convert_to_tensor(labels_onehot, tf.float32)
    n, h, w = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    lam = _beta(n, alpha, seed)
    perm = _partners(n, seed)
    ratio = tf.sqrt(1.0 - lam)
    cut_h = tf.cast(ratio * tf.cast(h, tf.float32), tf.int32)
    cut_w = tf.cast(ratio * tf.cast(w, tf.float32), tf.int32)
    cy = tf.random.stateless_uniform([n], seed=[seed, 3], maxval=h, dtype=tf.int32)
    cx = tf.random.stateless_uniform([n], seed=[seed, 4], maxval=w, dtype=tf.int32)
    y1, y2 = tf.clip_by_value(cy - cut_h // 2, 0, h), tf.clip_by_value(cy + cut_h // 2, 0, h)
    x1, x2 = tf.clip_by_value(cx - cut_w // 2, 0, w), tf.clip_by_value(cx + cut_w // 2, 0, w)
    rows, cols = tf.range(h)[None, :], tf.range(w)[None, :]
    in_rows = (rows >= y1[:, None]) & (rows < y2[:, None])
    in_cols = (cols >= x1[:, None]) & (cols < x2[:, None])
    box = tf.cast(in_rows[:, :, None] & in_cols[:, None, :], tf.float32)
    mixed_x = x * (1.0 - box[..., None]) + tf.gather(x, perm) * box[..., None]
    keep = 1.0 - tf.reduce_sum(box, axis=[1, 2]) / tf.cast(h * w, tf.float32)
    mixed_y = keep[:, None] * y + (1.0 - keep[:, None]) * tf.gather(y, perm)
    return mixed_x, mixed_y


def top_k_accuracy(labels, logits, k: int = 5):
    """Share of rows whose true class is among the ``k`` highest scores, as a float32 scalar tensor.

    A row counts as a hit when fewer than ``k`` classes score strictly higher than its true class.
    """
    logits = tf.convert_to_tensor(logits, tf.float32)
    labels = tf.cast(tf.convert_to_tensor(labels), tf.int32)
    true_score = tf.gather(logits, labels, batch_dims=1)
    higher = tf.reduce_sum(tf.cast(logits > true_score[:, None], tf.int32), axis=1)
    return tf.reduce_mean(tf.cast(higher < k, tf.float32))


def build_classifier(input_shape, num_classes: int):
    """A small compiled CNN classifier with augmentation that is active only in training.

    Augmentation (``RandomFlip("horizontal")``, ``RandomContrast(0.1)``), then two Conv-BatchNorm-MaxPool blocks,
    global average pooling, ``Dropout`` and a softmax ``Dense``. Compile with Adam, categorical cross-entropy and
    the metrics ``"accuracy"`` and ``TopKCategoricalAccuracy(k=5, name="top_5_accuracy")``.
    """
    layers = tf.keras.layers
    model = tf.keras.Sequential([
        tf.keras.Input(shape=input_shape),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.GlobalAveragePooling2D(),
        layers.Dropout(0.3),
        layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy", tf.keras.metrics.TopKCategoricalAccuracy(k=5, name="top_5_accuracy")])
    return model
