"""Worker-side probes for A14, Advanced Training Techniques.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or
of the reference module. Probes run inside the sandboxed worker and hold no expected answers. The "pretrained"
base is trained once by ``pretrain_base`` in the reference worker; the judge hands its weights to both workers,
where the probes rebuild it with their own code, so both sides start from the same base. Probes build the models
and optimizers they pass in, drive the student's functions, and return weights, outputs and orders of examples;
the judge compares those with the reference's or with its own NumPy, and keeps every held-out label.
"""

import tempfile

import numpy as np
import tensorflow as tf

_CACHE = {}
BN = tf.keras.layers.BatchNormalization


def _make_base(input_dim=64, units=(64, 64, 32)):
    layers = [tf.keras.Input(shape=(input_dim,))]
    for i, u in enumerate(units):
        layers += [tf.keras.layers.Dense(int(u), name=f"dense_{i}"), BN(name=f"bn_{i}"),
                   tf.keras.layers.Activation("relu", name=f"relu_{i}")]
    return tf.keras.Sequential(layers, name="base")


def _base(weights):
    base = _make_base()
    base.set_weights([np.asarray(w, np.float32) for w in weights])
    return base


def _arrays(weights):
    return [np.asarray(w) for w in weights]


def pretrain_base(ns, x, y, seed, epochs=30):
    """The source task: 10-class digits on the source half. Returns the base's weights (BN statistics included)."""
    x, y = np.asarray(x, np.float32), np.asarray(y)
    key = (x.shape, float(x.sum()), int(y.sum()), int(seed), int(epochs))
    if key not in _CACHE:
        tf.keras.utils.set_random_seed(int(seed))
        base = _make_base()
        model = tf.keras.Sequential([base, tf.keras.layers.Dense(10)])
        model.compile(optimizer=tf.keras.optimizers.Adam(3e-3),
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, epochs=int(epochs), batch_size=64, verbose=0)
        _CACHE[key] = [w.copy() for w in base.get_weights()]
    return [w.copy() for w in _CACHE[key]]


def _transfer_model(base, num_classes=3):
    inputs = tf.keras.Input(shape=(64,))
    outputs = tf.keras.layers.Dense(num_classes, name="head")(base(inputs, training=False))
    return tf.keras.Model(inputs, outputs)


# --------------------------------------------------------------------------------------------
# Q1


def load_base_report(ns, weights, x):
    """Save the base as a SavedModel, load it with the student's ``load_pretrained_base``, run it both ways."""
    base = _base(weights)
    path = tempfile.mkdtemp(prefix="a14_base_") + "/base"
    base.save(path, save_format="tf")
    loaded = ns["load_pretrained_base"](path)
    if not isinstance(loaded, tf.keras.Model):
        return {"is_model": False, "type": type(loaded).__name__}
    x = tf.constant(np.asarray(x, np.float32))
    return {"is_model": True,
            "inference": np.asarray(loaded(x, training=False)),
            "training_call": np.asarray(loaded(x, training=True)),
            "trainable_shapes": [list(w.shape) for w in loaded.trainable_weights],
            "bn_layers": sum(isinstance(layer, BN) for layer in loaded.layers),
            "weights_after": _arrays(loaded.get_weights())}


def features_report(ns, weights, x):
    base = _base(weights)
    feats = ns["extract_features"](base, np.asarray(x, np.float32))
    return {"features": np.asarray(feats), "weights_after": _arrays(base.get_weights())}


def feature_extractor_report(ns, weights, head, x, y):
    """Build with the student's function, put the judge's head weights in, then let Keras train it one epoch."""
    base = _base(weights)
    model = ns["build_feature_extractor"](base, 3)
    shapes = [list(w.shape) for w in model.trainable_weights]
    report = {"trainable_shapes": shapes}
    if shapes != [list(np.shape(w)) for w in head]:
        return report
    for var, w in zip(model.trainable_weights, head, strict=True):
        var.assign(np.asarray(w, np.float32))
    x = tf.constant(np.asarray(x, np.float32))
    report["logits"] = np.asarray(model(x, training=True))
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, np.asarray(y), epochs=1, batch_size=16, shuffle=False, verbose=0)
    report["base_after"] = _arrays(base.get_weights())
    report["head_changed"] = bool(any(np.any(np.asarray(v) != np.asarray(w))
                                      for v, w in zip(model.trainable_weights, head, strict=True)))
    return report


