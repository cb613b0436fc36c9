"""Worker-side probes for A13, Training Strategies.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes run inside the sandboxed worker and hold no expected answers: they build the problems,
models and data from what the judge passes (loss functions, Keras models from a seed), call the namespace's code on
them, and return what they observe (weights, optimizer iteration counts, rows the model saw). The ``keras_*`` probes
run TensorFlow's own optimisers, schedules, layers and callbacks on the same inputs; the judge calls them in the
reference worker and compares.
"""

import numpy as np
import tensorflow as tf

# --------------------------------------------------------------------------------------------
# Q1: one problem, two optimisers.


def _loss_fn(a, c):
    a = tf.constant(np.asarray(a, np.float32))
    c = tf.constant(np.asarray(c, np.float32))

    def loss(w):
        d = w - c
        # An ill-conditioned quadratic plus a non-quadratic term, so gradients depend on the path.
        return 0.5 * tf.reduce_sum(d * tf.linalg.matvec(a, d)) + 0.3 * tf.reduce_sum(tf.math.log(tf.cosh(w)))

    return loss


def run_optimize(ns, rule, a, c, w0, steps, lr, hp, raw=False):
    """The namespace's hand-written ``optimize`` on the probe's loss (as returned when ``raw``)."""
    out = ns["optimize"](rule, _loss_fn(a, c), np.asarray(w0, np.float32), int(steps), float(lr), **hp)
    return out if raw else np.asarray(out, np.float32)


def keras_optimize(ns, rule, a, c, w0, steps, lr, hp):
    """TensorFlow's own optimiser for ``rule`` on the same loss, same start: the trajectory."""
    k = tf.keras.optimizers
    hp = dict(hp)
    wd = hp.pop("weight_decay", 0.0)
    if rule == "sgd":
        opt = k.SGD(lr)
    elif rule in ("momentum", "nesterov"):
        opt = k.SGD(lr, momentum=hp.get("momentum", 0.9), nesterov=rule == "nesterov")
    elif rule == "rmsprop":
        opt = k.RMSprop(lr, rho=hp.get("rho", 0.9), epsilon=hp.get("epsilon", 1e-7))
    elif rule in ("adam", "adam_l2"):
        opt = k.Adam(lr, beta_1=hp.get("beta_1", 0.9), beta_2=hp.get("beta_2", 0.999), epsilon=hp.get("epsilon", 1e-7))
    elif rule == "adamw":
        opt = k.AdamW(lr, weight_decay=wd, beta_1=hp.get("beta_1", 0.9), beta_2=hp.get("beta_2", 0.999),
                      epsilon=hp.get("epsilon", 1e-7))
    else:
        raise KeyError(rule)
    base = _loss_fn(a, c)
    loss = (lambda w: base(w) + 0.5 * wd * tf.reduce_sum(w * w)) if rule == "adam_l2" else base
    w = tf.Variable(np.asarray(w0, np.float32))
    out = [w.numpy().copy()]
    for _ in range(int(steps)):
        with tf.GradientTape() as tape:
            value = loss(w)
        opt.apply_gradients([(tape.gradient(value, w), w)])
        out.append(w.numpy().copy())
    return np.stack(out)


# --------------------------------------------------------------------------------------------
# Q2: schedules evaluated eagerly, in a graph, after a config round trip and inside model.fit.

_KERAS_SCHEDULES = {
    "WarmupCosine": lambda kw: tf.keras.optimizers.schedules.CosineDecay(
        0.0, kw["decay_steps"], alpha=kw.get("alpha", 0.0), warmup_target=kw["peak_lr"],
        warmup_steps=kw["warmup_steps"]),
    "StepDecay": lambda kw: tf.keras.optimizers.schedules.ExponentialDecay(
        kw["initial_lr"], kw["steps_per_drop"], kw["drop"], staircase=True),
}


def schedule_values(ns, cls, kwargs, steps, how="eager"):
    """Values of ``ns[cls](**kwargs)`` at ``steps``: eagerly, in a tf.function with a symbolic int64
    step, or after ``from_config(get_config())``."""
    sched = ns[cls](**kwargs)
    if how == "graph":
        fn = tf.function(lambda s: tf.cast(sched(s), tf.float32),
                         input_signature=[tf.TensorSpec([], tf.int64)], autograph=False)
        return np.array([float(fn(tf.constant(int(s), tf.int64))) for s in steps], np.float64)
    if how == "config":
        sched = type(sched).from_config(sched.get_config())
    return np.array([float(sched(tf.constant(int(s), tf.int64))) for s in steps], np.float64)


