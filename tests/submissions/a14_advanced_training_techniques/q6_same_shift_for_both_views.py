# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, make_base, make_encoder, make_decoder come from the setup cell)
# Both views share one circular shift per row (only the noise differs): the positives are nearly identical and
# the encoder never has to learn shift invariance.
# %% [q6]
def nt_xent(z1, z2, temperature: float = 0.5) -> tf.Tensor:
    """SimCLR's NT-Xent loss over the ``2N`` anchors of two views ``(N, d)``, averaged.

    Cosine similarities divided by ``temperature``; each anchor's positive is its other view, the
    ``2N - 2`` others are negatives (the anchor itself is excluded).
    """
    z = tf.math.l2_normalize(tf.concat([z1, z2], axis=0), axis=1)
    n = tf.shape(z1)[0]
    sim = tf.matmul(z, z, transpose_b=True) / temperature
    sim = sim - 1e9 * tf.eye(2 * n, dtype=sim.dtype)
    positives = tf.concat([tf.range(n, 2 * n), tf.range(0, n)], axis=0)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(positives, sim)
    return tf.reduce_mean(losses)


def augment_pair(x, seed: int) -> tuple:
    """Two float32 views of each 1-D signal ``(N, L)``.

    Each view: a random circular shift (0..L-1, per row and view) plus Gaussian noise with standard
    deviation 0.2, all drawn from ``np.random.default_rng(seed)``.
    """
    x = np.asarray(x, np.float32)
    rng = np.random.default_rng(seed)
    n, length = x.shape
    views = []
    shifts = rng.integers(0, length, size=n)
    for _ in range(2):
        cols = (np.arange(length)[None, :] - shifts[:, None]) % length
        view = x[np.arange(n)[:, None], cols] + rng.normal(0.0, 0.2, size=x.shape)
        views.append(view.astype(np.float32))
    return views[0], views[1]


def simclr_step(encoder: tf.keras.Model, head: tf.keras.Model, optimizer, x1, x2, temperature: float = 0.2):
    """One SimCLR step on ``nt_xent(head(encoder(x1)), head(encoder(x2)))`` for encoder and head; returns the loss."""
    variables = encoder.trainable_variables + head.trainable_variables
    with tf.GradientTape() as tape:
        loss = nt_xent(head(encoder(x1, training=True), training=True),
                       head(encoder(x2, training=True), training=True), temperature)
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
    return loss


def train_simclr(encoder: tf.keras.Model, head: tf.keras.Model, x, epochs: int = 40, batch_size: int = 256,
                 temperature: float = 0.2, learning_rate: float = 1e-3, seed: int = 0) -> tf.keras.Model:
    """SimCLR on unlabeled signals ``x``; returns the trained encoder.

    Per epoch: shuffle, make fresh views with ``augment_pair``, and take a ``simclr_step`` (Adam) per batch.
    """
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
