"""Worker-side probes for A03, TensorFlow 2.x Essentials.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the
student's notebook or of the reference module. Probes run inside the sandboxed worker, so they
hold no expected answers: they build inputs that cannot cross the wire (loss callables, a TF1
graph and its v1 checkpoint, Keras models, local "hub modules"), call the namespace's functions on
them and return plain data. Every model a probe builds is built here, from the seed the judge
passes, never by the namespace's own helpers, so student and reference train the same model.
"""

import os
import tempfile

import numpy as np
import tensorflow as tf

# --------------------------------------------------------------------------------------------
# Q1: loss functions of a float64 vector, built from judge-drawn data.


def _loss_fn(case, a, b):
    a = tf.constant(np.asarray(a, np.float64))
    b = tf.constant(np.asarray(b, np.float64))
    if case == "quadratic":
        # 0.5 x^T A x - b^T x: the minimum is A^-1 b and the Hessian is A.
        return lambda x: 0.5 * tf.tensordot(x, tf.linalg.matvec(a, x), 1) - tf.tensordot(b, x, 1)
    if case == "logsumexp":
        return lambda x: tf.reduce_logsumexp(tf.linalg.matvec(a, x) - b) + 0.05 * tf.reduce_sum(x * x)
    if case == "softplus":
        return lambda x: tf.reduce_sum(tf.nn.softplus(tf.linalg.matvec(a, x) - b)) + 0.1 * tf.reduce_sum(tf.cos(x))
    raise KeyError(f"unknown loss case {case!r}")


def minimize(ns, case, a, b, x0, lr, max_steps, tol):
    """Run ``minimize_eager`` on a loss case; return ``{"x", "history"}``."""
    x, history = ns["minimize_eager"](_loss_fn(case, a, b), np.asarray(x0, np.float64), lr, max_steps, tol)
    return {"x": np.asarray(x), "history": [float(h) for h in history]}


def hvp(ns, case, a, b, x, v):
    """Run ``hessian_vector_product`` on a loss case."""
    return ns["hessian_vector_product"](_loss_fn(case, a, b), np.asarray(x, np.float64), np.asarray(v, np.float64))


# --------------------------------------------------------------------------------------------
# Q2


def ema_with_python_floats(ns, x, alphas):
    """Call ``ema`` the way a careless caller does: NumPy vectors and Python float alphas."""
    fn = ns["ema"]
    return [fn(tf.constant(np.asarray(x, np.float32)), float(alpha)) for alpha in alphas]


# --------------------------------------------------------------------------------------------
# Q3: a real TF1 graph, trained-looking weights, saved by a v1 Saver.


def _v1_graph(sizes, seed):
    v1 = tf.compat.v1
    rng = np.random.default_rng(seed)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, sizes[0]], name="x")
        h = x
        last = len(sizes) - 2
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            with v1.variable_scope(f"dense_{i}"):
                kernel = v1.get_variable("kernel", initializer=rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out))
                                         .astype(np.float32))
                bias = v1.get_variable("bias", initializer=rng.normal(0, 0.3, (n_out,)).astype(np.float32))
            h = tf.matmul(h, kernel) + bias
            if i < last:
                h = tf.nn.relu(h)
        probs = tf.nn.softmax(h, name="probs")
        global_step = v1.train.get_or_create_global_step()
        set_step = v1.assign(global_step, 1000 + seed % 1000)
        saver = v1.train.Saver()
    return graph, x, probs, global_step, set_step, saver


def _folder_for(*key) -> str:
    """A folder named by the request's arguments alone, not a random one.

    A judge that replays stored reference answers and then needs the live reference worker re-runs the test's
    earlier requests in that worker (graders/judge/replay.py); a path in a replayed answer must then exist there too.
    """
    folder = os.path.join(tempfile.gettempdir(), "_".join(str(part) for part in key))
    os.makedirs(folder, exist_ok=True)
    return folder


