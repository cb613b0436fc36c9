"""Worker-side probes for A09, Custom Components.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of the
reference module. Probes run inside the sandboxed worker and hold no expected answers: they build the Keras objects
(models from judge-drawn seeds, recording callbacks, variables, checkpoints), drive the namespace's classes with
them and return plain data for the judge to check against its own NumPy / scikit-learn computation or against the
reference worker's run of the same probe.
"""

import json
import os
import tempfile

import numpy as np
import tensorflow as tf


def _f32(a):
    return tf.constant(np.asarray(a, np.float32))


def _seeded_model(seed, sizes, activation="tanh", last_activation=None):
    """A small Sequential MLP whose weights depend only on ``seed``."""
    layers = []
    for i, units in enumerate(sizes[1:]):
        last = i == len(sizes) - 2
        kwargs = {"input_shape": (sizes[0],)} if i == 0 else {}
        layers.append(tf.keras.layers.Dense(units, activation=last_activation if last else activation,
                                            kernel_initializer=tf.keras.initializers.GlorotUniform(seed + i),
                                            bias_initializer="zeros", **kwargs))
    return tf.keras.Sequential(layers)


# --------------------------------------------------------------------------------------------
# Q1: custom layers


def dense_forward(ns, kwargs, w, b, x, training=False):
    """Builds ``MyDense(**kwargs)``, loads ``(w, b)`` and calls it; reports the weights before and after build."""
    layer = ns["MyDense"](**kwargs)
    before = len(layer.weights)
    layer.build(tf.TensorShape(np.shape(x)))
    shapes = [list(v.shape) for v in layer.weights]
    trainable = len(layer.trainable_weights)
    layer.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    return {"before": before, "shapes": shapes, "trainable": trainable,
            "out": layer(_f32(x), training=training)}


def dense_contract(ns, kwargs, w, b, x, x3):
    """A ``run_layer_test``-style contract: functional use, config round trip, tf.function, rank 3, .keras file."""
    cls = ns["MyDense"]
    d = int(np.shape(x)[-1])
    layer = cls(**kwargs)
    inputs = tf.keras.Input((d,))
    symbolic = layer(inputs)
    model = tf.keras.Model(inputs, symbolic)
    layer.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    config = layer.get_config()
    text = json.dumps(config)
    clone = cls.from_config(json.loads(text))
    clone(_f32(x))
    clone.set_weights(layer.get_weights())
    graph_fn = tf.function(lambda t: layer(t), input_signature=[tf.TensorSpec([None, d], tf.float32)])
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "model.keras")
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    return {
        "symbolic_shape": [None if s is None else int(s) for s in symbolic.shape],
        "output_shape": [None if s is None else int(s) for s in layer.compute_output_shape((None, d))],
        "model": model(_f32(x)),
        "clone": clone(_f32(x)),
        "graph": graph_fn(_f32(x)),
        "rank3": layer(_f32(x3)),
        "loaded": loaded(_f32(x)),
        "loaded_type": type(loaded.layers[-1]).__name__,
    }


def dense_regularizer(ns, l2, w, b, x):
    """``model.losses`` of a model holding a ``MyDense`` with an L2 kernel regulariser."""
    layer = ns["MyDense"](int(np.shape(w)[1]), kernel_regularizer=tf.keras.regularizers.L2(float(l2)))
    inputs = tf.keras.Input((int(np.shape(w)[0]),))
    model = tf.keras.Model(inputs, layer(inputs))
    layer.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    model(_f32(x))
    return [float(loss) for loss in model.losses]


def dense_constraint_fit(ns, w, b, x, y):
    """One epoch of SGD through ``fit`` on a ``MyDense(non_neg)`` model; returns the weights afterwards."""
    layer = ns["MyDense"](int(np.shape(w)[1]), kernel_constraint="non_neg")
    inputs = tf.keras.Input((int(np.shape(w)[0]),))
    model = tf.keras.Model(inputs, layer(inputs))
    layer.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    model.compile(tf.keras.optimizers.SGD(0.2), "mse")
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), batch_size=8, epochs=1, shuffle=False, verbose=0)
    return layer.get_weights()