def keras_schedule_values(ns, cls, kwargs, steps):
    sched = _KERAS_SCHEDULES[cls](kwargs)
    return np.array([float(sched(tf.constant(int(s), tf.int64))) for s in steps], np.float64)


def fit_with_schedule(ns, cls, kwargs, seed, x, y, batch_size):
    """One epoch of ``model.fit`` with ``SGD(learning_rate=schedule)``: the weights and the steps run."""
    sched = ns[cls](**kwargs)
    model = _mlp(seed, np.asarray(x).shape[1], 1)
    opt = tf.keras.optimizers.SGD(learning_rate=sched)
    model.compile(optimizer=opt, loss="mse")
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), batch_size=int(batch_size), epochs=1,
              shuffle=False, verbose=0)
    return {"weights": model.get_weights(), "iterations": int(opt.iterations.numpy())}


def keras_fit_with_lr_list(ns, lrs, seed, x, y, batch_size):
    """The same epoch with the learning rate of step ``i`` set to ``lrs[i]`` by hand (no schedule)."""
    model = _mlp(seed, np.asarray(x).shape[1], 1)
    opt = tf.keras.optimizers.SGD(learning_rate=0.0)
    model.compile(optimizer=opt, loss="mse")
    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.float32)
    for i, start in enumerate(range(0, len(x), int(batch_size))):
        opt.learning_rate.assign(float(lrs[i]))
        model.train_on_batch(x[start:start + batch_size], y[start:start + batch_size])
    return {"weights": model.get_weights(), "iterations": int(opt.iterations.numpy())}


def range_test(ns, seed, x, y, min_lr, max_lr, num_steps, batch_size):
    """``lr_range_test`` on a model and data the probe makes; what the optimizer did is read off it."""
    model = _mlp(seed, np.asarray(x).shape[1], 1)
    opt = tf.keras.optimizers.SGD(learning_rate=1e-3)
    model.compile(optimizer=opt, loss="mse")
    out = ns["lr_range_test"](model, np.asarray(x, np.float32), np.asarray(y, np.float32), float(min_lr),
                              float(max_lr), int(num_steps), int(batch_size))
    return {"lr": np.asarray(out["lr"], np.float64), "loss": np.asarray(out["loss"], np.float64),
            "iterations": int(opt.iterations.numpy()), "last_lr": float(opt.learning_rate.numpy()),
            "weights": model.get_weights()}


# --------------------------------------------------------------------------------------------
# Shared models


def _mlp(seed, features, outputs, hidden=16, counter=None):
    glorot = tf.keras.initializers.GlorotUniform
    layers = [tf.keras.Input((features,))]
    if counter is not None:
        layers.append(counter)
    layers += [tf.keras.layers.Dense(hidden, activation="tanh", kernel_initializer=glorot(seed)),
               tf.keras.layers.Dense(outputs, kernel_initializer=glorot(seed + 1),
                                     bias_initializer=tf.keras.initializers.RandomNormal(0, 0.1, seed=seed + 2))]
    return tf.keras.Sequential(layers)


class _RowCounter(tf.keras.layers.Layer):
    """Identity layer that records the largest batch it saw and how many batches, in eager mode and in graphs."""

    def __init__(self):
        super().__init__()
        self.max_rows = tf.Variable(0, dtype=tf.int32, trainable=False)
        self.batches = tf.Variable(0, dtype=tf.int32, trainable=False)

    def call(self, x):
        self.max_rows.assign(tf.maximum(self.max_rows, tf.shape(x)[0]))
        self.batches.assign_add(1)
        return tf.identity(x)


# --------------------------------------------------------------------------------------------
# Q3


def _per_example_mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(tf.cast(y_true, tf.float32) - y_pred), axis=-1)


def accumulated(ns, seed, x, y, micro_batch):
    counter = _RowCounter()
    model = _mlp(seed, np.asarray(x).shape[1], np.asarray(y).shape[1], counter=counter)
    counter.max_rows.assign(0)
    counter.batches.assign(0)
    grads = ns["accumulated_gradients"](model, _per_example_mse, tf.constant(np.asarray(x, np.float32)),
                                        tf.constant(np.asarray(y, np.float32)), int(micro_batch))
    return {"grads": [np.asarray(g) for g in grads], "max_rows": int(counter.max_rows.numpy()),
            "batches": int(counter.batches.numpy())}