def build_v1_checkpoint(ns, sizes, seed, x=None):
    """Build the TF1 MLP in a fresh graph, run it in a Session and save it with a v1 Saver.

    The checkpoint goes to a folder named by ``sizes`` and ``seed`` under the worker's own temporary space. Returns the
    checkpoint prefix and, when ``x`` is given, the Session's ``probs`` for ``x`` after restoring
    the checkpoint into a second Session (so the values are the checkpoint's, read back by TF1).
    """
    v1 = tf.compat.v1
    folder = _folder_for("a03_v1", *sizes, seed)
    graph, x_ph, probs, global_step, set_step, saver = _v1_graph(list(sizes), seed)
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        sess.run(set_step)
        prefix = saver.save(sess, os.path.join(folder, "model.ckpt"), global_step=global_step)
    out = {"prefix": prefix}
    if x is not None:
        with v1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            out["probs"] = sess.run(probs, feed_dict={x_ph: np.asarray(x, np.float32)})
    return out


def migrated_outputs(ns, prefix, x):
    """Build ``MigratedMLP(prefix)``, call it twice and describe its variables."""
    module = ns["MigratedMLP"](prefix)
    x = tf.constant(np.asarray(x, np.float32))
    first = module(x)
    n_vars = len(module.variables)
    second = module(x[:1])
    return {
        "probs": first,
        "second_call_row": second,
        "is_tf_module": isinstance(module, tf.Module),
        "n_variables": n_vars,
        "n_variables_after_calls": len(module.variables),
        "n_trainable": len(module.trainable_variables),
        "variable_shapes": sorted(list(v.shape) for v in module.trainable_variables),
    }


def migrate_only(ns, prefix, x):
    """Build the module and run it once (the call the forbidden-call check watches)."""
    return ns["MigratedMLP"](prefix)(tf.constant(np.asarray(x, np.float32)))


def saved_model_roundtrip(ns, prefix, x):
    """Export ``MigratedMLP(prefix)`` with ``export_migrated`` and reload it in this same sandboxed worker."""
    module = ns["MigratedMLP"](prefix)
    folder = os.path.join(tempfile.mkdtemp(prefix="a03_sm_"), "migrated")
    ns["export_migrated"](module, folder)
    loaded = tf.saved_model.load(folder)
    return {"reloaded": loaded(tf.constant(np.asarray(x, np.float32))),
            "has_saved_model_pb": os.path.exists(os.path.join(folder, "saved_model.pb"))}


def import_v1_training(ns):
    """Import the v1 training module, so the forbidden-call check can resolve names in it."""
    import tensorflow.compat.v1.train  # noqa: F401

    return True


# --------------------------------------------------------------------------------------------
# Q4: the same model trained by fit (reference worker) and by train_custom (either worker).


class _CountCalls(tf.keras.layers.Layer):
    """An identity layer that counts how often its Python ``call`` runs (once per trace in a graph)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        return tf.identity(inputs)


def _classifier(case, seed, n_features, n_classes):
    glorot = tf.keras.initializers.GlorotUniform
    l2 = tf.keras.regularizers.L2(0.01)
    counter = _CountCalls()
    layers = [tf.keras.layers.Dense(16, kernel_initializer=glorot(seed), kernel_regularizer=l2,
                                    input_shape=(n_features,))]
    if case == "batchnorm_sgd":
        layers.append(tf.keras.layers.BatchNormalization(momentum=0.9))
    layers += [tf.keras.layers.Activation("relu"), counter,
               tf.keras.layers.Dense(n_classes, kernel_initializer=glorot(seed + 1),
                                     kernel_regularizer=tf.keras.regularizers.L2(0.005))]
    model = tf.keras.Sequential(layers)
    optimizer = tf.keras.optimizers.SGD(0.1) if case == "batchnorm_sgd" else tf.keras.optimizers.Adam(0.01)
    return model, optimizer, counter


def _dataset(x, y, batch):
    return tf.data.Dataset.from_tensor_slices((np.asarray(x, np.float32), np.asarray(y, np.int32))).batch(batch)


def _loss():
    return tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def fit_run(ns, case, seed, x, y, epochs, batch):
    """Train the case's model with ``model.fit`` (shuffle off); return its weights and history."""
    model, optimizer, _ = _classifier(case, seed, np.shape(x)[1], int(np.max(y)) + 1)
    model.compile(optimizer=optimizer, loss=_loss())
    history = model.fit(_dataset(x, y, batch), epochs=epochs, shuffle=False, verbose=0)
    return {"weights": [w.numpy() for w in model.weights], "losses": [float(v) for v in history.history["loss"]]}