def train_fe_report(ns, weights, x, y, x_test, seed=None):
    base = _base(weights)
    if seed is not None:
        tf.keras.utils.set_random_seed(int(seed))
    model = ns["train_feature_extractor"](base, np.asarray(x, np.float32), np.asarray(y), 3)
    logits = np.asarray(model(tf.constant(np.asarray(x_test, np.float32)), training=False))
    return {"pred": np.argmax(logits, axis=1).astype(np.int64), "base_after": _arrays(base.get_weights()),
            "logits": logits}


# --------------------------------------------------------------------------------------------
# Q2


def unfreeze_report(ns, weights, sequence):
    """Trainable flags of every base layer (and of its variables) after each ``unfreeze_top(base, n)``."""
    base = _base(weights)
    model = _transfer_model(base)
    out = []
    for n in sequence:
        ns["unfreeze_top"](base, int(n))
        trainable_ids = {id(v) for v in model.trainable_weights}
        out.append({"layers": [bool(layer.trainable) for layer in base.layers],
                    "variables": [id(v) in trainable_ids for v in base.weights]})
    return out


def tuner_report(ns, weights, head, x, y, n_unfrozen, head_lr, base_lr, steps):
    """The probe's own transfer model with the top ``n_unfrozen`` Dense layers trainable; the student's tuner steps."""
    base = _base(weights)
    model = _transfer_model(base)
    model.layers[-1].set_weights([np.asarray(w, np.float32) for w in head])
    base.trainable = True
    dense = [layer for layer in base.layers if isinstance(layer, tf.keras.layers.Dense)]
    for layer in base.layers:
        layer.trainable = layer in dense[len(dense) - int(n_unfrozen):] if n_unfrozen else False
    tuner = ns["DiscriminativeFineTuner"](model, base, float(head_lr), float(base_lr))
    x, y = tf.constant(np.asarray(x, np.float32)), tf.constant(np.asarray(y))
    losses = [float(tuner.train_step(x, y)) for _ in range(int(steps))]
    return {"losses": losses, "base": _arrays(base.get_weights()), "head": _arrays(model.layers[-1].get_weights())}


def bn_report(ns, weights, head, x, y):
    """The student's transfer model; then the whole base is unfrozen and Keras trains it for one epoch."""
    base = _base(weights)
    model = ns["build_transfer_model"](base, 3)
    shapes = [list(w.shape) for w in model.trainable_weights]
    report = {"trainable_shapes": shapes}
    if shapes != [list(np.shape(w)) for w in head]:
        return report
    for var, w in zip(model.trainable_weights, head, strict=True):
        var.assign(np.asarray(w, np.float32))
    x_t = tf.constant(np.asarray(x, np.float32))
    report["logits_before"] = np.asarray(model(x_t, training=False))
    base.trainable = True
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_t, np.asarray(y), epochs=1, batch_size=16, shuffle=False, verbose=0)
    report["base_after"] = _arrays(base.get_weights())
    report["training_call"] = np.asarray(model(x_t, training=True))
    report["inference_call"] = np.asarray(model(x_t, training=False))
    return report


def fine_tune_report(ns, weights, x, y, x_test):
    base = _base(weights)
    model = ns["fine_tune"](base, np.asarray(x, np.float32), np.asarray(y), 3)
    logits = np.asarray(model(tf.constant(np.asarray(x_test, np.float32)), training=False))
    return {"pred": np.argmax(logits, axis=1).astype(np.int64), "base_after": _arrays(base.get_weights())}


# --------------------------------------------------------------------------------------------
# Q3

TASKS = ("digit", "parity", "ink")


def _mt_model():
    inputs = tf.keras.Input(shape=(64,))
    h = tf.keras.layers.Dense(64, activation="relu")(inputs)
    h = tf.keras.layers.Dense(32, activation="relu")(h)
    outputs = {"digit": tf.keras.layers.Dense(10)(h), "parity": tf.keras.layers.Dense(1)(h),
               "ink": tf.keras.layers.Dense(1)(h)}
    return tf.keras.Model(inputs, outputs)


def _targets(y):
    return {"digit": tf.constant(np.asarray(y["digit"], np.int64)),
            "parity": tf.constant(np.asarray(y["parity"], np.float32)),
            "ink": tf.constant(np.asarray(y["ink"], np.float32))}


