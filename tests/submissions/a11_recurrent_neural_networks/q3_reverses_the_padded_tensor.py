# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PAD, START, END, _as_float come from the reference setup cell)
# The backward direction reverses the whole padded tensor (tf.reverse) instead of each sequence within its length.
# %% [q3]
def bidirectional_rnn(x, mask, forward_weights, backward_weights, merge_mode="concat", return_sequences=True):
    """``tf.keras.layers.Bidirectional(GRU(u, return_sequences=...), merge_mode=...)`` without ``Bidirectional``.

    ``forward_weights`` and ``backward_weights`` are each ``[kernel, recurrent_kernel, bias]`` of a Keras
    ``GRU`` (``reset_after=True``). You may run each direction with ``tf.keras.layers.GRU`` (``set_weights``)
    or with your own recurrence. ``mask`` is ``[B, T]`` bool (True = real step; sequences are right-padded) or
    ``None``.

    - The backward direction reads each sequence from its **last real step** back to its first: reverse within
      each sequence's length (``tf.reverse_sequence``), not over the padded length, run, and reverse back.
    - With ``return_sequences=True`` each direction's output is zero at padded steps; the result is ``[B, T, *]``.
      With ``return_sequences=False`` each direction contributes its final state (forward: after the last real
      step; backward: after reading the first step): ``[B, *]``.
    - ``merge_mode``: ``"concat"`` (forward first), ``"sum"``, ``"mul"``, ``"ave"``, or ``None`` (return the list
      ``[forward, backward]``).
    """
    x = _as_float(x)
    batch, steps = tf.shape(x)[0], tf.shape(x)[1]
    if mask is None:
        mask = tf.ones([batch, steps], dtype=tf.bool)
    mask = tf.cast(mask, tf.bool)
    units = int(np.shape(forward_weights[1])[0])

    def run(weights, inputs):
        layer = tf.keras.layers.GRU(units, return_sequences=True, return_state=True)
        layer.build(inputs.shape)
        layer.set_weights([np.asarray(w, np.float32) for w in weights])
        outputs, state = layer(inputs)
        return tf.where(mask[:, :, None], outputs, 0.0), state

    fw_seq, fw_state = run(forward_weights, x)
    reversed_x = tf.reverse(x, axis=[1])
    bw_seq, bw_state = run(backward_weights, reversed_x)
    bw_seq = tf.reverse(bw_seq, axis=[1])
    fw, bw = (fw_seq, bw_seq) if return_sequences else (fw_state, bw_state)
    if merge_mode == "concat":
        return tf.concat([fw, bw], axis=-1)
    if merge_mode == "sum":
        return fw + bw
    if merge_mode == "mul":
        return fw * bw
    if merge_mode == "ave":
        return (fw + bw) / 2.0
    if merge_mode is None:
        return [fw, bw]
    raise ValueError(f"unknown merge_mode {merge_mode!r}")
