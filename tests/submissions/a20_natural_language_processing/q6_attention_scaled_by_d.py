# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, np, collections, math, re, string, NEG_INF come from the setup cell)
# Scores divided by d_k instead of sqrt(d_k).
# %% [q6]
def scaled_dot_product_attention(q, k, v, mask=None) -> tuple:
    """Scaled dot-product attention.

    ``softmax(q k^T / sqrt(d_k)) v`` over the last two axes; ``mask`` (broadcastable to
    ``[..., Tq, Tk]``, true/1 = may attend) gives masked keys exactly 0 weight. Returns ``(output, weights)``.
    """
    q = tf.convert_to_tensor(q)
    scores = tf.matmul(q, k, transpose_b=True) / tf.cast(tf.shape(k)[-1], q.dtype)
    if mask is not None:
        keep = tf.cast(mask, tf.bool)
        scores = tf.where(keep, scores, tf.constant(NEG_INF, q.dtype))
        weights = tf.nn.softmax(scores, axis=-1) * tf.cast(keep, q.dtype)
    else:
        weights = tf.nn.softmax(scores, axis=-1)
    return tf.matmul(weights, v), weights


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads: int, mask=None) -> tf.Tensor:
    """Multi-head attention from explicit weight matrices.

    Multi-head attention: project ``x_q [B, Tq, D]`` with ``wq [D, D]``, ``x_kv [B, Tk, D]`` with
    ``wk``/``wv``, split the last axis into ``num_heads`` heads of ``D / num_heads`` (head h takes columns
    ``h*dh:(h+1)*dh``), run ``scaled_dot_product_attention`` per head (``mask [B, Tq, Tk]``), concatenate
    the heads in order and project with ``wo [D, D]``. No biases.
    """
    def split(x):
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        return tf.transpose(tf.reshape(x, [b, t, num_heads, -1]), [0, 2, 1, 3])

    q, k, v = split(tf.matmul(x_q, wq)), split(tf.matmul(x_kv, wk)), split(tf.matmul(x_kv, wv))
    heads, _ = scaled_dot_product_attention(q, k, v, None if mask is None else tf.cast(mask, tf.bool)[:, None])
    b, t = tf.shape(x_q)[0], tf.shape(x_q)[1]
    concat = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [b, t, -1])
    return tf.matmul(concat, wo)


def sinusoidal_positional_encoding(length: int, d_model: int) -> tf.Tensor:
    """Vaswani et al.'s sinusoidal positional encoding, float32 ``[length, d_model]``.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))``, ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``.
    """
    pos = np.arange(length)[:, None]
    i = np.arange(d_model)[None, :]
    angles = pos / np.power(10000.0, (2 * (i // 2)) / d_model)
    pe = np.where(i % 2 == 0, np.sin(angles), np.cos(angles))
    return tf.constant(pe, tf.float32)


def mask_tokens(ids, special_ids, vocab_size: int, mask_id: int, rate: float = 0.15, seed: int = 0) -> tuple:
    """BERT's masked-LM corruption: ``(inputs, labels, weights)``, each ``[B, T]``.

    Every non-special token is selected independently with probability ``rate`` (special ids never).
    A selected token becomes ``mask_id`` with probability 0.8, a uniformly random id in
    ``[0, vocab_size)`` with 0.1, and stays unchanged with 0.1. ``labels`` are the original ids,
    ``weights`` 1.0 where selected and 0.0 elsewhere. Use ``tf.random.stateless_*`` ops seeded from ``seed``.
    """
    ids = tf.convert_to_tensor(ids, tf.int32)
    special = tf.reduce_any(ids[..., None] == tf.constant(list(special_ids), tf.int32), axis=-1)
    shape = tf.shape(ids)
    selected = (tf.random.stateless_uniform(shape, [seed, 1]) < rate) & ~special
    action = tf.random.stateless_uniform(shape, [seed, 2])
    random_ids = tf.random.stateless_uniform(shape, [seed, 3], 0, vocab_size, dtype=tf.int32)
    inputs = tf.where(selected & (action < 0.8), mask_id, ids)
    inputs = tf.where(selected & (action >= 0.8) & (action < 0.9), random_ids, inputs)
    return inputs, ids, tf.cast(selected, tf.float32)


def mlm_loss(logits, labels, weights) -> tf.Tensor:
    """The masked-LM loss.

    Masked-LM loss: the ``weights``-weighted mean of the softmax cross-entropy of ``labels`` under ``logits``
    ``[B, T, V]`` (only selected positions count).
    """
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32), logits)
    weights = tf.cast(weights, ce.dtype)
    return tf.reduce_sum(ce * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)
