"""Worker-side probes for A21, Time Series Analysis.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook
or of the reference module. Probes run in the sandboxed worker and hold no answers: they build models from
the namespace's builders, load weights the judge drew, feed series the judge generated and return plain data.
"""

import numpy as np
import tensorflow as tf


def library_loaded(ns, *packages):
    """Whether any module of these packages is loaded in this worker (the student's code imported one)."""
    import sys

    return any(name == p or name.startswith(p + ".") for name in list(sys.modules) for p in packages)


def import_libraries(ns, *modules):
    """Import the ground-truth libraries in this worker, so a forbidden-call check can name their routines."""
    import importlib

    for name in modules:
        importlib.import_module(name)
    return True


# --------------------------------------------------------------------------------------------
# Q1 and Q2: models built by the namespace's builders, with weights from the judge.


def weight_shapes(ns, builder, kwargs):
    """Shapes of the weights of ``ns[builder](**kwargs)``, in ``get_weights`` order."""
    model = ns[builder](**kwargs)
    return [list(w.shape) for w in model.get_weights()]


def _loaded(ns, builder, kwargs, weights):
    model = ns[builder](**kwargs)
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    return model


def model_outputs(ns, builder, kwargs, weights, x):
    """The outputs of the built model with the judge's weights on the judge's inputs."""
    model = _loaded(ns, builder, kwargs, weights)
    return np.asarray(model(tf.constant(np.asarray(x, np.float32)), training=False))