def full_batch_gradient(ns, seed, x, y):
    model = _mlp(seed, np.asarray(x).shape[1], np.asarray(y).shape[1])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(_per_example_mse(tf.constant(np.asarray(y, np.float32)),
                                               model(tf.constant(np.asarray(x, np.float32)))))
    return [np.asarray(g) for g in tape.gradient(loss, model.trainable_variables)]


def _optimizer(kind):
    if kind == "adam":
        return tf.keras.optimizers.Adam(0.01)
    return tf.keras.optimizers.SGD(0.1, momentum=0.9)


def train_accumulated(ns, kind, seed, x, y, batch_size, accum_steps):
    counter = _RowCounter()
    model = _mlp(seed, np.asarray(x).shape[1], np.asarray(y).shape[1], counter=counter)
    counter.max_rows.assign(0)
    opt = _optimizer(kind)
    ns["train_accumulated"](model, opt, _per_example_mse, tf.constant(np.asarray(x, np.float32)),
                            tf.constant(np.asarray(y, np.float32)), int(batch_size), int(accum_steps))
    return {"weights": [w for w in model.get_weights() if w.dtype == np.float32],
            "iterations": int(opt.iterations.numpy()), "max_rows": int(counter.max_rows.numpy())}


def keras_fit_large_batch(ns, kind, seed, x, y, batch):
    model = _mlp(seed, np.asarray(x).shape[1], np.asarray(y).shape[1])
    opt = _optimizer(kind)
    model.compile(optimizer=opt, loss="mse")
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), batch_size=int(batch), epochs=1,
              shuffle=False, verbose=0)
    return {"weights": model.get_weights(), "iterations": int(opt.iterations.numpy())}


# --------------------------------------------------------------------------------------------
# Q4


def _reg_model(seed, features, l1=None, l2=None):
    reg = tf.keras.regularizers.L1L2(l1, l2) if l1 is not None else None
    glorot = tf.keras.initializers.GlorotUniform
    return tf.keras.Sequential([
        tf.keras.Input((features,)),
        tf.keras.layers.Dense(8, activation="relu", kernel_initializer=glorot(seed), kernel_regularizer=reg,
                              bias_initializer="ones"),
        tf.keras.layers.Dense(2, kernel_initializer=glorot(seed + 1), kernel_regularizer=reg,
                              bias_initializer=tf.keras.initializers.RandomNormal(0, 1.0, seed=seed)),
    ])


def reg_loss(ns, seed, x, y, l1, l2):
    model = _reg_model(seed, np.asarray(x).shape[1])
    return ns["regularized_loss"](model, tf.constant(np.asarray(x, np.float32)),
                                  tf.constant(np.asarray(y, np.float32)), float(l1), float(l2))


def keras_reg_loss(ns, seed, x, y, l1, l2):
    model = _reg_model(seed, np.asarray(x).shape[1], l1, l2)
    model.compile(loss="mse")
    pred = model(tf.constant(np.asarray(x, np.float32)), training=False)
    return model.compiled_loss(tf.constant(np.asarray(y, np.float32)), pred, regularization_losses=model.losses)


def reg_loss_gradient(ns, seed, x, y, l1, l2, which="student"):
    model = _reg_model(seed, np.asarray(x).shape[1], *(() if which == "student" else (l1, l2)))
    xt, yt = tf.constant(np.asarray(x, np.float32)), tf.constant(np.asarray(y, np.float32))
    with tf.GradientTape() as tape:
        if which == "student":
            loss = ns["regularized_loss"](model, xt, yt, float(l1), float(l2))
        else:
            model.compile(loss="mse")
            loss = model.compiled_loss(yt, model(xt, training=False), regularization_losses=model.losses)
    return [None if g is None else np.asarray(g) for g in tape.gradient(loss, model.trainable_variables)]


def penalty_gradient(ns, weights, l1, l2):
    ws = [tf.Variable(np.asarray(w, np.float32)) for w in weights]
    with tf.GradientTape() as tape:
        value = ns["elastic_net_penalty"](ws, float(l1), float(l2))
    return {"value": value, "grads": [None if g is None else np.asarray(g) for g in tape.gradient(value, ws)]}


# --------------------------------------------------------------------------------------------
# Q5


def keras_dropout(ns, x, rate):
    layer = tf.keras.layers.Dropout(rate)
    x = tf.constant(np.asarray(x, np.float32))
    return {"train": layer(x, training=True), "infer": layer(x, training=False)}


