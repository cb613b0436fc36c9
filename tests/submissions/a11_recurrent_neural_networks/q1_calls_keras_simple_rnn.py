# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PAD, START, END, _as_float come from the reference setup cell)
# The shortcut: the by-hand RNN runs tf.keras.layers.SimpleRNN.
# %% [q1]
def simple_rnn(x, kernel, recurrent_kernel, bias, mask=None, initial_state=None):
    """A simple (Elman) RNN over a batch of sequences, as ``tf.keras.layers.SimpleRNN(units)`` computes it.

    ``h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`` (Keras's layout: ``kernel`` is
    ``[features, units]``, ``recurrent_kernel`` ``[units, units]``, ``bias`` ``[units]``).

    Masking (``mask`` ``[B, T]`` bool, True = a real step): at a masked step the state **and** the output are
    carried over from the previous step unchanged (zeros before the first real step), as Keras does.

    Loop over time with ``for t in tf.range(T)`` and a ``tf.TensorArray`` (AutoGraph turns it into one ``While``
    op, so the function also works when ``T`` is unknown at tracing time).

    Returns:
        ``(outputs [B, T, units], final_state [B, units])``, float32.
    """
    x = _as_float(x)
    layer = tf.keras.layers.SimpleRNN(int(np.shape(bias)[0]), return_sequences=True, return_state=True)
    layer.build(x.shape)
    layer.set_weights([np.asarray(kernel), np.asarray(recurrent_kernel), np.asarray(bias)])
    state = None if initial_state is None else [_as_float(initial_state)]
    return tuple(layer(x, mask=None if mask is None else tf.cast(mask, tf.bool), initial_state=state))
    kernel, recurrent_kernel, bias = _as_float(kernel), _as_float(recurrent_kernel), _as_float(bias)
    batch, steps = tf.shape(x)[0], tf.shape(x)[1]
    units = tf.shape(recurrent_kernel)[0]
    h = tf.zeros([batch, units]) if initial_state is None else _as_float(initial_state)
    out_prev = tf.zeros([batch, units])
    if mask is None:
        mask = tf.ones([batch, steps], dtype=tf.bool)
    mask = tf.cast(mask, tf.bool)
    inputs = tf.einsum("btf,fu->btu", x, kernel) + bias
    outputs = tf.TensorArray(tf.float32, size=steps)
    for t in tf.range(steps):
        candidate = tf.tanh(inputs[:, t] + tf.matmul(h, recurrent_kernel))
        keep = mask[:, t][:, None]
        h = tf.where(keep, candidate, h)
        out_prev = tf.where(keep, candidate, out_prev)
        outputs = outputs.write(t, out_prev)
    return tf.transpose(outputs.stack(), [1, 0, 2]), h


def gradient_norms_through_time(x, kernel, recurrent_kernel, bias):
    """``norms[t] = || d sum(h_T) / d x[:, t, :] ||_2`` for ``t = 0 .. T-1`` (one float32 vector ``[T]``).

    ``h_T`` is the final state of ``simple_rnn`` (no mask). Use a ``tf.GradientTape``; with small recurrent
    weights the norms shrink geometrically towards ``t = 0``: the vanishing gradient.
    """
    x = _as_float(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, h = simple_rnn(x, kernel, recurrent_kernel, bias)
        total = tf.reduce_sum(h)
    grad = tape.gradient(total, x)
    return tf.sqrt(tf.reduce_sum(tf.square(grad), axis=[0, 2]))