def dense_dropout(ns, w, b, x, rate, copies):
    """Inference output, mean training output over ``copies`` repeats, and how many repeats differ from inference."""
    layer = ns["MyDense"](int(np.shape(w)[1]), dropout=float(rate))
    inputs = tf.keras.Input((int(np.shape(w)[0]),))
    model = tf.keras.Model(inputs, layer(inputs))
    layer.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    x = np.asarray(x, np.float32)
    infer = layer(_f32(x), training=False).numpy()
    default = model(_f32(x)).numpy()
    repeated = np.repeat(x, copies, axis=0)
    train = layer(_f32(repeated), training=True).numpy().reshape(len(x), copies, -1)
    differ = float(np.mean(np.any(np.abs(train - infer[:, None, :]) > 1e-6, axis=-1)))
    return {"infer": infer, "default": default, "train_mean": train.mean(axis=1), "differ": differ}


def masked_pool(ns, x, mask, plain):
    """``MaskedMeanPool`` on explicit inputs and mask (padded steps poisoned by the judge); and its output mask."""
    pool = ns["MaskedMeanPool"]()
    x = _f32(x)
    mask = tf.constant(np.asarray(mask, bool))
    out = pool(x, mask=mask)
    out_mask = pool.compute_mask(x, mask)
    return {"out": out, "out_mask_is_none": out_mask is None, "unmasked": pool(_f32(plain))}


def l2_round_trip(ns, x, axis, epsilon):
    """``L2Normalize(axis, epsilon)`` rebuilt from its JSON config, on ``x``."""
    layer = ns["L2Normalize"](axis=int(axis), epsilon=float(epsilon))
    clone = ns["L2Normalize"].from_config(json.loads(json.dumps(layer.get_config())))
    return {"layer": layer(_f32(x)), "clone": clone(_f32(x))}


def embedding_pipeline(ns, table, tokens):
    """``Embedding(mask_zero=True) -> L2Normalize -> MaskedMeanPool`` in a functional model, from the judge's table."""
    vocab, dim = np.shape(table)
    seq = tf.keras.Input((None,), dtype="int32")
    embedding = tf.keras.layers.Embedding(vocab, dim, mask_zero=True)
    normalize = ns["L2Normalize"]()
    embedded = embedding(seq)
    normalized = normalize(embedded)
    model = tf.keras.Model(seq, ns["MaskedMeanPool"]()(normalized))
    embedding.set_weights([np.asarray(table, np.float32)])
    tokens = tf.constant(np.asarray(tokens, np.int32))
    mask = tokens != 0
    passed = normalize.compute_mask(embedding(tokens), mask)
    return {"out": model(tokens), "normalized": normalize(embedding(tokens)),
            "mask_passed": None if passed is None else tf.cast(passed, tf.int32)}


# --------------------------------------------------------------------------------------------
# Q2: activations


def activation_and_gradient(ns, name, x, alpha=None):
    """Values and tape gradients (upstream ones) of ``ns[name]`` at ``x`` (and ``alpha`` for snake)."""
    fn = ns[name]
    x = tf.constant(np.asarray(x))
    with tf.GradientTape() as tape:
        tape.watch(x)
        if alpha is None:
            y = fn(x)
            watched = [x]
        else:
            a = tf.constant(np.asarray(alpha, x.dtype.as_numpy_dtype))
            tape.watch(a)
            y = fn(x, a)
            watched = [x, a]
        y = tf.convert_to_tensor(y)
    grads = tape.gradient(y, watched)
    return {"y": y, "grads": [None if g is None else tf.convert_to_tensor(g) for g in grads]}


def snake_of_x(ns, x, alpha):
    """``snake(x, alpha)`` with a fixed alpha, as a function of ``x`` alone (for finite differences)."""
    x = tf.convert_to_tensor(x)
    return ns["snake"](x, tf.constant(float(alpha), x.dtype))