def bn_run(ns, which, batches, x_test, init, momentum, epsilon):
    """Five training calls, then inference, on the namespace's BatchNorm or on Keras's (fused=False)."""
    if which == "keras":
        layer = tf.keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, fused=False)
    else:
        layer = ns["BatchNorm"](momentum=momentum, epsilon=epsilon)
    first = tf.constant(np.asarray(batches[0], np.float32))
    layer(first, training=False)
    layer.set_weights([np.asarray(w, np.float32) for w in init])
    train_out, grads = [], None
    for i, b in enumerate(batches):
        xb = tf.Variable(np.asarray(b, np.float32))
        with tf.GradientTape() as tape:
            out = layer(xb, training=True)
            loss = tf.reduce_sum(out * tf.cos(tf.range(tf.size(out), dtype=tf.float32)[: out.shape[-1]]))
        if i == 0:
            grads = [np.asarray(g) for g in tape.gradient(loss, [xb, layer.trainable_weights[0],
                                                                 layer.trainable_weights[1]])]
        train_out.append(np.asarray(out))
    return {"train": train_out, "grads": grads,
            "weights": [np.asarray(w) for w in layer.get_weights()],
            "infer": np.asarray(layer(tf.constant(np.asarray(x_test, np.float32)), training=False)),
            "n_trainable": len(layer.trainable_weights), "n_weights": len(layer.weights)}


def bn_fresh(ns, which, x):
    """A freshly built layer (its own initial weights): inference, then one training call."""
    if which == "keras":
        layer = tf.keras.layers.BatchNormalization(fused=False)
    else:
        layer = ns["BatchNorm"]()
    x = tf.constant(np.asarray(x, np.float32))
    infer = np.asarray(layer(x, training=False))
    return {"infer": infer, "train": np.asarray(layer(x * 0.5, training=True))}


# --------------------------------------------------------------------------------------------
# Q6


def _callback(ns, which, kwargs):
    if which == "keras":
        return tf.keras.callbacks.EarlyStopping(**kwargs)
    return ns["EarlyStoppingByHand"](**kwargs)


def scripted(ns, which, values, kwargs, monitor):
    """Drive the callback through the scripted epoch values; the weights change every epoch."""
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.compile(loss="mse")
    cb = _callback(ns, which, dict(kwargs, monitor=monitor))
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin({})
    stops, epochs = [], 0
    for epoch, value in enumerate(values):
        model.set_weights([np.full((3, 2), float(epoch + 1), np.float32), np.full((2,), -float(epoch), np.float32)])
        logs = {} if value is None else {monitor: float(value)}
        cb.on_epoch_end(epoch, logs)
        epochs += 1
        stops.append(bool(model.stop_training))
        if model.stop_training:
            break
    cb.on_train_end({})
    return {"stops": stops, "epochs": epochs, "stopped_epoch": int(cb.stopped_epoch),
            "best_epoch": int(getattr(cb, "best_epoch", -1)),
            "final_weights": [float(w.ravel()[0]) for w in model.get_weights()]}


def real_run(ns, which, seed, x, y, xv, yv, kwargs, max_epochs):
    """A real ``model.fit`` with the callback: epochs run, validation losses, final weights."""
    glorot = tf.keras.initializers.GlorotUniform
    model = tf.keras.Sequential([
        tf.keras.Input((np.asarray(x).shape[1],)),
        tf.keras.layers.Dense(64, activation="relu", kernel_initializer=glorot(seed)),
        tf.keras.layers.Dense(int(np.max(y)) + 1, kernel_initializer=glorot(seed + 1)),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    cb = _callback(ns, which, kwargs)
    hist = model.fit(np.asarray(x, np.float32), np.asarray(y), validation_data=(np.asarray(xv, np.float32),
                     np.asarray(yv)), epochs=int(max_epochs), batch_size=64, shuffle=False, verbose=0, callbacks=[cb])
    return {"epochs": len(hist.epoch), "val_loss": np.asarray(hist.history["val_loss"], np.float64),
            "weights": model.get_weights()}


def import_sklearn(ns):
    """Import scikit-learn's linear models, so the forbidden-call check can resolve names in them."""
    import sklearn.linear_model  # noqa: F401

    return True


def import_batchnorm_ops(ns):
    """Import the modules of the library normalisation routines the forbidden-call check names."""
    import tensorflow.compat.v1.nn  # noqa: F401

    return True
