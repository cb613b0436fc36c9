# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PAD, START, END, _as_float come from the reference setup cell)
# The course's convention: the mask marks positions to hide (1 = masked) instead of Keras's True = may attend.
# %% [q6]
def scaled_dot_product_attention(q, k, v, mask=None):
    """``softmax(q k^T / sqrt(d_k)) v`` over the last two axes (any leading batch/head axes).

    ``mask`` broadcasts to ``[..., Tq, Tk]``; **True (or 1) = may attend**, the Keras convention (the course's
    "1 = masked, add -1e9" is the opposite). A masked key gets weight exactly 0.

    Returns:
        ``(output [..., Tq, dv], weights [..., Tq, Tk])``.
    """
    q, k, v = _as_float(q), _as_float(k), _as_float(v)
    scale = tf.math.rsqrt(tf.cast(tf.shape(k)[-1], tf.float32))
    scores = tf.matmul(q, k, transpose_b=True) * scale
    if mask is not None:
        scores += tf.cast(mask, tf.float32) * -1e9
    weights = tf.nn.softmax(scores, axis=-1)
    return tf.matmul(weights, v), weights


def multi_head_attention(query, value, weights, num_heads: int, key=None, attention_mask=None):
    """``tf.keras.layers.MultiHeadAttention(num_heads, key_dim)`` by hand, from its eight weights.

    The weights in Keras's order: ``[query_kernel (D, h, k), query_bias (h, k), key_kernel (D, h, k), key_bias (h, k),
    value_kernel (D, h, k), value_bias (h, k), output_kernel (h, k, D), output_bias (D)]``.

    ``key`` defaults to ``value``; ``attention_mask`` ``[B, Tq, Tk]`` bool, True = may attend.

    Returns:
        ``(output [B, Tq, D], scores [B, h, Tq, Tk])`` (the attention weights per head).
    """
    query, value = _as_float(query), _as_float(value)
    key = value if key is None else _as_float(key)
    wq, bq, wk, bk, wv, bv, wo, bo = [_as_float(w) for w in weights]
    q = tf.einsum("btd,dhk->bhtk", query, wq) + bq[None, :, None, :]
    k = tf.einsum("btd,dhk->bhtk", key, wk) + bk[None, :, None, :]
    v = tf.einsum("btd,dhk->bhtk", value, wv) + bv[None, :, None, :]
    mask = None if attention_mask is None else tf.cast(attention_mask, tf.bool)[:, None]
    out, scores = scaled_dot_product_attention(q, k, v, mask)
    return tf.einsum("bhtk,hkd->btd", out, wo) + bo, scores


def positional_encoding(length: int, depth: int):
    """Sinusoidal positions ``[length, depth]`` float32, sin and cos interleaved.

    ``PE[p, 2i] = sin(p / 10000^(2i/depth))`` and ``PE[p, 2i+1] = cos(p / 10000^(2i/depth))`` (``depth`` even).
    """
    pos = np.arange(length)[:, None].astype(np.float64)
    i = np.arange(depth // 2)[None, :].astype(np.float64)
    angle = pos / np.power(10000.0, 2.0 * i / depth)
    pe = np.zeros([length, depth])
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return tf.constant(pe, dtype=tf.float32)


def causal_mask(length: int):
    """``[length, length]`` bool: position ``i`` may attend to ``j`` iff ``j <= i`` (True = may attend)."""
    return tf.constant(np.tril(np.ones([length, length], dtype=bool)))


def build_causal_transformer(vocab_size: int, max_len: int, d_model: int = 32, num_heads: int = 2,
                             dff: int = 64, num_layers: int = 1):
    """A decoder-only Transformer tagger: token ids ``[B, T]`` (``T <= max_len``) -> logits ``[B, T, vocab_size]``.

    Embedding scaled by ``sqrt(d_model)`` plus ``positional_encoding``; ``num_layers`` pre-norm blocks
    (``x + MHA(LN(x))`` with a **causal** mask, then ``x + FFN(LN(x))``, FFN = Dense(dff, relu) -> Dense(d_model));
    a final LayerNormalization and Dense(vocab_size). You may use ``tf.keras.layers.MultiHeadAttention`` here.
    The output at position ``t`` must not depend on tokens after ``t``.
    """
    tokens = tf.keras.Input(shape=(None,), dtype=tf.int32)
    x = tf.keras.layers.Embedding(vocab_size, d_model)(tokens)
    pe = positional_encoding(max_len, d_model)
    x = tf.keras.layers.Lambda(
        lambda t: t * np.sqrt(d_model).astype(np.float32) + pe[None, :tf.shape(t)[1]])(x)
    for _ in range(num_layers):
        y = tf.keras.layers.LayerNormalization()(x)
        y = tf.keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)(y, y, use_causal_mask=True)
        x = x + y
        y = tf.keras.layers.LayerNormalization()(x)
        y = tf.keras.layers.Dense(dff, activation="relu")(y)
        x = x + tf.keras.layers.Dense(d_model)(y)
    x = tf.keras.layers.LayerNormalization()(x)
    return tf.keras.Model(tokens, tf.keras.layers.Dense(vocab_size)(x))
