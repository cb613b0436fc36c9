"""Worker-side probes for A07, Keras Sequential API.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook, of the
reference module, or (for the ``inspect_*`` probes) the empty namespace of the inspector, a sandboxed worker where
no student code runs. Probes hold no answers: they build the models the judge describes, set the weights the judge
draws, call the namespace's functions on them and return plain data.
"""

import os
import tempfile

import numpy as np
import tensorflow as tf


def _f32(a):
    return np.asarray(a, np.float32)


def _head_model(weights, head):
    """Input -> Dense(h, relu) -> Dense(out, head), with the judge's weights ``[W1, b1, W2, b2]``."""
    w1, b1, w2, b2 = (_f32(w) for w in weights)
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(w1.shape[0],)),
        tf.keras.layers.Dense(w1.shape[1], activation="relu"),
        tf.keras.layers.Dense(w2.shape[1], activation=head),
    ])
    model.set_weights([w1, b1, w2, b2])
    return model


# --------------------------------------------------------------------------------------------
# Q1


def q1_model(ns, builder, input_dim, hidden, num_classes, dropout, batchnorm, seed, x):
    """Build with ``ns[builder]``, describe it, set drawn weights and run it in inference and training mode."""
    model = ns[builder](int(input_dim), tuple(int(h) for h in hidden), int(num_classes), float(dropout),
                        bool(batchnorm))
    built_before_call = bool(model.built) and len(model.weights) > 0
    layers = [[type(layer).__name__, layer.name] for layer in model.layers]
    rng = np.random.default_rng(int(seed))
    new = []
    for var in model.weights:
        w = rng.normal(0, 0.5, size=tuple(var.shape)).astype(np.float32)
        if "moving_variance" in var.name:
            w = np.abs(w) + 0.5
        new.append(w)
    model.set_weights(new)
    x = tf.constant(_f32(x))
    return {
        "built_before_call": built_before_call,
        "is_sequential": isinstance(model, tf.keras.Sequential),
        "layers": layers,
        "output_shape": [None if d is None else int(d) for d in model.output_shape],
        "weights": [np.asarray(w) for w in model.get_weights()],
        "weight_names": [v.name.split("/")[-1].split(":")[0] for v in model.weights],
        "trainable": [bool(any(v is t for t in model.trainable_weights)) for v in model.weights],
        "inference": model(x, training=False),
        "training": model(x, training=True),
    }


# --------------------------------------------------------------------------------------------
# Q2


def q2_dense(ns, units, name, l1, l2, seed, x):
    """A layer from ``make_dense``, called on ``x``: its weights, output and regularisation loss."""
    layer = ns["make_dense"](int(units), name, float(l1), float(l2), int(seed))
    out = layer(tf.constant(_f32(x)))
    return {"is_dense": isinstance(layer, tf.keras.layers.Dense), "kernel": layer.kernel, "bias": layer.bias,
            "output": out, "losses": float(tf.add_n(layer.losses)) if layer.losses else None}


# --------------------------------------------------------------------------------------------
# Q3


def q3_evaluate(ns, task, weights, head, x, y, lr=0.01):
    """``compile_for_task`` on a fixed model, then one full-batch ``evaluate``."""
    model = ns["compile_for_task"](_head_model(weights, head), task, float(lr))
    out = model.evaluate(_f32(x), np.asarray(y), batch_size=len(x), return_dict=True, verbose=0)
    return {k: float(v) for k, v in out.items()}


def q3_train(ns, task, weights, head, x, y, epochs, batch_size, lr=0.01):
    """``compile_for_task`` on a fixed model, then ``fit`` without shuffling; the weights and the history."""
    model = ns["compile_for_task"](_head_model(weights, head), task, float(lr))
    history = model.fit(_f32(x), np.asarray(y), epochs=int(epochs), batch_size=int(batch_size), shuffle=False,
                        verbose=0)
    return {"weights": [np.asarray(w) for w in model.get_weights()],
            "loss": [float(v) for v in history.history["loss"]]}


def q3_f1_metric(ns, weights, x, y):
    """``binary_f1`` as a Keras metric function of a compiled sigmoid model, over one full batch."""
    model = _head_model(weights, "sigmoid")
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[ns["binary_f1"]])
    out = model.evaluate(_f32(x), np.asarray(y, np.float32), batch_size=len(x), return_dict=True, verbose=0)
    return {k: float(v) for k, v in out.items()}


# --------------------------------------------------------------------------------------------
# Q4: the same model trained by fit (reference) and by train_loop (either worker).


def _q4_model(seed, features, classes):
    glorot = tf.keras.initializers.GlorotUniform
    return tf.keras.Sequential([
        tf.keras.Input(shape=(features,)),
        tf.keras.layers.Dense(12, activation="relu", kernel_initializer=glorot(seed),
                              kernel_regularizer=tf.keras.regularizers.L2(0.01)),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dense(classes, kernel_initializer=glorot(seed + 1)),
    ])


def _q4_parts(seed, x, y):
    model = _q4_model(int(seed), x.shape[1], int(np.max(y)) + 1)
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return model, optimizer, loss_fn


