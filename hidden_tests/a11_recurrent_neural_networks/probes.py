"""Worker-side probes for A11, Recurrent Neural Networks.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes hold no answers. The Keras layers (``SimpleRNN``, ``LSTM``, ``GRU``,
``Bidirectional``, ``Attention``, ``MultiHeadAttention``) run in the reference worker only, as the trusted value
that a hand-written version must match with the same weights. The other probes wrap the namespace's functions so
that one tensor comes back (for gradients), build models through the namespace with weights drawn from the judge's
seed, train them with fixed settings on judge-drawn data, and decode with the probe's own greedy loop, so that a
held-out score never rests on the student's decoding code.
"""

import numpy as np
import tensorflow as tf

START, END = 1, 2

# --------------------------------------------------------------------------------------------
# Keras layers as the trusted answer (reference worker)


def keras_rnn(ns, kind, x, weights, mask=None, initial_state=None, reset_after=True):
    """``[outputs, state...]`` of a Keras ``SimpleRNN``/``LSTM``/``GRU`` with the given weights."""
    del ns
    units = int(np.shape(weights[1])[0])
    options = {"return_sequences": True, "return_state": True}
    if kind == "simple":
        layer = tf.keras.layers.SimpleRNN(units, **options)
    elif kind == "lstm":
        layer = tf.keras.layers.LSTM(units, **options)
    else:
        layer = tf.keras.layers.GRU(units, reset_after=bool(reset_after), **options)
    x = tf.convert_to_tensor(x, tf.float32)
    layer.build(x.shape)
    layer.set_weights([np.asarray(w, np.float32) for w in weights])
    if initial_state is not None:
        states = initial_state if kind == "lstm" else [initial_state]
        initial_state = [tf.constant(np.asarray(s, np.float32)) for s in states]
    out = layer(x, mask=None if mask is None else tf.constant(mask), initial_state=initial_state)
    return [tf.convert_to_tensor(o) for o in out]


def keras_bidirectional(ns, x, mask, forward_weights, backward_weights, merge_mode, return_sequences):
    del ns
    units = int(np.shape(forward_weights[1])[0])
    layer = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(units, return_sequences=bool(return_sequences)),
                                          merge_mode=merge_mode)
    x = tf.convert_to_tensor(x, tf.float32)
    layer.build(x.shape)
    layer.set_weights([np.asarray(w, np.float32) for w in list(forward_weights) + list(backward_weights)])
    out = layer(x, mask=None if mask is None else tf.constant(mask))
    return list(out) if isinstance(out, (list, tuple)) else out


def keras_luong_dot(ns, query, values, mask=None):
    """``tf.keras.layers.Attention`` (dot-product) of a one-step query: ``[context, weights]``."""
    del ns
    query = tf.convert_to_tensor(query, tf.float32)[:, None, :]
    values = tf.convert_to_tensor(values, tf.float32)
    context, weights = tf.keras.layers.Attention()(
        [query, values], mask=[None, None if mask is None else tf.constant(mask)], return_attention_scores=True)
    return [context[:, 0], weights[:, 0]]


def keras_mha(ns, query, value, weights, num_heads, key=None, attention_mask=None):
    del ns
    query, value = tf.convert_to_tensor(query, tf.float32), tf.convert_to_tensor(value, tf.float32)
    key = value if key is None else tf.convert_to_tensor(key, tf.float32)
    layer = tf.keras.layers.MultiHeadAttention(int(num_heads), int(np.shape(weights[0])[2]))
    layer(query, value, key)  # builds
    layer.set_weights([np.asarray(w, np.float32) for w in weights])
    out, scores = layer(query, value, key, attention_mask=None if attention_mask is None else
                        tf.constant(attention_mask), return_attention_scores=True)
    return [out, scores]


# --------------------------------------------------------------------------------------------
# One tensor out of a tuple-returning function (for the gradient harness)


def rnn_flat(ns, kind, x, kernel, recurrent_kernel, bias, mask=None, reset_after=True):
    """Outputs and final states of the namespace's ``simple_rnn``/``lstm``/``gru``, joined along time."""
    if kind == "simple":
        out = ns["simple_rnn"](x, kernel, recurrent_kernel, bias, mask=mask)
    elif kind == "lstm":
        out = ns["lstm"](x, kernel, recurrent_kernel, bias, mask=mask)
    else:
        out = ns["gru"](x, kernel, recurrent_kernel, bias, mask=mask, reset_after=bool(reset_after))
    seq, states = tf.convert_to_tensor(out[0]), [tf.convert_to_tensor(s)[:, None] for s in out[1:]]
    return tf.concat([seq] + states, axis=1)