def input_gradient(ns, builder, kwargs, weights, x):
    """``|d sum(model(x)) / d x|`` summed over the batch and the features: one value per input time step."""
    model = _loaded(ns, builder, kwargs, weights)
    x = tf.constant(np.asarray(x, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf.reduce_sum(model(x, training=False))
    return np.asarray(tf.reduce_sum(tf.abs(tape.gradient(out, x)), axis=[0, 2]))


def train_and_forecast(ns, builder, kwargs, train_series, input_width, horizon, epochs, contexts):
    """Train a fresh ``ns[builder]`` model with ``fit_forecaster`` and forecast the judge's contexts."""
    model = ns[builder](**kwargs)
    predict = ns["fit_forecaster"](model, np.asarray(train_series, np.float32), input_width, horizon,
                                   epochs=epochs)
    return np.asarray(predict(np.asarray(contexts, np.float32)), np.float64)


def ae_scores(ns, weights, window, windows):
    """``anomaly_scores`` of ``build_autoencoder(window)`` carrying the judge's weights."""
    model = _loaded(ns, "build_autoencoder", {"window": window}, weights)
    return np.asarray(ns["anomaly_scores"](model, np.asarray(windows, np.float32)), np.float64)


def ae_detect(ns, train_windows, test_windows, epochs):
    """Train with ``train_autoencoder``; return the threshold and the scores of both sets of windows."""
    model, threshold = ns["train_autoencoder"](np.asarray(train_windows, np.float32), epochs=epochs)
    score = ns["anomaly_scores"]
    return {
        "threshold": float(threshold),
        "train": np.asarray(score(model, np.asarray(train_windows, np.float32)), np.float64),
        "test": np.asarray(score(model, np.asarray(test_windows, np.float32)), np.float64),
    }


def stream_detector(ns, xs, kwargs):
    """Feed ``xs`` one at a time to a fresh ``StreamingDetector(**kwargs)``; every update's result, as columns."""
    detector = ns["StreamingDetector"](**kwargs)
    out = {"ewma": [], "ewma_alarm": [], "cusum_alarm": []}
    for x in np.asarray(xs, np.float64):
        result = detector.update(float(x))
        for key in out:
            out[key].append(result[key])
    return {"ewma": np.asarray(out["ewma"], np.float64), "ewma_alarm": [bool(v) for v in out["ewma_alarm"]],
            "cusum_alarm": [bool(v) for v in out["cusum_alarm"]]}


# --------------------------------------------------------------------------------------------
# Q5: one-sample-at-a-time serving and online updates.


def _gru(ns, n_features, units, n_out, weights):
    return _loaded(ns, "build_gru_model", {"n_features": n_features, "units": units, "n_out": n_out}, weights)


def gru_batch(ns, n_features, units, n_out, weights, seq):
    """The full-sequence outputs ``[T, n_out]`` of the model for one sequence ``[T, n_features]``."""
    model = _gru(ns, n_features, units, n_out, weights)
    return np.asarray(model(tf.constant(np.asarray(seq, np.float32)[None]), training=False))[0]


def gru_stream(ns, n_features, units, n_out, weights, seqs, new_weights=None):
    """Step ``StreamingGRU`` through each sequence in turn, calling ``reset()`` between them.

    With ``new_weights`` the model's weights are replaced (``set_weights``) after the streamer is built: a
    streamer that copied the weights at construction time then serves stale ones.
    """
    model = _gru(ns, n_features, units, n_out, weights)
    streamer = ns["StreamingGRU"](model)
    if new_weights is not None:
        model.set_weights([np.asarray(w, np.float32) for w in new_weights])
    out = []
    for i, seq in enumerate(seqs):
        if i:
            streamer.reset()
        out.append(np.stack([np.asarray(streamer.step(np.asarray(x, np.float32)), np.float32).reshape(-1)
                             for x in np.asarray(seq)]))
    return out


def online_run(ns, n_features, units, n_out, weights, xs, ys, lr):
    """``online_update`` with SGD(lr) on each (x, y) mini-batch in turn; the losses and the final weights."""
    model = _gru(ns, n_features, units, n_out, weights)
    opt = tf.keras.optimizers.SGD(lr)
    losses = [float(ns["online_update"](model, opt, np.asarray(x, np.float32), np.asarray(y, np.float32)))
              for x, y in zip(xs, ys, strict=True)]
    return {"losses": losses, "weights": [np.asarray(w) for w in model.get_weights()]}


def drift_run(ns, seed, xs, ys, n_warm, lr):
    """A small dense forecaster, trained on the first ``n_warm`` samples, then run over the rest of the stream.

    The frozen copy only predicts; the online copy predicts each sample and then learns from it with
    ``online_update``. Returns both models' predictions for every sample after the warm-up (the judge scores
    them against targets it kept).
    """
    xs, ys = np.asarray(xs, np.float32), np.asarray(ys, np.float32)

    def build():
        init = tf.keras.initializers.GlorotUniform(seed)
        return tf.keras.Sequential([tf.keras.layers.Input((xs.shape[1],)),
                                    tf.keras.layers.Dense(8, activation="tanh", kernel_initializer=init),
                                    tf.keras.layers.Dense(1, kernel_initializer=init)])

    frozen = build()
    frozen.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss="mse")
    frozen.fit(xs[:n_warm], ys[:n_warm], epochs=20, batch_size=32, verbose=0)
    online = build()
    online.set_weights(frozen.get_weights())
    opt = tf.keras.optimizers.SGD(lr)
    frozen_pred = np.asarray(frozen(xs[n_warm:], training=False))[:, 0]
    online_pred = []
    for t in range(n_warm, len(xs)):
        online_pred.append(float(online(xs[t:t + 1], training=False)[0, 0]))
        ns["online_update"](online, opt, xs[t:t + 1], ys[t:t + 1])
    return {"frozen": frozen_pred.astype(np.float64), "online": np.asarray(online_pred, np.float64)}


def fit_effect(ns, builder, kwargs, train_series, input_width, horizon, epochs, learning_rate, batch_size):
    """What ``fit_forecaster`` did to a fresh model: the largest weight change and the optimizer's step count.

    The step count is read from the model's compiled optimizer (None when the model was not compiled).
    """
    model = ns[builder](**kwargs)
    before = [np.array(w) for w in model.get_weights()]
    ns["fit_forecaster"](model, np.asarray(train_series, np.float32), input_width, horizon, epochs=epochs,
                         learning_rate=learning_rate, batch_size=batch_size)
    changed = max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(model.get_weights(), before, strict=True))
    optimizer = getattr(model, "optimizer", None)
    steps = None if optimizer is None else int(optimizer.iterations.numpy())
    return {"changed": changed, "steps": steps}