def q4_fit(ns, seed, x, y, x_val, y_val, epochs, batch_size):
    """``model.fit`` with ``validation_data`` and no shuffling."""
    x, y, x_val, y_val = _f32(x), np.asarray(y), _f32(x_val), np.asarray(y_val)
    model, optimizer, loss_fn = _q4_parts(seed, x, y)
    model.compile(optimizer=optimizer, loss=loss_fn)
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=int(epochs), batch_size=int(batch_size),
                        shuffle=False, verbose=0)
    return {"weights": [np.asarray(w) for w in model.get_weights()],
            "loss": [float(v) for v in history.history["loss"]],
            "val_loss": [float(v) for v in history.history["val_loss"]]}


def q4_loop(ns, seed, x, y, x_val, y_val, epochs, batch_size):
    """The namespace's ``train_loop`` on the same model, optimizer and data."""
    x, y, x_val, y_val = _f32(x), np.asarray(y), _f32(x_val), np.asarray(y_val)
    model, optimizer, loss_fn = _q4_parts(seed, x, y)
    history = ns["train_loop"](model, x, y, x_val, y_val, optimizer, loss_fn, int(epochs), int(batch_size))
    return {"weights": [np.asarray(w) for w in model.get_weights()],
            "loss": [float(v) for v in history["loss"]], "val_loss": [float(v) for v in history["val_loss"]]}


# --------------------------------------------------------------------------------------------
# Q5


def q5_metrics(ns, weights, x, y, num_classes, batch_size):
    """``evaluate_classifier`` on a softmax regression with the judge's weights ``[W, b]``."""
    import sklearn.metrics  # noqa: F401 - so that the forbidden-call check can resolve its names

    w, b = _f32(weights[0]), _f32(weights[1])
    model = tf.keras.Sequential([tf.keras.Input(shape=(w.shape[0],)),
                                 tf.keras.layers.Dense(w.shape[1], activation="softmax")])
    model.set_weights([w, b])
    out = ns["evaluate_classifier"](model, _f32(x), np.asarray(y), int(num_classes), int(batch_size))
    return dict(out) if isinstance(out, dict) else out


def q5_train_predict(ns, x, y, num_classes, seed, x_test):
    """``train_classifier`` on the judge's training data; its predictions on the judge's held-out inputs."""
    model = ns["train_classifier"](_f32(x), np.asarray(y), int(num_classes), int(seed))
    return {"is_sequential": isinstance(model, tf.keras.Sequential),
            "probs": np.asarray(model.predict(_f32(x_test), verbose=0))}


# --------------------------------------------------------------------------------------------
# Q6: train and save in the student's (or reference's) worker; load in the inspector.


def q6_train(ns, weights, x, y, steps, x_test, save=True):
    """Build with ``build_model``, set the judge's weights, train ``steps`` Adam steps, then ``save_all``."""
    w1, _, w2, _ = weights
    model = ns["build_model"](int(w1.shape[0]), int(w1.shape[1]), int(w2.shape[1]))
    model.set_weights([_f32(w) for w in weights])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    for _ in range(int(steps)):
        model.train_on_batch(_f32(x), np.asarray(y))
    out = {"predictions": np.asarray(model(tf.constant(_f32(x_test))))}
    if save:
        outdir = tempfile.mkdtemp(prefix="a07_save_", dir=os.getcwd())
        paths = ns["save_all"](model, outdir)
        out["outdir"] = os.path.relpath(outdir, os.getcwd())
        out["paths"] = {str(k): os.path.relpath(str(v), os.getcwd()) for k, v in dict(paths).items()}
    return out


def _register_scaled_tanh():
    @tf.keras.utils.register_keras_serializable(package="course")
    def scaled_tanh(x):
        return 1.7159 * tf.math.tanh(2.0 * x / 3.0)

    return scaled_tanh


def inspect_keras(ns, path, x):
    """Load a ``.keras`` file with ``safe_mode=True`` (no custom_objects) and predict."""
    _register_scaled_tanh()
    model = tf.keras.models.load_model(path, safe_mode=True)
    optimizer = getattr(model, "optimizer", None)
    return {"predictions": np.asarray(model(tf.constant(_f32(x)))),
            "optimizer": type(optimizer).__name__ if optimizer is not None else None,
            "iterations": int(optimizer.iterations) if optimizer is not None else -1}


def inspect_savedmodel(ns, path, x):
    """Call a SavedModel's ``serving_default`` signature."""
    loaded = tf.saved_model.load(path)
    if "serving_default" not in loaded.signatures:
        return {"signatures": sorted(loaded.signatures)}
    serve = loaded.signatures["serving_default"]
    names = sorted(serve.structured_input_signature[1])
    outputs = serve(**{names[0]: tf.constant(_f32(x))})
    return {"signatures": sorted(loaded.signatures), "predictions": np.asarray(list(outputs.values())[0])}


def inspect_weights(ns, path, input_dim, hidden, num_classes, x):
    """Load a weights-only file into the course's own copy of the architecture and predict."""
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(int(input_dim),)),
        tf.keras.layers.Dense(int(hidden), activation=_register_scaled_tanh()),
        tf.keras.layers.Dense(int(num_classes)),
    ])
    model.load_weights(path)
    return {"predictions": np.asarray(model(tf.constant(_f32(x))))}


def inspect_listing(ns, path):
    """The names of the files under a folder artefact (or the file's own name)."""
    if os.path.isdir(path):
        return sorted(os.listdir(path))
    return [os.path.basename(path)]
