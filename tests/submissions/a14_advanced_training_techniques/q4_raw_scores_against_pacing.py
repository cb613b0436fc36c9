# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, make_base, make_encoder, make_decoder come from the setup cell)
# The course's curriculum: raw difficulty scores compared with the pacing value in [0, 1], and the whole data
# set when too few examples pass.
# %% [q4]
def difficulty_scores(scoring_model: tf.keras.Model, x, y) -> np.ndarray:
    """Per-example difficulty: the scoring model's cross-entropy (logits, inference mode), float32 ``(N,)``."""
    logits = scoring_model(tf.convert_to_tensor(x, tf.float32), training=False)
    return np.asarray(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True), np.float32)


def pacing(t: int, total_steps: int, c0: float = 0.1, kind: str = "linear") -> float:
    """Fraction of the data (easiest first) available at step ``t`` of ``total_steps``; never above 1.

    - ``linear``: ``c0 + (1 - c0) * t / T``
    - ``root`` (Platanios et al. 2019): ``sqrt(t * (1 - c0**2) / T + c0**2)``
    - ``exp``: ``c0 * (1 / c0) ** (t / T)``
    - ``step``: ``c0`` for ``t < T/3``, ``(1 + c0) / 2`` for ``T/3 <= t < 2T/3``, then 1
    """
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


def curriculum_batches(scores, total_steps: int, batch_size: int, kind: str = "linear", c0: float = 0.1,
                       anti: bool = False, seed: int = 0) -> np.ndarray:
    """Example indices for every step: an int ``(total_steps, batch_size)`` array.

    At step ``t`` the pool is the ``max(batch_size, ceil(pacing(t, T, c0, kind) * N))`` easiest examples by
    difficulty rank (the hardest with ``anti=True``); the batch is drawn from the pool uniformly without
    replacement (``np.random.default_rng(seed)``).
    """
    scores = np.asarray(scores)
    n = len(scores)
    rng = np.random.default_rng(seed)
    batches = np.empty((total_steps, batch_size), np.int64)
    for t in range(total_steps):
        allowed = np.flatnonzero(scores <= pacing(t, total_steps, c0, kind))
        if len(allowed) < batch_size:
            allowed = np.arange(n)
        batches[t] = rng.choice(allowed, batch_size, replace=False)
    return batches


def curriculum_dataset(x, y, scores, total_steps: int, batch_size: int, kind: str = "linear", c0: float = 0.1,
                       anti: bool = False, seed: int = 0) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)`` in the order of ``curriculum_batches``."""
    idx = curriculum_batches(scores, total_steps, batch_size, kind, c0, anti, seed)
    x, y = np.asarray(x), np.asarray(y)
    return tf.data.Dataset.from_tensor_slices((x[idx], y[idx]))


def self_paced_weights(losses, lam: float) -> tf.Tensor:
    """Hard self-paced learning: ``v_i = 1`` where ``loss_i < lam``, else 0 (float32)."""
    losses = tf.convert_to_tensor(losses, tf.float32)
    return tf.cast(losses < lam, tf.float32)


def self_paced_loss(losses, lam: float) -> tf.Tensor:
    """Mean loss over the selected examples (``v_i = 1``); the weights carry no gradient. 0 when none is selected."""
    losses = tf.convert_to_tensor(losses, tf.float32)
    v = tf.stop_gradient(self_paced_weights(losses, lam))
    return tf.reduce_sum(v * losses) / tf.maximum(tf.reduce_sum(v), 1.0)
