# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PAD, START, END, _as_float come from the reference setup cell)
# LSTM gates read in the order [i, f, o, c] (a common textbook order, not Keras's).
# %% [q2]
def lstm(x, kernel, recurrent_kernel, bias, mask=None, initial_state=None):
    """An LSTM as ``tf.keras.layers.LSTM(units)`` computes it, from its three weights.

    Keras's layout: ``kernel [features, 4u]``, ``recurrent_kernel [u, 4u]``, ``bias [4u]``, the four blocks of
    columns in the gate order **input, forget, candidate, output**:
    ``z = x_t @ kernel + h @ recurrent_kernel + bias``; ``i, f, g, o = split(z, 4)``;
    ``c_t = sigmoid(f) * c + sigmoid(i) * tanh(g)``; ``h_t = sigmoid(o) * tanh(c_t)``.
    Masked steps (``mask`` ``[B, T]``, True = real) carry ``h``, ``c`` and the output over, as in Q1.
    ``initial_state`` is ``None`` (zeros) or ``[h0, c0]``.

    Returns:
        ``(outputs [B, T, u], h [B, u], c [B, u])``.
    """
    x = _as_float(x)
    kernel, recurrent_kernel, bias = _as_float(kernel), _as_float(recurrent_kernel), _as_float(bias)
    batch, steps = tf.shape(x)[0], tf.shape(x)[1]
    units = tf.shape(recurrent_kernel)[0]
    if initial_state is None:
        h, c = tf.zeros([batch, units]), tf.zeros([batch, units])
    else:
        h, c = _as_float(initial_state[0]), _as_float(initial_state[1])
    out_prev = tf.zeros([batch, units])
    mask = tf.ones([batch, steps], dtype=tf.bool) if mask is None else tf.cast(mask, tf.bool)
    inputs = tf.einsum("btf,fu->btu", x, kernel) + bias
    outputs = tf.TensorArray(tf.float32, size=steps)
    for t in tf.range(steps):
        z = inputs[:, t] + tf.matmul(h, recurrent_kernel)
        i, f, o, g = tf.split(z, 4, axis=-1)
        c_new = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h_new = tf.sigmoid(o) * tf.tanh(c_new)
        keep = mask[:, t][:, None]
        h, c = tf.where(keep, h_new, h), tf.where(keep, c_new, c)
        out_prev = tf.where(keep, h_new, out_prev)
        outputs = outputs.write(t, out_prev)
    return tf.transpose(outputs.stack(), [1, 0, 2]), h, c


def gru(x, kernel, recurrent_kernel, bias, mask=None, initial_state=None, reset_after=True):
    """A GRU as ``tf.keras.layers.GRU(units, reset_after=reset_after)`` computes it.

    Keras's layout: ``kernel [features, 3u]``, ``recurrent_kernel [u, 3u]``, gate order **update z, reset r,
    candidate**. With ``reset_after=True`` (the Keras 2 default) ``bias`` is ``[2, 3u]`` (input bias, recurrent
    bias) and the reset gate multiplies the recurrent term *after* the matmul:
    ``hh = tanh(x W_h + b_h + r * (h R_h + rb_h))``. With ``reset_after=False`` ``bias`` is ``[3u]`` and
    ``hh = tanh(x W_h + b_h + (r * h) R_h)``. Then ``h_t = z * h + (1 - z) * hh``. Masking as in Q1;
    ``initial_state`` is ``None`` or ``h0``.

    Returns:
        ``(outputs [B, T, u], h [B, u])``.
    """
    x = _as_float(x)
    kernel, recurrent_kernel, bias = _as_float(kernel), _as_float(recurrent_kernel), _as_float(bias)
    batch, steps = tf.shape(x)[0], tf.shape(x)[1]
    units = tf.shape(recurrent_kernel)[0]
    h = tf.zeros([batch, units]) if initial_state is None else _as_float(initial_state)
    out_prev = tf.zeros([batch, units])
    mask = tf.ones([batch, steps], dtype=tf.bool) if mask is None else tf.cast(mask, tf.bool)
    if reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, tf.zeros_like(bias)
    inputs = tf.einsum("btf,fu->btu", x, kernel) + input_bias
    r_z, r_r, r_h = tf.split(recurrent_kernel, 3, axis=-1)
    rb_z, rb_r, rb_h = tf.split(recurrent_bias, 3, axis=-1)
    outputs = tf.TensorArray(tf.float32, size=steps)
    for t in tf.range(steps):
        x_z, x_r, x_h = tf.split(inputs[:, t], 3, axis=-1)
        z = tf.sigmoid(x_z + tf.matmul(h, r_z) + rb_z)
        r = tf.sigmoid(x_r + tf.matmul(h, r_r) + rb_r)
        if reset_after:
            hh = tf.tanh(x_h + r * (tf.matmul(h, r_h) + rb_h))
        else:
            hh = tf.tanh(x_h + tf.matmul(r * h, r_h))
        h_new = z * h + (1.0 - z) * hh
        keep = mask[:, t][:, None]
        h = tf.where(keep, h_new, h)
        out_prev = tf.where(keep, h_new, out_prev)
        outputs = outputs.write(t, out_prev)
    return tf.transpose(outputs.stack(), [1, 0, 2]), h


def rnn_param_count(kind: str, input_dim: int, units: int, reset_after: bool = True) -> int:
    """Trainable parameters of one Keras ``"simple"``, ``"lstm"`` or ``"gru"`` layer (with biases)."""
    gates = {"simple": 1, "lstm": 4, "gru": 3}[kind]
    biases = 2 if (kind == "gru" and reset_after) else 1
    return gates * (input_dim * units + units * units + biases * units)