def custom_run(ns, case, seed, x, y, epochs, batch):
    """Train the case's model with the namespace's ``train_custom``; also count forward traces."""
    model, optimizer, counter = _classifier(case, seed, np.shape(x)[1], int(np.max(y)) + 1)
    counter.calls = 0
    losses = ns["train_custom"](model, _dataset(x, y, batch), optimizer, _loss(), epochs)
    return {
        "weights": [w.numpy() for w in model.weights],
        "losses": [float(v) for v in losses],
        "forward_python_calls": counter.calls,
    }


# --------------------------------------------------------------------------------------------
# Q6: a local "hub module": a small Keras feature extractor saved as a TF2 SavedModel.


_BATCHES_ASKED = []


def withhold_early_batches(ns, before_step):
    """After a kill: ``make_batch`` gives NaN batches for the steps before ``before_step`` and records every step asked.

    A run resumed from a checkpoint past ``before_step`` never asks for those steps again; a run that starts over and
    retrains from step 0 (a deterministic rerun that only looks like a resume) gets NaN weights.
    """
    original = ns["make_batch"]

    def make_batch(seed, step, *args, **kwargs):
        _BATCHES_ASKED.append(int(step))
        x, y = original(seed, step, *args, **kwargs)
        if int(step) < before_step:
            return x * float("nan"), y * float("nan")
        return x, y

    ns["make_batch"] = make_batch
    _BATCHES_ASKED.clear()
    return True


def batches_asked(ns):
    """The steps whose batch ``make_batch`` gave since ``withhold_early_batches``, in order."""
    return list(_BATCHES_ASKED)


def make_hub_module(ns, seed, input_dim, width):
    """Save a seeded two-layer feature extractor as a SavedModel in a local folder named by the arguments; return
    the path."""
    glorot = tf.keras.initializers.GlorotUniform
    extractor = tf.keras.Sequential([
        tf.keras.layers.Dense(width, activation="relu", kernel_initializer=glorot(seed), input_shape=(input_dim,)),
        tf.keras.layers.Dense(width, activation="tanh", kernel_initializer=glorot(seed + 1)),
    ])
    folder = os.path.join(_folder_for("a03_hub", seed, input_dim, width), "extractor")
    tf.saved_model.save(extractor, folder)
    return folder


def hub_run(ns, handle, trainable, x, y, x_test, epochs, lr, seed):
    """Build a classifier with ``build_hub_classifier``, fine-tune it and report what changed."""
    import tensorflow_hub as hub

    x = np.asarray(x, np.float32)
    model = ns["build_hub_classifier"](handle, x.shape[1], int(np.max(y)) + 1, trainable, seed)
    hub_layers = [layer for layer in model.layers if isinstance(layer, hub.KerasLayer)]
    hub_before = [w.numpy().copy() for layer in hub_layers for w in layer.weights]
    n_trainable = len(model.trainable_variables)
    losses = ns["fine_tune"](model, x, np.asarray(y, np.int32), epochs, lr)
    hub_after = [w.numpy() for layer in hub_layers for w in layer.weights]
    logits = model(tf.constant(np.asarray(x_test, np.float32)), training=False)
    return {
        "n_hub_layers": len(hub_layers),
        "n_trainable_before_fit": n_trainable,
        "hub_change": float(max((np.max(np.abs(a - b)) for a, b in zip(hub_before, hub_after, strict=True)),
                                default=-1.0)),
        "weights": [w.numpy() for w in model.weights],
        "losses": [float(v) for v in losses],
        "predicted": np.argmax(np.asarray(logits), axis=1).astype(np.int64),
    }
