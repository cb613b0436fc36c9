"""Reference solution for A11, Recurrent Neural Networks.

Every recurrence, gate and attention here is written by hand from TensorFlow ops, with the weights laid out exactly
as Keras stores them, so the hidden tests can copy one set of weights into the Keras layer and compare. The two
trained models (a sequence-to-sequence reverser and a tiny causal Transformer) train in seconds on a CPU.
"""

# %% [setup]
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf

PAD, START, END = 0, 1, 2  # special tokens of Q4; symbols are 3 .. vocab_size - 1


def _as_float(x):
    return tf.convert_to_tensor(x, dtype=tf.float32)


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
    ### BEGIN SOLUTION
    x = _as_float(x)
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
    ### END SOLUTION


def gradient_norms_through_time(x, kernel, recurrent_kernel, bias):
    """``norms[t] = || d sum(h_T) / d x[:, t, :] ||_2`` for ``t = 0 .. T-1`` (one float32 vector ``[T]``).

    ``h_T`` is the final state of ``simple_rnn`` (no mask). Use a ``tf.GradientTape``; with small recurrent
    weights the norms shrink geometrically towards ``t = 0``: the vanishing gradient.
    """
    ### BEGIN SOLUTION
    x = _as_float(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, h = simple_rnn(x, kernel, recurrent_kernel, bias)
        total = tf.reduce_sum(h)
    grad = tape.gradient(total, x)
    return tf.sqrt(tf.reduce_sum(tf.square(grad), axis=[0, 2]))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
        i, f, g, o = tf.split(z, 4, axis=-1)
        c_new = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h_new = tf.sigmoid(o) * tf.tanh(c_new)
        keep = mask[:, t][:, None]
        h, c = tf.where(keep, h_new, h), tf.where(keep, c_new, c)
        out_prev = tf.where(keep, h_new, out_prev)
        outputs = outputs.write(t, out_prev)
    return tf.transpose(outputs.stack(), [1, 0, 2]), h, c
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def rnn_param_count(kind: str, input_dim: int, units: int, reset_after: bool = True) -> int:
    """Trainable parameters of one Keras ``"simple"``, ``"lstm"`` or ``"gru"`` layer (with biases)."""
    ### BEGIN SOLUTION
    gates = {"simple": 1, "lstm": 4, "gru": 3}[kind]
    biases = 2 if (kind == "gru" and reset_after) else 1
    return gates * (input_dim * units + units * units + biases * units)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    x = _as_float(x)
    batch, steps = tf.shape(x)[0], tf.shape(x)[1]
    if mask is None:
        mask = tf.ones([batch, steps], dtype=tf.bool)
    mask = tf.cast(mask, tf.bool)
    lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)
    units = int(np.shape(forward_weights[1])[0])

    def run(weights, inputs):
        layer = tf.keras.layers.GRU(units, return_sequences=True, return_state=True)
        layer.build(inputs.shape)
        layer.set_weights([np.asarray(w, np.float32) for w in weights])
        outputs, state = layer(inputs, mask=mask)
        return tf.where(mask[:, :, None], outputs, 0.0), state

    fw_seq, fw_state = run(forward_weights, x)
    reversed_x = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
    bw_seq, bw_state = run(backward_weights, reversed_x)
    bw_seq = tf.reverse_sequence(bw_seq, lengths, seq_axis=1, batch_axis=0)
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
    ### END SOLUTION


# %% [q4]
def teacher_forcing_batch(src):
    """Decoder input and target for the reversal task, from source sequences ``src [B, T]`` (int32 symbols).

    The target sequence is ``src`` reversed, followed by ``END``. With teacher forcing the decoder reads the
    *true* previous token: ``decoder_input = [START, reversed src]`` and ``decoder_target = [reversed src, END]``,
    both ``[B, T + 1]`` int32.
    """
    ### BEGIN SOLUTION
    src = tf.convert_to_tensor(src, dtype=tf.int32)
    rev = tf.reverse(src, axis=[1])
    batch = tf.shape(src)[0]
    start = tf.fill([batch, 1], START)
    end = tf.fill([batch, 1], END)
    return tf.concat([start, rev], axis=1), tf.concat([rev, end], axis=1)
    ### END SOLUTION