def snake_of_alpha(ns, alpha, x):
    """``snake(x, alpha)`` as a function of ``alpha`` alone (for finite differences)."""
    alpha = tf.convert_to_tensor(alpha)
    return ns["snake"](tf.constant(np.asarray(x), alpha.dtype), alpha)


def registered_mish(ns, x, w, b):
    """The registered name, a Dense model using ``stable_mish`` through JSON, and the built-in ``swish``."""
    x = _f32(x)
    by_name = tf.keras.activations.get("course>stable_mish")
    serialized = tf.keras.activations.serialize(ns["stable_mish"])
    model = tf.keras.Sequential([tf.keras.layers.Dense(int(np.shape(w)[1]), activation=ns["stable_mish"],
                                                       input_shape=(int(np.shape(w)[0]),))])
    model.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    clone = tf.keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    if isinstance(serialized, dict):
        serialized = serialized.get("config")
    return {"by_name": by_name(x), "serialized": str(serialized), "model": model(x), "clone": clone(x),
            "swish": tf.keras.activations.get("swish")(x)}


# --------------------------------------------------------------------------------------------
# Q3: losses


def loss_values(ns, cls, kwargs, y, p, sample_weight=None, reduction="none", y_dtype="float32"):
    """``ns[cls](reduction=..., **kwargs)(y, p, sample_weight)``."""
    loss = ns[cls](reduction=reduction, **kwargs)
    y = tf.constant(np.asarray(y).astype(y_dtype))
    sw = None if sample_weight is None else _f32(sample_weight)
    return loss(y, _f32(p), sample_weight=sw)


def loss_gradient(ns, cls, kwargs, y, p):
    """Gradient of the summed loss with respect to the predictions."""
    loss = ns[cls](reduction="sum", **kwargs)
    p = _f32(p)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = loss(_f32(y), p)
    return {"value": value, "grad": tape.gradient(value, p)}


def loss_round_trip(ns, cls, kwargs, y, p):
    """Values of the loss after ``serialize``/``deserialize`` with no ``custom_objects``."""
    loss = ns[cls](reduction="none", **kwargs)
    clone = tf.keras.losses.deserialize(json.loads(json.dumps(tf.keras.losses.serialize(loss))))
    return {"clone": clone(_f32(y), _f32(p)), "same_class": type(clone) is type(loss)}


def fit_with_loss(ns, cls, kwargs, seed, x, y, last_activation, units, y_dtype):
    """Two epochs of SGD through ``fit`` with ``ns[cls]`` as the loss; labels arrive as ``y_dtype``."""
    model = _seeded_model(int(seed), [int(np.shape(x)[1]), 8, int(units)], last_activation=last_activation)
    model.compile(tf.keras.optimizers.SGD(0.1), loss=ns[cls](**kwargs))
    history = model.fit(np.asarray(x, np.float32), np.asarray(y).astype(y_dtype), batch_size=16, epochs=2,
                        shuffle=False, verbose=0)
    return {"weights": model.get_weights(), "loss": [float(v) for v in history.history["loss"]]}


# --------------------------------------------------------------------------------------------
# Q4: metrics


def metric_stream(ns, cls, kwargs, batches, order):
    """Streams batches into a fresh metric; then ``reset_state`` and the same batches in ``order``.

    Returns the result before any update, after each update, after the reset, and after the reordered stream.
    """
    metric = ns[cls](**kwargs)
    out = {"initial": float(metric.result()), "steps": []}
    for y, p, w in batches:
        metric.update_state(tf.constant(np.asarray(y)), _f32(p), sample_weight=None if w is None else _f32(w))
        out["steps"].append(float(metric.result()))
    metric.reset_state()
    out["after_reset"] = float(metric.result())
    for i in order:
        y, p, w = batches[i]
        metric.update_state(tf.constant(np.asarray(y)), _f32(p), sample_weight=None if w is None else _f32(w))
    out["reordered"] = float(metric.result())
    return out


