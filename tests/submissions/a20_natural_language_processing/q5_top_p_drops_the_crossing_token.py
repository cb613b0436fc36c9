# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, np, collections, math, re, string, NEG_INF come from the setup cell)
# Nucleus filter that keeps only tokens whose cumulative probability stays below p.
# %% [q5]
def filter_logits(logits, temperature: float = 1.0, top_k=None, top_p=None) -> tf.Tensor:
    """The sampling distribution as normalised log-probabilities ``[B, V]`` (``-inf`` where removed).

    In this order: divide the logits by ``temperature``; if ``top_k``, keep the ``k`` largest (ties:
    lower index first); if ``top_p``, on the distribution renormalised over what is kept, sort tokens by
    probability descending (stable: lower index first on ties) and keep the shortest prefix whose
    cumulative probability is >= ``top_p`` (always at least one token); renormalise (log-softmax).
    """
    logits = tf.convert_to_tensor(logits, tf.float32) / temperature
    vocab = logits.shape[-1]
    if top_k is not None and top_k < vocab:
        order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
        ranks = tf.argsort(order, axis=-1, stable=True)
        logits = tf.where(ranks < top_k, logits, -np.inf)
    if top_p is not None:
        probs = tf.nn.softmax(logits, axis=-1)
        order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
        sorted_probs = tf.gather(probs, order, batch_dims=1)
        before = tf.cumsum(sorted_probs, axis=-1)
        keep_sorted = before < top_p
        ranks = tf.argsort(order, axis=-1, stable=True)
        keep = tf.gather(keep_sorted, ranks, batch_dims=1)
        logits = tf.where(keep, logits, -np.inf)
    return tf.nn.log_softmax(logits, axis=-1)


def sample_next(logits, temperature: float = 1.0, top_k=None, top_p=None, seed: int = 0) -> tf.Tensor:
    """One token id per row ``[B]`` (int32) drawn from ``filter_logits(...)``, reproducibly from ``seed``."""
    log_probs = filter_logits(logits, temperature, top_k, top_p)
    draws = tf.random.stateless_categorical(log_probs, 1, seed=[seed, 0], dtype=tf.int32)
    return draws[:, 0]


def sequence_perplexity(log_probs, targets, pad_id: int = 0) -> float:
    """Perplexity over non-pad targets.

    ``exp`` of the mean negative log-likelihood of ``targets`` ``[B, T]`` under ``log_probs``
    ``[B, T, V]``, over the positions whose target is not ``pad_id``.
    """
    log_probs = tf.convert_to_tensor(log_probs, tf.float64)
    targets = tf.cast(targets, tf.int32)
    picked = tf.gather(log_probs, targets, batch_dims=2)
    mask = tf.cast(targets != pad_id, tf.float64)
    return float(tf.exp(-tf.reduce_sum(picked * mask) / tf.reduce_sum(mask)))


def train_char_lm(ids, vocab_size: int, order: int = 2, epochs: int = 6) -> tf.keras.Model:
    """Train a next-character language model.

    Train a next-character model on the id sequence ``ids``: inputs are windows of the previous
    ``order`` ids ``[N, order]`` (int), the output is ``[N, vocab_size]`` probabilities (softmax).
    """
    ids = np.asarray(ids, np.int32)
    windows = np.stack([ids[i:len(ids) - order + i] for i in range(order)], axis=1)
    targets = ids[order:]
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(order,), dtype=tf.int32),
        tf.keras.layers.Embedding(vocab_size, 16),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(windows, targets, batch_size=128, epochs=epochs, verbose=0)
    return model
