# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# Squared Euclidean distances in the triplet loss (the course text's form), not distances.
# %% [q4]
def batch_hard_triplet_loss(labels, embeddings, margin: float = 0.2):
    """Batch-hard triplet loss with Euclidean distances.

    For each anchor: its farthest positive (same label, not itself) and its closest negative. The loss is the mean
    of ``max(d_ap - d_an + margin, 0)`` over anchors that have at least one positive and one negative (0.0 if none
    has). Distances must have finite gradients when two embeddings coincide.
    """
    e = tf.convert_to_tensor(embeddings, tf.float32)
    labels = tf.reshape(tf.convert_to_tensor(labels), [-1])
    sq = tf.reduce_sum(tf.square(e), 1)
    d2 = tf.maximum(sq[:, None] - 2.0 * tf.matmul(e, e, transpose_b=True) + sq[None, :], 0.0)
    dist = d2
    same = tf.equal(labels[:, None], labels[None, :])
    eye = tf.eye(tf.shape(e)[0], dtype=tf.bool)
    pos = same & ~eye
    neg = ~same
    hardest_pos = tf.reduce_max(tf.where(pos, dist, tf.zeros_like(dist)), axis=1)
    big = tf.reduce_max(dist) + 1.0
    hardest_neg = tf.reduce_min(tf.where(neg, dist, tf.fill(tf.shape(dist), big)), axis=1)
    valid = tf.cast(tf.reduce_any(pos, 1) & tf.reduce_any(neg, 1), tf.float32)
    losses = tf.maximum(hardest_pos - hardest_neg + margin, 0.0) * valid
    return tf.math.divide_no_nan(tf.reduce_sum(losses), tf.reduce_sum(valid))


class ArcMarginHead(tf.keras.layers.Layer):
    """ArcFace head: owns a ``kernel [dim, num_classes]``; ``call(embeddings, labels=None)`` returns logits.

    ``cos`` is the cosine between the L2-normalised embedding and the L2-normalised class column. Without labels
    the logits are ``s * cos``. With labels, the target logit uses ``phi = cos(theta + m)`` computed as
    ``cos * cos(m) - sin * sin(m)``; where ``theta + m`` would pass ``pi`` (``cos <= cos(pi - m)``) use
    ``cos - sin(pi - m) * m`` instead; with ``easy_margin`` use ``phi`` only where ``cos > 0`` and ``cos`` elsewhere.
    """

    def __init__(self, num_classes, s=30.0, m=0.5, easy_margin=False, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.s, self.m, self.easy_margin = num_classes, s, m, easy_margin

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(int(input_shape[-1]), self.num_classes),
                                      initializer="glorot_uniform", trainable=True)
        super().build(input_shape)

    def call(self, embeddings, labels=None):
        cos = tf.matmul(tf.math.l2_normalize(embeddings, axis=1), tf.math.l2_normalize(self.kernel, axis=0))
        if labels is None:
            return self.s * cos
        sin = tf.sqrt(tf.clip_by_value(1.0 - tf.square(cos), 0.0, 1.0))
        phi = cos * math.cos(self.m) - sin * math.sin(self.m)
        if self.easy_margin:
            phi = tf.where(cos > 0.0, phi, cos)
        else:
            phi = tf.where(cos > math.cos(math.pi - self.m), phi, cos - math.sin(math.pi - self.m) * self.m)
        onehot = tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), self.num_classes)
        return self.s * (onehot * phi + (1.0 - onehot) * cos)


def tar_at_far(genuine, impostor, far: float = 1e-2) -> float:
    """True-accept rate at a false-accept rate.

    The threshold is the ``(floor(far * n) + 1)``-th highest impostor score (``n`` impostors); a pair is accepted
    when its score is strictly greater. Returns a Python float.
    """
    impostor = np.sort(np.asarray(impostor, np.float64))[::-1]
    k = int(math.floor(far * len(impostor)))
    threshold = impostor[min(k, len(impostor) - 1)]
    return float(np.mean(np.asarray(genuine, np.float64) > threshold))


def train_embedder(images, labels, steps: int = 300, dim: int = 32):
    """Train an embedder (ending in ``UnitNormalization``) with ``batch_hard_triplet_loss``.

    Batches of 8 identities x 4 images; return the model (images -> unit-norm embeddings).
    """
    images = np.asarray(images, np.float32)
    labels = np.asarray(labels)
    layers = tf.keras.layers
    model = tf.keras.Sequential([
        tf.keras.Input(shape=images.shape[1:]),
        layers.Flatten(),
        layers.Dense(128, activation=tf.nn.leaky_relu),
        layers.Dense(dim),
        layers.UnitNormalization(),
    ])
    optimizer = tf.keras.optimizers.Adam(1e-3)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = batch_hard_triplet_loss(y, model(x, training=True), 0.2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    rng = np.random.default_rng(0)
    ids = np.unique(labels)
    by_id = {i: np.flatnonzero(labels == i) for i in ids}
    for _ in range(steps):
        chosen = rng.choice(ids, 8, replace=False)
        rows = np.concatenate([rng.choice(by_id[i], 4, replace=len(by_id[i]) < 4) for i in chosen])
        step(images[rows], labels[rows])
    return model