def metric_in_fit(ns, seed, x, y, classes):
    """A classifier compiled with ``StreamingF1`` and ``PresentClassIoU``: fit one epoch, evaluate, predict."""
    model = _seeded_model(int(seed), [int(np.shape(x)[1]), 16, int(classes)], last_activation="softmax")
    model.compile(tf.keras.optimizers.SGD(0.2), "sparse_categorical_crossentropy",
                  metrics=[ns["StreamingF1"](int(classes), "macro", name="f1"),
                           ns["PresentClassIoU"](int(classes), name="iou")])
    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.int64)
    model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    scores = model.evaluate(x, y, batch_size=24, verbose=0, return_dict=True)
    return {"f1": float(scores["f1"]), "iou": float(scores["iou"]), "probs": model.predict(x, verbose=0)}


# --------------------------------------------------------------------------------------------
# Q5: optimizers


def _apply_all(opt, var, grads, out):
    for g in grads:
        opt.apply_gradients([(tf.constant(np.asarray(g, np.float32)), var)])
        out.append(var.numpy().copy())


def opt_trajectory(ns, cls, kwargs, w0, grads, restart_at=None):
    """Applies a fixed gradient sequence; the variable after every step.

    With ``restart_at=k``: after ``k`` steps the variable and optimizer are saved with ``tf.train.Checkpoint``,
    restored into a fresh variable and a fresh optimizer made by ``from_config(get_config())``, and the rest of the
    sequence runs on those.
    """
    var = tf.Variable(np.asarray(w0, np.float32))
    opt = ns[cls](**kwargs)
    out = []
    if restart_at is None:
        _apply_all(opt, var, grads, out)
        return out
    _apply_all(opt, var, grads[:restart_at], out)
    path = tf.train.Checkpoint(optimizer=opt, var=var).save(os.path.join(tempfile.mkdtemp(), "ckpt"))
    config = json.loads(json.dumps(opt.get_config(), default=float))
    fresh_var = tf.Variable(np.zeros(np.shape(w0), np.float32))
    fresh = ns[cls].from_config(config)
    tf.train.Checkpoint(optimizer=fresh, var=fresh_var).restore(path).expect_partial()
    fresh.build([fresh_var])
    _apply_all(fresh, fresh_var, grads[restart_at:], out)
    return out


def opt_sparse(ns, kwargs, vocab, dim, rows, values):
    """Embedding-style sparse updates: step ``k`` has an ``IndexedSlices`` gradient on ``rows[k]``."""
    table = tf.Variable(tf.zeros([int(vocab), int(dim)]))
    opt = ns["MomentumSGD"](**kwargs)
    out, kinds = [], []
    for r, v in zip(rows, values, strict=True):
        weights = _f32(v)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(table, tf.constant(np.asarray(r, np.int32))) * weights)
        grad = tape.gradient(loss, table)
        kinds.append(type(grad).__name__)
        opt.apply_gradients([(grad, table)])
        out.append(table.numpy().copy())
    return {"trajectory": out, "kinds": kinds}


def opt_fit(ns, cls, kwargs, seed, x, y, x_test, epochs):
    """Softmax regression trained through ``fit`` with ``ns[cls]``; weights and held-out predictions."""
    model = _seeded_model(int(seed), [int(np.shape(x)[1]), int(np.max(y)) + 1], last_activation="softmax")
    opt = ns[cls](**kwargs)
    model.compile(opt, "sparse_categorical_crossentropy")
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.int32), batch_size=32, epochs=int(epochs), shuffle=False,
              verbose=0)
    return {"weights": model.get_weights(),
            "predicted": np.argmax(model.predict(np.asarray(x_test, np.float32), verbose=0), axis=1)}


def opt_kind(ns, cls, kwargs):
    """The optimizer's place in the class hierarchy, seen from the worker (structure only)."""
    opt = ns[cls](**kwargs)
    return {"new_api": isinstance(opt, tf.keras.optimizers.Optimizer),
            "builtin": [name for name in ("SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad")
                        if isinstance(opt, getattr(tf.keras.optimizers, name))]}