def build_seq2seq(vocab_size: int, embed_dim: int, units: int):
    """Encoder-decoder LSTM as a functional ``tf.keras.Model`` that outputs logits.

    Inputs ``[src, decoder_input]`` (int token ids), output **logits** ``[B, T_dec, vocab_size]`` (no softmax: the
    loss uses ``from_logits=True``).

    Exactly these layers, with these names:
    ``"enc_embed"`` Embedding(vocab_size, embed_dim) -> ``"encoder"`` LSTM(units, return_state=True);
    ``"dec_embed"`` Embedding(vocab_size, embed_dim) -> ``"decoder"`` LSTM(units, return_sequences=True,
    return_state=True) started from the encoder's ``[h, c]`` -> ``"logits"`` Dense(vocab_size).
    """
    ### BEGIN SOLUTION
    src = tf.keras.Input(shape=(None,), dtype=tf.int32, name="src")
    dec_in = tf.keras.Input(shape=(None,), dtype=tf.int32, name="decoder_input")
    enc = tf.keras.layers.Embedding(vocab_size, embed_dim, name="enc_embed")(src)
    _, h, c = tf.keras.layers.LSTM(units, return_state=True, name="encoder")(enc)
    dec = tf.keras.layers.Embedding(vocab_size, embed_dim, name="dec_embed")(dec_in)
    dec_out, _, _ = tf.keras.layers.LSTM(units, return_sequences=True, return_state=True,
                                         name="decoder")(dec, initial_state=[h, c])
    logits = tf.keras.layers.Dense(vocab_size, name="logits")(dec_out)
    return tf.keras.Model([src, dec_in], logits)
    ### END SOLUTION


def train_seq2seq(model, src, epochs: int = 20, batch_size: int = 64, learning_rate: float = 1e-2):
    """Train ``model`` (from ``build_seq2seq``) on the reversal of ``src`` with teacher forcing.

    Use ``teacher_forcing_batch``, Adam(``learning_rate``) and sparse categorical cross-entropy **from logits**.
    Return the list of per-epoch training losses.
    """
    ### BEGIN SOLUTION
    dec_in, dec_target = teacher_forcing_batch(src)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit([np.asarray(src, np.int32), dec_in.numpy()], dec_target.numpy(), epochs=epochs,
                        batch_size=batch_size, verbose=0, shuffle=True)
    return [float(v) for v in history.history["loss"]]
    ### END SOLUTION


def greedy_decode(model, src, max_len: int):
    """Autoregressive greedy decoding with a model from ``build_seq2seq``; it never sees a target.

    Start from ``[START]``; at each step run the model on ``[src, tokens so far]``, take the arg-max of the last
    position's logits and append it. A sequence is finished once it has emitted ``END`` (``END`` is kept);
    every position after it is ``PAD`` (0). Returns ``[B, max_len]`` int32 (without the leading ``START``).
    """
    ### BEGIN SOLUTION
    src = tf.convert_to_tensor(src, dtype=tf.int32)
    batch = tf.shape(src)[0]
    tokens = tf.fill([batch, 1], START)
    finished = tf.zeros([batch], dtype=tf.bool)
    out = []
    for _ in range(max_len):
        logits = model([src, tokens], training=False)
        nxt = tf.argmax(logits[:, -1], axis=-1, output_type=tf.int32)
        nxt = tf.where(finished, PAD, nxt)
        out.append(nxt)
        finished = finished | tf.equal(nxt, END)
        tokens = tf.concat([tokens, nxt[:, None]], axis=1)
    return tf.stack(out, axis=1)
    ### END SOLUTION