def mt_forward(ns, weights, x):
    model = ns["build_multitask_model"](64, (64, 32), 10)
    shapes = [list(np.shape(w)) for w in model.get_weights()]
    report = {"shapes": shapes, "shared": None}
    if shapes != [list(np.shape(w)) for w in weights]:
        return report
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    out = model(tf.constant(np.asarray(x, np.float32)), training=False)
    if not isinstance(out, dict):
        report["type"] = type(out).__name__
        return report
    report["outputs"] = {k: np.asarray(v) for k, v in out.items()}
    return report


def task_losses_probe(ns, y, pred):
    losses = ns["task_losses"](_targets(y), {k: tf.constant(np.asarray(v, np.float32)) for k, v in pred.items()})
    return {k: np.asarray(v) for k, v in losses.items()}


def weighted_total_probe(ns, losses, weights):
    return np.asarray(ns["weighted_total"]({k: tf.constant(np.float32(v)) for k, v in losses.items()},
                                           {k: float(v) for k, v in weights.items()}))


def uncertainty_report(ns, losses, log_vars, steps, lr):
    layer = ns["UncertaintyWeighting"](len(losses))
    constants = [tf.constant(np.float32(v)) for v in losses]
    layer(constants)
    report = {"initial": _arrays(layer.trainable_weights)}
    if len(layer.trainable_weights) != 1:
        return report
    var = layer.trainable_weights[0]
    var.assign(np.asarray(log_vars, np.float32))
    with tf.GradientTape() as tape:
        value = layer(constants)
    report["value"] = np.asarray(value)
    grad = tape.gradient(value, var)
    report["grad"] = None if grad is None else np.asarray(grad)
    var.assign(np.zeros(len(losses), np.float32))
    opt = tf.keras.optimizers.SGD(float(lr))
    for _ in range(int(steps)):
        with tf.GradientTape() as tape:
            value = layer(constants)
        opt.apply_gradients([(tape.gradient(value, var), var)])
    report["converged"] = np.asarray(var)
    return report


def per_task_report(ns, weights, x, y):
    model = _mt_model()
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    grads = ns["per_task_gradients"](model, tf.constant(np.asarray(x, np.float32)), _targets(y))
    names = [v.name for v in model.trainable_variables]
    return {"names": names, "grads": {t: [None if g is None else np.asarray(g) for g in grads[t]] for t in TASKS}}


def mt_step_report(ns, weights, x, y, steps):
    model = _mt_model()
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    weighting = ns["UncertaintyWeighting"](3)
    opt = tf.keras.optimizers.Adam(1e-2)
    x, targets = tf.constant(np.asarray(x, np.float32)), _targets(y)
    totals = [float(ns["multitask_train_step"](model, weighting, opt, x, targets)) for _ in range(int(steps))]
    return {"totals": totals, "weights": _arrays(model.get_weights()), "log_vars": _arrays(weighting.get_weights())}


def mt_train_report(ns, x, y, x_test, epochs, seed):
    tf.keras.utils.set_random_seed(int(seed))
    model = ns["build_multitask_model"](64, (64, 32), 10)
    weighting = ns["UncertaintyWeighting"](3)
    opt = tf.keras.optimizers.Adam(3e-3)
    step = tf.function(lambda a, b: ns["multitask_train_step"](model, weighting, opt, a, b))
    x = np.asarray(x, np.float32)
    targets = {k: np.asarray(v) for k, v in y.items()}
    order_rng = np.random.default_rng(int(seed))
    for _ in range(int(epochs)):
        order = order_rng.permutation(len(x))
        for start in range(0, len(x), 100):
            idx = order[start:start + 100]
            step(tf.constant(x[idx]), _targets({k: v[idx] for k, v in targets.items()}))
    out = model(tf.constant(np.asarray(x_test, np.float32)), training=False)
    return {"digit": np.argmax(np.asarray(out["digit"]), axis=1).astype(np.int64),
            "parity": (np.asarray(out["parity"])[:, 0] > 0).astype(np.int64),
            "ink": np.asarray(out["ink"])[:, 0], "log_vars": _arrays(weighting.get_weights())}


# --------------------------------------------------------------------------------------------
# Q4


def difficulty_probe(ns, weights, x, y):
    model = tf.keras.Sequential([tf.keras.Input(shape=(np.shape(x)[1],)),
                                 tf.keras.layers.Dense(np.shape(weights[0])[1], activation="relu"),
                                 tf.keras.layers.Dropout(0.5),
                                 tf.keras.layers.Dense(np.shape(weights[2])[1])])
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    return np.asarray(ns["difficulty_scores"](model, np.asarray(x, np.float32), np.asarray(y)))


def dataset_order(ns, x, y, scores, total_steps, batch_size, kind, anti):
    """Iterate the student's dataset and map every row it yields back to its index in ``x``."""
    x, y = np.asarray(x, np.float32), np.asarray(y)
    lookup = {row.tobytes(): i for i, row in enumerate(x)}
    ds = ns["curriculum_dataset"](x, y, np.asarray(scores), int(total_steps), int(batch_size), kind=kind,
                                  anti=bool(anti), seed=3)
    order, labels_ok, shapes = [], True, []
    for xb, yb in ds.take(int(total_steps) + 1):
        xb, yb = np.asarray(xb, np.float32), np.asarray(yb)
        shapes.append(list(xb.shape))
        idx = [lookup.get(row.tobytes(), -1) for row in xb]
        labels_ok = labels_ok and all(i >= 0 and y[i] == lab for i, lab in zip(idx, yb, strict=True))
        order.append(idx)
    return {"order": order, "labels_ok": bool(labels_ok), "shapes": shapes}


# --------------------------------------------------------------------------------------------
# Q5


def _make_encoder():
    return tf.keras.Sequential([tf.keras.Input(shape=(8, 8, 1)), tf.keras.layers.Flatten(),
                                tf.keras.layers.Dense(128, activation="relu"), tf.keras.layers.Dense(16)])


def _make_decoder():
    return tf.keras.Sequential([tf.keras.Input(shape=(16,)), tf.keras.layers.Dense(128, activation="relu"),
                                tf.keras.layers.Dense(64), tf.keras.layers.Reshape((8, 8, 1))])


def ssl_report(ns, x_unlabeled, x_eval, seed, epochs):
    """Pretrain a fresh encoder with the student's ``pretrain_masked``; codes of it and of its own random init."""
    tf.keras.utils.set_random_seed(int(seed))
    encoder, decoder = _make_encoder(), _make_decoder()
    random_init = _make_encoder()
    random_init.set_weights(encoder.get_weights())
    x_unlabeled = np.asarray(x_unlabeled, np.float32)
    ns["pretrain_masked"](encoder, decoder, x_unlabeled, epochs=int(epochs))
    x_eval = tf.constant(np.asarray(x_eval, np.float32))
    # reconstruction of half-masked held-out images, with the probe's own mask
    mask = np.zeros((len(x_eval), 8, 8, 1), np.float32)
    mask[:, :, 4:] = 1.0
    recon = decoder(encoder(x_eval * (1.0 - mask), training=False), training=False)
    return {"features": np.asarray(encoder(x_eval, training=False)),
            "random_features": np.asarray(random_init(x_eval, training=False)),
            "reconstruction": np.asarray(recon), "mask": mask}


# --------------------------------------------------------------------------------------------
# Q6


def _encoder_head():
    encoder = tf.keras.Sequential([tf.keras.Input(shape=(32,)), tf.keras.layers.Dense(256, activation="relu"),
                                   tf.keras.layers.Dense(128, activation="relu")])
    head = tf.keras.Sequential([tf.keras.Input(shape=(128,)), tf.keras.layers.Dense(128, activation="relu"),
                                tf.keras.layers.Dense(32)])
    return encoder, head


def simclr_step_report(ns, enc_weights, head_weights, x1, x2, temperature, steps):
    encoder, head = _encoder_head()
    encoder.set_weights([np.asarray(w, np.float32) for w in enc_weights])
    head.set_weights([np.asarray(w, np.float32) for w in head_weights])
    opt = tf.keras.optimizers.SGD(0.05)
    x1, x2 = tf.constant(np.asarray(x1, np.float32)), tf.constant(np.asarray(x2, np.float32))
    losses = [float(ns["simclr_step"](encoder, head, opt, x1, x2, float(temperature))) for _ in range(int(steps))]
    return {"losses": losses, "encoder": _arrays(encoder.get_weights()), "head": _arrays(head.get_weights())}


def simclr_report(ns, x_unlabeled, x_eval, epochs, seed):
    tf.keras.utils.set_random_seed(int(seed))
    encoder, head = _encoder_head()
    random_init, _ = _encoder_head()
    random_init.set_weights(encoder.get_weights())
    returned = ns["train_simclr"](encoder, head, np.asarray(x_unlabeled, np.float32), epochs=int(epochs),
                                  seed=int(seed))
    x_eval = tf.constant(np.asarray(x_eval, np.float32))
    return {"returns_encoder": returned is encoder, "features": np.asarray(encoder(x_eval, training=False)),
            "random_features": np.asarray(random_init(x_eval, training=False))}