# --------------------------------------------------------------------------------------------
# Q6: callbacks


class _Recorder(tf.keras.callbacks.Callback):
    """Records every training hook with its index and the logged loss."""

    def __init__(self, stop_at_epoch=None):
        super().__init__()
        self.events = []
        self.stop_at_epoch = stop_at_epoch

    def _log(self, hook, index, logs):
        loss = None if not logs or "loss" not in logs else float(logs["loss"])
        self.events.append([hook, index, loss])

    def on_train_begin(self, logs=None):
        self._log("train_begin", None, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._log("epoch_begin", int(epoch), None)

    def on_train_batch_begin(self, batch, logs=None):
        self._log("batch_begin", int(batch), None)

    def on_train_batch_end(self, batch, logs=None):
        self._log("batch_end", int(batch), logs)

    def on_epoch_end(self, epoch, logs=None):
        self._log("epoch_end", int(epoch), logs)
        if self.stop_at_epoch is not None and epoch >= self.stop_at_epoch:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self._log("train_end", None, logs)


def _callback_model(seed, x):
    model = _seeded_model(int(seed), [int(np.shape(x)[1]), 6, 2])
    model.compile(tf.keras.optimizers.SGD(0.05), "mse")
    return model


def drive_loop(ns, seed, x, y, epochs, batch_size, stop_at_epoch=None):
    """The namespace's ``fit_with_callbacks`` with a recording callback supplied here."""
    model = _callback_model(seed, x)
    recorder = _Recorder(stop_at_epoch)
    history = ns["fit_with_callbacks"](model, np.asarray(x, np.float32), np.asarray(y, np.float32), int(epochs),
                                       int(batch_size), [recorder])
    return {"events": recorder.events, "weights": model.get_weights(),
            "history": [float(h) for h in history]}


def drive_fit(ns, seed, x, y, epochs, batch_size, stop_at_epoch=None):
    """``model.fit`` itself with the same recording callback: what a loop that drives callbacks must reproduce."""
    model = _callback_model(seed, x)
    recorder = _Recorder(stop_at_epoch)
    history = model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), epochs=int(epochs),
                        batch_size=int(batch_size), shuffle=False, verbose=0, callbacks=[recorder])
    return {"events": recorder.events, "weights": model.get_weights(),
            "history": [float(h) for h in history.history["loss"]]}


def drive_early_stopping(ns, kwargs, weights, monitored, monitor="val_loss"):
    """Drives ``BestWeightsEarlyStopping`` like ``fit`` would, with the weights and monitored values given."""
    model = tf.keras.Sequential([tf.keras.layers.Dense(int(np.shape(weights[0][0])[1]),
                                                       input_shape=(int(np.shape(weights[0][0])[0]),))])
    callback = ns["BestWeightsEarlyStopping"](**kwargs)
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    epochs_run = 0
    for epoch, (pair, value) in enumerate(zip(weights, monitored, strict=True)):
        callback.on_epoch_begin(epoch)
        model.set_weights([np.asarray(a, np.float32) for a in pair])
        callback.on_epoch_end(epoch, {"loss": float(value) + 1.0, monitor: float(value)})
        epochs_run += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return {"epochs_run": epochs_run, "weights": model.get_weights()}


class _RateRecorder(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        self.rates.append(float(tf.keras.backend.get_value(self.model.optimizer.learning_rate)))


def drive_cyclic(ns, kwargs, seed, x, y, epochs, batch_size):
    """``fit`` with the namespace's ``CyclicLR`` followed by a callback that reads the optimizer's rate."""
    model = _callback_model(seed, x)
    recorder = _RateRecorder()
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), epochs=int(epochs), batch_size=int(batch_size),
              shuffle=False, verbose=0, callbacks=[ns["CyclicLR"](**kwargs), recorder])
    return {"rates": recorder.rates, "weights": model.get_weights()}