def beam_search(step_fn, beam_width: int, max_len: int):
    """Beam search for one sequence.

    ``step_fn(prefixes)`` takes ``[N, t]`` int32 prefixes (each starting with ``START``) and returns ``[N, V]``
    log-probabilities of the next token. A hypothesis's score is the sum of the log-probabilities of its tokens.

    Keep the ``beam_width`` best hypotheses. At each of ``max_len`` steps every unfinished hypothesis is extended
    by every token; a hypothesis that has emitted ``END`` is finished and competes unchanged (same score) with
    the extensions; keep the best ``beam_width`` of all these. Stop early when all kept hypotheses are finished.

    Returns:
        ``(tokens, score)``: the best hypothesis's tokens after ``START`` as a ``[max_len]`` int32 vector padded with
        ``PAD`` (``END`` kept), and its score (a float).
    """
    ### BEGIN SOLUTION
    beams = [([START], 0.0, False)]
    for _ in range(max_len):
        live = [b for b in beams if not b[2]]
        if not live:
            break
        logp = np.asarray(step_fn(tf.constant([b[0] for b in live], dtype=tf.int32)), dtype=np.float64)
        candidates = [b for b in beams if b[2]]
        for (seq, score, _), row in zip(live, logp, strict=True):
            for token, lp in enumerate(row):
                candidates.append((seq + [token], score + float(lp), token == END))
        candidates.sort(key=lambda b: -b[1])
        beams = candidates[:beam_width]
    best_seq, best_score, _ = max(beams, key=lambda b: b[1])
    tokens = np.zeros([max_len], np.int32)
    tokens[:len(best_seq) - 1] = best_seq[1:]
    return tokens, best_score
    ### END SOLUTION


# %% [q5]
def _masked_softmax(scores, mask):
    """Softmax over the last axis; masked positions (mask False) get exactly zero weight."""
    if mask is None:
        return tf.nn.softmax(scores, axis=-1)
    scores = tf.where(tf.cast(mask, tf.bool), scores, scores.dtype.min)
    return tf.nn.softmax(scores, axis=-1)


def bahdanau_attention(query, values, w1, w2, v, mask=None):
    """Additive (Bahdanau) attention of one decoder state over the encoder outputs.

    ``score[b, t] = v . tanh(query[b] @ w1 + values[b, t] @ w2)``; ``weights = softmax over t`` of the scores at
    real positions (``mask [B, T]`` bool, True = real; a masked position gets weight exactly 0); ``context[b] =
    sum_t weights[b, t] * values[b, t]``.

    Shapes: query ``[B, H]``; values ``[B, T, Hv]``; w1 ``[H, U]``; w2 ``[Hv, U]``; v ``[U]``; mask ``[B, T]``.

    Returns:
        ``(context [B, Hv], weights [B, T])``, float32 (the weights may come as NumPy float64 arrays).
    """
    ### BEGIN SOLUTION
    query, values = _as_float(query), _as_float(values)
    w1, w2, v = _as_float(w1), _as_float(w2), _as_float(v)
    hidden = tf.tanh(tf.matmul(query, w1)[:, None, :] + tf.einsum("bth,hu->btu", values, w2))
    scores = tf.einsum("btu,u->bt", hidden, v)
    weights = _masked_softmax(scores, mask)
    context = tf.einsum("bt,bth->bh", weights, values)
    return context, weights
    ### END SOLUTION


def luong_attention(query, values, w=None, mask=None):
    """Multiplicative (Luong) attention: ``"dot"`` when ``w`` is None, ``"general"`` otherwise.

    ``score[b, t] = query[b] . values[b, t]`` (dot) or ``query[b] @ w @ values[b, t]`` (general, ``w [H, Hv]``).
    The course's version multiplies a rank-2 query by rank-3 values and fails: give the query a time axis of
    length 1. Weights and context as in ``bahdanau_attention`` (with the mask).

    Returns:
        ``(context [B, Hv], weights [B, T])``, float32 (``w`` may come as a NumPy float64 array; ``B`` may be 1).
    """
    ### BEGIN SOLUTION
    query, values = _as_float(query), _as_float(values)
    keys = values if w is None else tf.einsum("btv,hv->bth", values, _as_float(w))
    scores = tf.squeeze(tf.matmul(query[:, None, :], keys, transpose_b=True), axis=1)
    weights = _masked_softmax(scores, mask)
    context = tf.squeeze(tf.matmul(weights[:, None, :], values), axis=1)
    return context, weights
    ### END SOLUTION


