# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PAD, START, END, _as_float come from the reference setup cell)
# Greedy decoding goes on after END instead of padding; beam search ranks finished beams out.
# %% [q4]
def teacher_forcing_batch(src):
    """Decoder input and target for the reversal task, from source sequences ``src [B, T]`` (int32 symbols).

    The target sequence is ``src`` reversed, followed by ``END``. With teacher forcing the decoder reads the
    *true* previous token: ``decoder_input = [START, reversed src]`` and ``decoder_target = [reversed src, END]``,
    both ``[B, T + 1]`` int32.
    """
    src = tf.convert_to_tensor(src, dtype=tf.int32)
    rev = tf.reverse(src, axis=[1])
    batch = tf.shape(src)[0]
    start = tf.fill([batch, 1], START)
    end = tf.fill([batch, 1], END)
    return tf.concat([start, rev], axis=1), tf.concat([rev, end], axis=1)


def build_seq2seq(vocab_size: int, embed_dim: int, units: int):
    """Encoder-decoder LSTM as a functional ``tf.keras.Model`` that outputs logits.

    Inputs ``[src, decoder_input]`` (int token ids), output **logits** ``[B, T_dec, vocab_size]`` (no softmax: the
    loss uses ``from_logits=True``).

    Exactly these layers, with these names:
    ``"enc_embed"`` Embedding(vocab_size, embed_dim) -> ``"encoder"`` LSTM(units, return_state=True);
    ``"dec_embed"`` Embedding(vocab_size, embed_dim) -> ``"decoder"`` LSTM(units, return_sequences=True,
    return_state=True) started from the encoder's ``[h, c]`` -> ``"logits"`` Dense(vocab_size).
    """
    src = tf.keras.Input(shape=(None,), dtype=tf.int32, name="src")
    dec_in = tf.keras.Input(shape=(None,), dtype=tf.int32, name="decoder_input")
    enc = tf.keras.layers.Embedding(vocab_size, embed_dim, name="enc_embed")(src)
    _, h, c = tf.keras.layers.LSTM(units, return_state=True, name="encoder")(enc)
    dec = tf.keras.layers.Embedding(vocab_size, embed_dim, name="dec_embed")(dec_in)
    dec_out, _, _ = tf.keras.layers.LSTM(units, return_sequences=True, return_state=True,
                                         name="decoder")(dec, initial_state=[h, c])
    logits = tf.keras.layers.Dense(vocab_size, name="logits")(dec_out)
    return tf.keras.Model([src, dec_in], logits)


def train_seq2seq(model, src, epochs: int = 20, batch_size: int = 64, learning_rate: float = 1e-2):
    """Train ``model`` (from ``build_seq2seq``) on the reversal of ``src`` with teacher forcing.

    Use ``teacher_forcing_batch``, Adam(``learning_rate``) and sparse categorical cross-entropy **from logits**.
    Return the list of per-epoch training losses.
    """
    dec_in, dec_target = teacher_forcing_batch(src)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit([np.asarray(src, np.int32), dec_in.numpy()], dec_target.numpy(), epochs=epochs,
                        batch_size=batch_size, verbose=0, shuffle=True)
    return [float(v) for v in history.history["loss"]]


def greedy_decode(model, src, max_len: int):
    """Autoregressive greedy decoding with a model from ``build_seq2seq``; it never sees a target.

    Start from ``[START]``; at each step run the model on ``[src, tokens so far]``, take the arg-max of the last
    position's logits and append it. A sequence is finished once it has emitted ``END`` (``END`` is kept);
    every position after it is ``PAD`` (0). Returns ``[B, max_len]`` int32 (without the leading ``START``).
    """
    src = tf.convert_to_tensor(src, dtype=tf.int32)
    batch = tf.shape(src)[0]
    tokens = tf.fill([batch, 1], START)
    finished = tf.zeros([batch], dtype=tf.bool)
    out = []
    for _ in range(max_len):
        logits = model([src, tokens], training=False)
        nxt = tf.argmax(logits[:, -1], axis=-1, output_type=tf.int32)
        out.append(nxt)
        finished = finished | tf.equal(nxt, END)
        tokens = tf.concat([tokens, nxt[:, None]], axis=1)
    return tf.stack(out, axis=1)


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
    beams = [([START], 0.0, False)]
    for _ in range(max_len):
        live = [b for b in beams if not b[2]]
        if not live:
            break
        logp = np.asarray(step_fn(tf.constant([b[0] for b in live], dtype=tf.int32)), dtype=np.float64)
        candidates = []
        for (seq, score, _), row in zip(live, logp, strict=True):
            for token, lp in enumerate(row):
                candidates.append((seq + [token], score + float(lp), token == END))
        candidates.sort(key=lambda b: -b[1])
        beams = candidates[:beam_width]
    best_seq, best_score, _ = max(beams, key=lambda b: b[1])
    tokens = np.zeros([max_len], np.int32)
    tokens[:len(best_seq) - 1] = best_seq[1:]
    return tokens, best_score
