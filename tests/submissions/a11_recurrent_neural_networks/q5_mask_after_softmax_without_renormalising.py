# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PAD, START, END, _as_float come from the reference setup cell)
# Masked positions zeroed after the softmax, so the weights over the real positions no longer sum to 1.
# %% [q5]
def _masked_softmax(scores, mask):
    """Softmax over the last axis; masked positions (mask False) get exactly zero weight."""
    if mask is None:
        return tf.nn.softmax(scores, axis=-1)
    return tf.nn.softmax(scores, axis=-1) * tf.cast(mask, scores.dtype)


def bahdanau_attention(query, values, w1, w2, v, mask=None):
    """Additive (Bahdanau) attention of one decoder state over the encoder outputs.

    ``score[b, t] = v . tanh(query[b] @ w1 + values[b, t] @ w2)``; ``weights = softmax over t`` of the scores at
    real positions (``mask [B, T]`` bool, True = real; a masked position gets weight exactly 0); ``context[b] =
    sum_t weights[b, t] * values[b, t]``.

    Shapes: query ``[B, H]``; values ``[B, T, Hv]``; w1 ``[H, U]``; w2 ``[Hv, U]``; v ``[U]``; mask ``[B, T]``.

    Returns:
        ``(context [B, Hv], weights [B, T])``, float32 (the weights may come as NumPy float64 arrays).
    """
    query, values = _as_float(query), _as_float(values)
    w1, w2, v = _as_float(w1), _as_float(w2), _as_float(v)
    hidden = tf.tanh(tf.matmul(query, w1)[:, None, :] + tf.einsum("bth,hu->btu", values, w2))
    scores = tf.einsum("btu,u->bt", hidden, v)
    weights = _masked_softmax(scores, mask)
    context = tf.einsum("bt,bth->bh", weights, values)
    return context, weights


def luong_attention(query, values, w=None, mask=None):
    """Multiplicative (Luong) attention: ``"dot"`` when ``w`` is None, ``"general"`` otherwise.

    ``score[b, t] = query[b] . values[b, t]`` (dot) or ``query[b] @ w @ values[b, t]`` (general, ``w [H, Hv]``).
    The course's version multiplies a rank-2 query by rank-3 values and fails: give the query a time axis of
    length 1. Weights and context as in ``bahdanau_attention`` (with the mask).

    Returns:
        ``(context [B, Hv], weights [B, T])``, float32 (``w`` may come as a NumPy float64 array; ``B`` may be 1).
    """
    query, values = _as_float(query), _as_float(values)
    keys = values if w is None else tf.einsum("btv,hv->bth", values, _as_float(w))
    scores = tf.squeeze(tf.matmul(query[:, None, :], keys, transpose_b=True), axis=1)
    weights = _masked_softmax(scores, mask)
    context = tf.squeeze(tf.matmul(weights[:, None, :], values), axis=1)
    return context, weights