def bidirectional_flat(ns, x, mask, fk, frk, fb, bk, brk, bb, merge_mode):
    return tf.convert_to_tensor(ns["bidirectional_rnn"](x, mask, [fk, frk, fb], [bk, brk, bb], merge_mode, True))


def attention_flat(ns, fn, query, values, *weights, mask=None):
    if fn == "bahdanau_attention":
        context, att = ns[fn](query, values, *weights, mask=mask)
    else:
        context, att = ns[fn](query, values, weights[0] if weights else None, mask=mask)
    return tf.concat([tf.convert_to_tensor(context), tf.convert_to_tensor(att)], axis=-1)


def mha_flat(ns, query, value, wq, bq, wk, bk, wv, bv, wo, bo, num_heads, attention_mask=None):
    out, _ = ns["multi_head_attention"](query, value, [wq, bq, wk, bk, wv, bv, wo, bo], int(num_heads),
                                        attention_mask=attention_mask)
    return tf.convert_to_tensor(out)


def sdpa_flat(ns, q, k, v, mask=None):
    out, _ = ns["scaled_dot_product_attention"](q, k, v, mask)
    return tf.convert_to_tensor(out)


# --------------------------------------------------------------------------------------------
# Q4: sequence to sequence


def _layer_info(model):
    if not isinstance(model, tf.keras.Model):
        raise TypeError(f"expected a tf.keras.Model, got {type(model).__name__}")
    return [[layer.name, type(layer).__name__] for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _seq2seq_weights(model, seed, names=("enc_embed", "encoder", "dec_embed", "decoder", "logits")):
    rng = np.random.default_rng(int(seed))
    shapes = []
    for name in names:
        layer = model.get_layer(name)
        values = []
        for w in layer.get_weights():
            values.append(rng.normal(0.0, 0.6, w.shape).astype(np.float32))
            shapes.append([name, list(w.shape)])
        layer.set_weights(values)
    return shapes


def seq2seq_forward(ns, vocab_size, embed_dim, units, weight_seed, src, dec_in):
    """``build_seq2seq`` with the judge's weights (by layer name): layers, weight shapes and logits."""
    model = ns["build_seq2seq"](int(vocab_size), int(embed_dim), int(units))
    info = _layer_info(model)
    shapes = _seq2seq_weights(model, weight_seed)
    logits = model([tf.constant(src, tf.int32), tf.constant(dec_in, tf.int32)], training=False)
    return {"layers": info, "weight_shapes": shapes, "logits": tf.convert_to_tensor(logits)}


def _probe_seq2seq(vocab_size, weight_seed, end_bias):
    """The probe's own encoder-decoder with seeded weights (not the namespace's)."""
    src = tf.keras.Input(shape=(None,), dtype=tf.int32)
    dec_in = tf.keras.Input(shape=(None,), dtype=tf.int32)
    _, h, c = tf.keras.layers.LSTM(12, return_state=True, name="encoder")(
        tf.keras.layers.Embedding(vocab_size, 6, name="enc_embed")(src))
    dec = tf.keras.layers.LSTM(12, return_sequences=True, name="decoder")(
        tf.keras.layers.Embedding(vocab_size, 6, name="dec_embed")(dec_in), initial_state=[h, c])
    model = tf.keras.Model([src, dec_in], tf.keras.layers.Dense(vocab_size, name="logits")(dec))
    _seq2seq_weights(model, weight_seed)
    dense = model.get_layer("logits")
    kernel, bias = dense.get_weights()
    bias[END] += float(end_bias)
    dense.set_weights([kernel, bias])
    return model


def greedy_on_probe_model(ns, vocab_size, weight_seed, end_bias, src, max_len):
    """The namespace's ``greedy_decode`` on the probe's own seeded model."""
    model = _probe_seq2seq(int(vocab_size), weight_seed, end_bias)
    return ns["greedy_decode"](model, tf.constant(src, tf.int32), int(max_len))


def _trusted_greedy(model, src, max_len):
    src = tf.constant(src, tf.int32)
    tokens = np.full([src.shape[0], 1], START, np.int32)
    for _ in range(max_len):
        logits = np.asarray(model([src, tf.constant(tokens)], training=False))
        tokens = np.concatenate([tokens, logits[:, -1].argmax(-1)[:, None].astype(np.int32)], axis=1)
    return tokens[:, 1:]


def seq2seq_train_and_decode(ns, vocab_size, src_train, src_test, seed):
    """Build with ``build_seq2seq``, train with the namespace's ``train_seq2seq`` (fixed settings), then decode
    the judge's held-out sources with the probe's own greedy loop (no stopping: the judge reads up to END)."""
    tf.keras.utils.set_random_seed(int(seed))
    model = ns["build_seq2seq"](int(vocab_size), 16, 64)
    before = _trusted_greedy(model, src_test, src_test.shape[1] + 1)
    losses = ns["train_seq2seq"](model, tf.constant(src_train, tf.int32), epochs=8, batch_size=64,
                                 learning_rate=1.5e-2)
    losses = [float(v) for v in losses] if isinstance(losses, (list, tuple)) else None
    return {"layers": _layer_info(model), "weight_shapes": [list(w.shape) for w in model.weights], "losses": losses,
            "before": before, "after": _trusted_greedy(model, src_test, src_test.shape[1] + 1)}


def beam_on_table(ns, table, beam_width, max_len):
    """The namespace's ``beam_search`` with a step function read from ``table [max_len, V, V]``: the log-probs of
    the next token given the step and the previous token. Also counts the prefixes the search asked about."""
    table = tf.constant(table, tf.float32)
    asked = [0]

    def step_fn(prefixes):
        prefixes = tf.convert_to_tensor(prefixes, tf.int32)
        asked[0] += int(prefixes.shape[0])
        step = int(prefixes.shape[1]) - 1
        return tf.gather(table[step], prefixes[:, -1])

    tokens, score = ns["beam_search"](step_fn, int(beam_width), int(max_len))
    return {"tokens": np.asarray(tokens).astype(np.int64), "score": float(score), "asked": asked[0]}


# --------------------------------------------------------------------------------------------
# Q6: Transformer


def transformer_outputs(ns, vocab_size, max_len, seed, inputs):
    """Logits of one freshly built ``build_causal_transformer`` for each token array in ``inputs``."""
    tf.keras.utils.set_random_seed(int(seed))
    model = ns["build_causal_transformer"](int(vocab_size), int(max_len), 32, 2, 64, 1)
    _layer_info(model)
    return [tf.convert_to_tensor(model(tf.constant(x, tf.int32), training=False)) for x in inputs]


def transformer_train(ns, vocab_size, max_len, x_train, y_train, x_test, seed):
    """Train ``build_causal_transformer`` with fixed settings; held-out logits before and after training."""
    tf.keras.utils.set_random_seed(int(seed))
    model = ns["build_causal_transformer"](int(vocab_size), int(max_len), 32, 2, 64, 1)
    layers = _layer_info(model)
    before = model.predict(x_test, verbose=0)
    model.compile(tf.keras.optimizers.Adam(5e-3), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_train, y_train, batch_size=64, epochs=5, verbose=0)
    return {"layers": layers, "before": np.asarray(before), "after": np.asarray(model.predict(x_test, verbose=0)),
            "trainable": int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))}


def transformer_fixed_weights(ns, vocab_size, max_len, weight_seed, x):
    """``build_causal_transformer`` with every weight drawn from ``weight_seed`` in creation order."""
    model = ns["build_causal_transformer"](int(vocab_size), int(max_len), 16, 2, 24, 2)
    _layer_info(model)
    rng = np.random.default_rng(int(weight_seed))
    shapes = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        shapes.append(list(shape))
        if "gamma" in w.name:
            value = rng.uniform(0.5, 1.5, shape)
        else:
            value = rng.normal(0.0, 1.0 / np.sqrt(shape[0] if len(shape) > 1 else 4), shape)
        w.assign(value.astype(np.float32))
    return {"weight_shapes": shapes, "logits": tf.convert_to_tensor(model(tf.constant(x, tf.int32), training=False))}