# %% [q6]
def scaled_dot_product_attention(q, k, v, mask=None):
    """``softmax(q k^T / sqrt(d_k)) v`` over the last two axes (any leading batch/head axes).

    ``mask`` broadcasts to ``[..., Tq, Tk]``; **True (or 1) = may attend**, the Keras convention (the course's
    "1 = masked, add -1e9" is the opposite). A masked key gets weight exactly 0.

    Returns:
        ``(output [..., Tq, dv], weights [..., Tq, Tk])``.
    """
    ### BEGIN SOLUTION
    q, k, v = _as_float(q), _as_float(k), _as_float(v)
    scale = tf.math.rsqrt(tf.cast(tf.shape(k)[-1], tf.float32))
    scores = tf.matmul(q, k, transpose_b=True) * scale
    if mask is not None:
        scores = tf.where(tf.cast(mask, tf.bool), scores, tf.float32.min)
    weights = tf.nn.softmax(scores, axis=-1)
    return tf.matmul(weights, v), weights
    ### END SOLUTION


def multi_head_attention(query, value, weights, num_heads: int, key=None, attention_mask=None):
    """``tf.keras.layers.MultiHeadAttention(num_heads, key_dim)`` by hand, from its eight weights.

    The weights in Keras's order: ``[query_kernel (D, h, k), query_bias (h, k), key_kernel (D, h, k), key_bias (h, k),
    value_kernel (D, h, k), value_bias (h, k), output_kernel (h, k, D), output_bias (D)]``.

    ``key`` defaults to ``value``; ``attention_mask`` ``[B, Tq, Tk]`` bool, True = may attend.

    Returns:
        ``(output [B, Tq, D], scores [B, h, Tq, Tk])`` (the attention weights per head).
    """
    ### BEGIN SOLUTION
    query, value = _as_float(query), _as_float(value)
    key = value if key is None else _as_float(key)
    wq, bq, wk, bk, wv, bv, wo, bo = [_as_float(w) for w in weights]
    q = tf.einsum("btd,dhk->bhtk", query, wq) + bq[None, :, None, :]
    k = tf.einsum("btd,dhk->bhtk", key, wk) + bk[None, :, None, :]
    v = tf.einsum("btd,dhk->bhtk", value, wv) + bv[None, :, None, :]
    mask = None if attention_mask is None else tf.cast(attention_mask, tf.bool)[:, None]
    out, scores = scaled_dot_product_attention(q, k, v, mask)
    return tf.einsum("bhtk,hkd->btd", out, wo) + bo, scores
    ### END SOLUTION


def positional_encoding(length: int, depth: int):
    """Sinusoidal positions ``[length, depth]`` float32, sin and cos interleaved.

    ``PE[p, 2i] = sin(p / 10000^(2i/depth))`` and ``PE[p, 2i+1] = cos(p / 10000^(2i/depth))`` (``depth`` even).
    """
    ### BEGIN SOLUTION
    pos = np.arange(length)[:, None].astype(np.float64)
    i = np.arange(depth // 2)[None, :].astype(np.float64)
    angle = pos / np.power(10000.0, 2.0 * i / depth)
    pe = np.zeros([length, depth])
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return tf.constant(pe, dtype=tf.float32)
    ### END SOLUTION


def causal_mask(length: int):
    """``[length, length]`` bool: position ``i`` may attend to ``j`` iff ``j <= i`` (True = may attend)."""
    ### BEGIN SOLUTION
    return tf.constant(np.tril(np.ones([length, length], dtype=bool)))
    ### END SOLUTION


def build_causal_transformer(vocab_size: int, max_len: int, d_model: int = 32, num_heads: int = 2,
                             dff: int = 64, num_layers: int = 1):
    """A decoder-only Transformer tagger: token ids ``[B, T]`` (``T <= max_len``) -> logits ``[B, T, vocab_size]``.

    Embedding scaled by ``sqrt(d_model)`` plus ``positional_encoding``; ``num_layers`` pre-norm blocks
    (``x + MHA(LN(x))`` with a **causal** mask, then ``x + FFN(LN(x))``, FFN = Dense(dff, relu) -> Dense(d_model));
    a final LayerNormalization and Dense(vocab_size). You may use ``tf.keras.layers.MultiHeadAttention`` here.
    The output at position ``t`` must not depend on tokens after ``t``.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION
