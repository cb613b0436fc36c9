"""Worker-side probes for A08, Keras Functional API.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes hold no expected answers. Weights are never left to the namespace's initialisers: a
probe sets every weight either from arrays the judge sends or from a value derived only from the seed, the layer's
name and the weight's position (``_name_weights``), so two models with the same named layers get the same weights,
and a model wired differently computes something different.
"""

import json
import os
import tempfile
import zlib

import numpy as np
import tensorflow as tf


def _value(seed, layer_name, index, var_name, shape):
    rng = np.random.default_rng([int(seed), zlib.crc32(f"{layer_name}/{index}".encode())])
    if "moving_variance" in var_name or "gamma" in var_name:
        return rng.uniform(0.5, 1.5, shape).astype(np.float32)
    if len(shape) >= 2:
        return (rng.normal(size=shape) / np.sqrt(np.prod(shape[:-1]))).astype(np.float32)
    return (0.3 * rng.normal(size=shape)).astype(np.float32)


def _name_weights(model, seed):
    """Sets every weight of every layer of ``model`` from (seed, layer name, position); returns the shapes."""
    shapes = {}
    for layer in model.layers:
        if not layer.weights:
            continue
        shapes[layer.name] = [list(w.shape) for w in layer.weights]
        layer.set_weights([_value(seed, layer.name, i, w.name, tuple(w.shape)) for i, w in enumerate(layer.weights)])
    return shapes


def _inbound(model):
    """Layer name -> the names of the layers feeding it, read from the functional config."""
    out = {}
    for layer in model.get_config().get("layers", []):
        names = []
        for node in layer.get("inbound_nodes", []):
            for item in node if isinstance(node, list) else []:
                if isinstance(item, list) and item and isinstance(item[0], str):
                    names.append(item[0])
        out[layer["name"]] = names
    return out


# --------------------------------------------------------------------------------------------------------------
# Q1


def skip_forward(ns, kwargs, seed, x, training=False):
    model = ns["build_skip_model"](**kwargs)
    shapes = _name_weights(model, seed)
    out = model(tf.constant(np.asarray(x, np.float32)), training=bool(training))
    return {"out": out.numpy(), "shapes": shapes, "inbound": _inbound(model)}


def skip_grads(ns, kwargs, seed, x, u):
    model = ns["build_skip_model"](**kwargs)
    _name_weights(model, seed)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(tf.constant(np.asarray(x, np.float32)), training=True) * u)
    grads = tape.gradient(loss, model.trainable_weights)
    return {w.name: (np.zeros(w.shape, np.float32) if g is None else g.numpy())
            for w, g in zip(model.trainable_weights, grads, strict=True)}


# --------------------------------------------------------------------------------------------------------------
# Q2


def _mm_inputs(x):
    return {"image": tf.constant(np.asarray(x["image"], np.float32)), "text": tf.constant(np.asarray(x["text"],
            np.int32)), "numerical": tf.constant(np.asarray(x["numerical"], np.float32))}


def _mm_targets(y):
    return {"classification": tf.constant(np.asarray(y["classification"], np.int32)),
            "regression": tf.constant(np.asarray(y["regression"], np.float32).reshape(-1, 1))}


def mm_forward(ns, kwargs, seed, x):
    model = ns["build_multimodal"](**kwargs)
    _name_weights(model, seed)
    out = model(_mm_inputs(x), training=False)
    if not isinstance(out, dict):
        return {"out": None, "input_names": list(model.input_names), "output_names": list(model.output_names)}
    return {"out": {k: v.numpy() for k, v in out.items()}, "input_names": list(model.input_names),
            "output_names": list(model.output_names)}


def mm_loss_grads(ns, kwargs, seed, x, y, w_cls, w_reg, lr):
    model = ns["build_multimodal"](**kwargs)
    _name_weights(model, seed)
    model = ns["compile_multimodal"](model, float(w_cls), float(w_reg), lr=float(lr))
    model.run_eagerly = True  # one batch: tracing the GRU's train and test functions would cost far more
    xs, ys = _mm_inputs(x), _mm_targets(y)
    logs = model.evaluate(xs, ys, batch_size=len(ys["regression"]), return_dict=True, verbose=0)
    with tf.GradientTape() as tape:
        pred = model(xs, training=True)
        loss = model.compute_loss(xs, ys, pred)
    grads = tape.gradient(loss, model.trainable_weights)
    grads = {w.name: (np.zeros(w.shape, np.float32) if g is None else tf.convert_to_tensor(g).numpy())
             for w, g in zip(model.trainable_weights, grads, strict=True)}
    model.train_on_batch(xs, ys)
    after = {w.name: w.numpy() for w in model.trainable_weights}
    return {"logs": {k: float(v) for k, v in logs.items()}, "loss": float(loss), "grads": grads, "after": after}


def mm_train(ns, kwargs, x, y, x_test, epochs):
    model = ns["compile_multimodal"](ns["build_multimodal"](**kwargs), 1.0, 0.5, lr=3e-3)
    model.fit(_mm_inputs(x), _mm_targets(y), epochs=int(epochs), batch_size=32, verbose=0)
    test = _mm_inputs(x_test)
    pred = model.predict(test, batch_size=256, verbose=0)
    ablated = dict(test, numerical=tf.zeros_like(test["numerical"]))
    pred_ablated = model.predict(ablated, batch_size=256, verbose=0)
    return {"probs": pred["classification"], "reg": pred["regression"], "reg_ablated": pred_ablated["regression"]}


# --------------------------------------------------------------------------------------------------------------
# Q3


def _embedding(weights):
    d_in, h = np.asarray(weights[0]).shape
    emb = tf.keras.Sequential([tf.keras.Input(shape=(d_in,)), tf.keras.layers.Dense(h, activation="tanh"),
                               tf.keras.layers.Dense(np.asarray(weights[2]).shape[1])], name="embedding")
    emb.set_weights([np.asarray(w, np.float32) for w in weights])
    return emb


def siamese_probe(ns, emb_weights, head, left, right, new_emb_weights, u):
    emb = _embedding(emb_weights)
    model = ns["build_siamese"](emb)
    model.get_layer("head").set_weights([np.asarray(w, np.float32) for w in head])
    left, right = tf.constant(np.asarray(left, np.float32)), tf.constant(np.asarray(right, np.float32))
    out = model([left, right]).numpy()
    swapped = model([right, left]).numpy()
    emb.set_weights([np.asarray(w, np.float32) for w in new_emb_weights])
    with tf.GradientTape() as tape:
        out_new = model([left, right])
        loss = tf.reduce_sum(out_new * u)
    grads = tape.gradient(loss, emb.trainable_weights)
    grads = [np.zeros(w.shape, np.float32) if g is None else g.numpy() for w, g in
             zip(emb.trainable_weights, grads, strict=True)]
    distinct = len({id(v) for v in model.trainable_weights})
    return {"out": out, "swapped": swapped, "out_new": out_new.numpy(), "grads": grads, "n_variables": distinct}


def pairs(ns, x, y, n, seed):
    left, right, same = ns["make_pairs"](np.asarray(x), np.asarray(y), int(n), int(seed))
    return [np.asarray(left), np.asarray(right), np.asarray(same)]


def transfer_probe(ns, seed, x, y, num_classes, epochs):
    rng = np.random.default_rng(int(seed))
    d = np.asarray(x).shape[1]
    backbone = tf.keras.Sequential([
        tf.keras.Input(shape=(d,)), tf.keras.layers.Dense(16, name="bb_dense"),
        tf.keras.layers.BatchNormalization(name="bb_bn"), tf.keras.layers.ReLU(),
        tf.keras.layers.Dropout(0.5), tf.keras.layers.Dense(8, activation="relu", name="bb_out")], name="backbone")
    backbone.set_weights([(rng.normal(size=w.shape) * (0.5 if len(w.shape) > 1 else 0.2)).astype(np.float32)
                          + (1.0 if "variance" in w.name or "gamma" in w.name else 0.0) for w in backbone.weights])
    before = [w.numpy() for w in backbone.weights]
    model = ns["build_transfer"](backbone, int(num_classes))
    head = model.get_layer("head")
    head.set_weights([(rng.normal(size=w.shape) * 0.3).astype(np.float32) for w in head.weights])
    xs = tf.constant(np.asarray(x, np.float32))
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(xs, np.asarray(y, np.int32), epochs=int(epochs), batch_size=16, shuffle=False, verbose=0)
    return {"before": before, "after": [w.numpy() for w in backbone.weights],
            "head": [w.numpy() for w in head.weights],
            "n_trainable": len(model.trainable_weights),
            "train_mode": model(xs, training=True).numpy(), "inference": model(xs, training=False).numpy()}


# --------------------------------------------------------------------------------------------------------------
# Q4


def _branch_model(ns, shape, filters, merge, rates):
    inputs = tf.keras.Input(shape=tuple(shape))
    out = ns["multi_branch_block"](inputs, int(filters), merge, tuple(int(r) for r in rates), name="mb")
    return tf.keras.Model(inputs, out)


def branch_forward(ns, shape, filters, merge, rates, seed, x, ones=False):
    model = _branch_model(ns, shape, filters, merge, rates)
    if ones:
        for layer in model.layers:
            if layer.weights:
                layer.set_weights([np.ones(w.shape, np.float32) if len(w.shape) > 1 else np.zeros(w.shape, np.float32)
                                   for w in layer.weights])
        shapes = {}
    else:
        shapes = _name_weights(model, seed)
    x = tf.constant(np.asarray(x, np.float32))
    result = {"out": model(x).numpy(), "shapes": shapes}
    if merge == "attention":
        try:
            layer = model.get_layer("mb_branch_weights")
        except ValueError:
            result["weights"] = None
        else:
            result["weights"] = tf.keras.Model(model.inputs, layer.output)(x).numpy()
    return result


def branch_input_grad(ns, shape, filters, merge, rates, seed, x, u):
    model = _branch_model(ns, shape, filters, merge, rates)
    _name_weights(model, seed)
    x = tf.constant(np.asarray(x, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(model(x) * u)
    return tape.gradient(loss, x).numpy()


# --------------------------------------------------------------------------------------------------------------
# Q5


def gcn_layer(ns, units, activation, h, a, kernel, bias):
    layer = ns["GCNLayer"](int(units), activation=activation)
    h, a = tf.constant(np.asarray(h, np.float32)), tf.constant(np.asarray(a, np.float32))
    layer([h, a])
    layer.set_weights([np.asarray(kernel, np.float32), np.asarray(bias, np.float32)])
    config = layer.get_config()
    clone = ns["GCNLayer"].from_config(config)
    clone([h, a])
    clone.set_weights([np.asarray(kernel, np.float32), np.asarray(bias, np.float32)])
    return {"out": layer([h, a]).numpy(), "clone": clone([h, a]).numpy()}


def gcn_train(ns, feats, adjacency, labels, mask, hidden, steps):
    feats = np.asarray(feats, np.float32)
    n, f = feats.shape
    classes = int(np.max(labels)) + 1
    a_hat = tf.convert_to_tensor(ns["normalize_adjacency"](np.asarray(adjacency, np.float32)))
    model = ns["build_gcn"](n, f, int(hidden), classes)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    xs = [tf.constant(feats[None]), a_hat[None]]
    model.fit(xs, np.asarray(labels, np.int32)[None], sample_weight=np.asarray(mask, np.float32)[None],
              epochs=int(steps), batch_size=1, verbose=0)
    return model(xs, training=False).numpy()[0]


def moe_probe(ns, dims, weights, x, u):
    model = ns["build_moe"](*[int(d) for d in dims])
    for name, values in weights.items():
        model.get_layer(name).set_weights([np.asarray(v, np.float32) for v in values])
    x = tf.constant(np.asarray(x, np.float32))
    with tf.GradientTape() as tape:
        out = model(x)
        loss = tf.reduce_sum(out * u)
    names = sorted(weights)
    variables = [w for name in names for w in model.get_layer(name).trainable_weights]
    grads = tape.gradient(loss, variables)
    return {"out": out.numpy(), "grads": {v.name: (np.zeros(v.shape, np.float32) if g is None else g.numpy())
                                          for v, g in zip(variables, grads, strict=True)}}


# --------------------------------------------------------------------------------------------------------------
# Q6


def _multitask(ns, hidden, classes, dropout, weights, x):
    net = ns["MultiTaskNet"](hidden=int(hidden), num_classes=int(classes), dropout=float(dropout))
    net(x)
    if weights is not None:
        for name in ("trunk", "digit", "is_even"):
            net.get_layer(name).set_weights([np.asarray(w, np.float32) for w in weights[name]])
    return net


def _mt_labels(y):
    return {"digit": tf.constant(np.asarray(y["digit"], np.int32)),
            "is_even": tf.constant(np.asarray(y["is_even"], np.float32).reshape(-1, 1))}


def mt_forward(ns, hidden, classes, dropout, weights, x):
    x = tf.constant(np.asarray(x, np.float32))
    net = _multitask(ns, hidden, classes, dropout, weights, x)
    outs = [net(x, training=flag) for flag in (False, True, True, False)]
    return [{k: v.numpy() for k, v in o.items()} for o in outs]


def mt_step(ns, hidden, classes, weights, x, y, lr, x2, y2):
    x, x2 = tf.constant(np.asarray(x, np.float32)), tf.constant(np.asarray(x2, np.float32))
    net = _multitask(ns, hidden, classes, 0.0, weights, x)
    net.compile(optimizer=tf.keras.optimizers.SGD(float(lr)))
    logs = net.train_on_batch(x, _mt_labels(y), return_dict=True)
    after = {name: [w.numpy() for w in net.get_layer(name).weights] for name in ("trunk", "digit", "is_even")}
    net.compile(optimizer=tf.keras.optimizers.SGD(float(lr)))
    test_logs = net.evaluate(x2, _mt_labels(y2), batch_size=len(y2["digit"]), return_dict=True, verbose=0)
    return {"logs": {k: float(v) for k, v in logs.items()}, "after": after,
            "test_logs": {k: float(v) for k, v in test_logs.items()}}


def mt_fit(ns, x, y, x_test, epochs):
    x = tf.constant(np.asarray(x, np.float32))
    net = ns["MultiTaskNet"](hidden=32, num_classes=int(np.max(y["digit"])) + 1, dropout=0.1)
    net.compile(optimizer=tf.keras.optimizers.Adam(0.01))
    history = net.fit(x, _mt_labels(y), epochs=int(epochs), batch_size=32, verbose=0)
    pred = net(tf.constant(np.asarray(x_test, np.float32)), training=False)
    return {"keys": sorted(history.history), "digit": pred["digit"].numpy(), "is_even": pred["is_even"].numpy()}


def mt_config(ns, hidden, classes, dropout, x):
    x = tf.constant(np.asarray(x, np.float32))
    net = _multitask(ns, hidden, classes, dropout, None, x)
    config = json.loads(json.dumps(net.get_config()))
    clone = ns["MultiTaskNet"].from_config(config)
    out = clone(x, training=False)
    return {"config": config, "type_same": type(clone) is type(net),
            "shapes": [list(w.shape) for w in clone.trainable_weights],
            "out_shapes": {k: list(v.shape) for k, v in out.items()}}


def mt_export(ns, hidden, classes, weights, x):
    x = tf.constant(np.asarray(x, np.float32))
    net = _multitask(ns, hidden, classes, 0.3, weights, x)
    path = os.path.join(tempfile.mkdtemp(prefix="a08_export_"), "multitask")
    ns["export_multitask"](net, path, int(x.shape[1]))
    return path


def load_and_predict(ns, path, x):
    """Inspector side: load the SavedModel (no student code here) and run its serving signature."""
    loaded = tf.saved_model.load(path)
    fn = loaded.signatures["serving_default"]
    out = fn(features=tf.constant(np.asarray(x, np.float32)))
    return {k: v.numpy() for k, v in out.items()}
