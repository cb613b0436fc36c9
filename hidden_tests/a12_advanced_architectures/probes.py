"""Worker-side probes for A12, Advanced Architectures.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of the
reference module. Probes hold no answers: they wire the namespace's blocks into models, give every weight a value
drawn from the judge's seed, and return plain data (layer class names, weight shapes, per-layer shapes and kernel
configurations, outputs, gradients, logits). Parameter counts, multiply-accumulates, channel counts and accuracy are
computed by the judge from these.
"""

import numpy as np
import tensorflow as tf

# --------------------------------------------------------------------------------------------
# Structure and judge-seeded weights


def _as_model(model):
    if not isinstance(model, tf.keras.Model):
        raise TypeError(f"expected a tf.keras.Model, got {type(model).__name__}")
    return model


def _draw(w, rng):
    shape = tuple(int(d) for d in w.shape)
    name = w.name
    if "moving_variance" in name or "gamma" in name:
        value = rng.uniform(0.5, 1.5, shape)
    elif "moving_mean" in name or "beta" in name or "bias" in name:
        value = rng.normal(0.0, 0.2, shape)
    elif "depthwise" in name:
        value = rng.normal(0.0, 1.0 / np.sqrt(shape[0] * shape[1]), shape)
    else:
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        value = rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), shape)
    return value


def _set_weights(variables, seed):
    """Every weight drawn from ``seed`` by its position and shape; ``seed < 0``: every weight zero."""
    rng = np.random.default_rng(seed if seed >= 0 else 0)
    for w in variables:
        value = np.zeros(w.shape) if seed < 0 else _draw(w, rng)
        w.assign(value.astype(w.dtype.as_numpy_dtype))


def _shape(s):
    return None if s is None else [None if d is None else int(d) for d in s]


def _canonical_layers(model):
    """The model's layers (inputs left out) in an order that does not depend on how the code was written.

    Keras orders a functional model's layers by depth and by the order of each merge's inputs, so ``Add()([y, s])``
    and ``Add()([s, y])`` list the same layers differently. Sort by (longest path from an input, longest path to the
    output, type, weight shapes), ties in Keras' order.
    """
    members = {id(layer): layer for layer in model.layers}
    parents = {}
    for layer in model.layers:
        found = []
        for node in layer._inbound_nodes:
            inbound = node.inbound_layers
            for parent in inbound if isinstance(inbound, (list, tuple)) else [inbound]:
                if id(parent) in members and all(parent is not f for f in found):
                    found.append(parent)
        parents[id(layer)] = found
    children = {id(layer): [] for layer in model.layers}
    for layer in model.layers:
        for parent in parents[id(layer)]:
            children[id(parent)].append(layer)
    depth_in, depth_out = {}, {}

    def from_input(layer):
        if id(layer) not in depth_in:
            depth_in[id(layer)] = 1 + max((from_input(p) for p in parents[id(layer)]), default=-1)
        return depth_in[id(layer)]

    def to_output(layer):
        if id(layer) not in depth_out:
            depth_out[id(layer)] = 1 + max((to_output(c) for c in children[id(layer)]), default=-1)
        return depth_out[id(layer)]

    order = {id(layer): i for i, layer in enumerate(model.layers)}
    kept = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return sorted(kept, key=lambda layer: (from_input(layer), -to_output(layer), type(layer).__name__,
                                           [list(map(int, w.shape)) for w in layer.weights], order[id(layer)]))


def _canonical_weights(model):
    return [w for layer in _canonical_layers(model) for w in layer.weights]


def _layer_info(model):
    """Per layer (canonical order): type, output shape, input shape, kernel size, strides, weight shapes."""
    info = []
    for layer in _canonical_layers(model):
        kind = type(layer).__name__
        row = {"type": kind, "weights": [list(map(int, w.shape)) for w in layer.weights]}
        out = layer.output_shape
        row["output_shape"] = _shape(out) if isinstance(out, tuple) else [_shape(s) for s in out]
        inp = layer.input_shape
        row["input_shape"] = _shape(inp) if isinstance(inp, tuple) else [_shape(s) for s in inp]
        for key in ("kernel_size", "strides", "pool_size", "filters", "units", "padding"):
            if hasattr(layer, key):
                value = getattr(layer, key)
                row[key] = list(value) if isinstance(value, tuple) else value
        row["activation"] = getattr(getattr(layer, "activation", None), "__name__", None)
        if kind == "ReLU":
            row["max_value"] = None if layer.max_value is None else float(layer.max_value)
        if kind == "BatchNormalization":
            row["momentum"] = float(layer.momentum)
        info.append(row)
    return info


def _describe(model, weight_seed, x):
    weights = _canonical_weights(model)
    if len(weights) != len(model.weights):
        raise ValueError("the model has weights outside its layers")
    _set_weights(weights, weight_seed)
    info = _layer_info(model)
    return {"layers": [r["type"] for r in info], "info": info,
            "weight_shapes": [list(map(int, w.shape)) for w in weights],
            "output": np.asarray(model(tf.constant(x), training=False), np.float32)}


def block_probe(ns, fn_name, input_shape, args, weight_seed, x):
    """``ns[fn_name](Input(input_shape), *args)`` wired into a model; structure and the output for ``x``."""
    inputs = tf.keras.layers.Input(shape=tuple(input_shape))
    model = tf.keras.Model(inputs, ns[fn_name](inputs, *args))
    return _describe(model, weight_seed, x)


def model_probe(ns, fn_name, args, weight_seed, x):
    """``ns[fn_name](*args)`` must return a ``tf.keras.Model``; structure and the output for ``x``."""
    model = _as_model(ns[fn_name](*args))
    return _describe(model, weight_seed, x)


# --------------------------------------------------------------------------------------------
# Q1: gradient flow through a deep stack


def gradient_flow(ns, input_dim, width, depth, residual, weight_seed, x, y):
    """Kernels N(0, 1/fan_in), biases zero; the gradient norm of every Dense kernel for an MSE loss on ``(x, y)``."""
    model = _as_model(ns["deep_stack"](int(input_dim), int(width), int(depth), bool(residual)))
    rng = np.random.default_rng(weight_seed)
    kernels = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        if len(shape) == 2:
            w.assign(rng.normal(0.0, 1.0 / np.sqrt(shape[0]), shape).astype(np.float32))
            kernels.append(w)
        else:
            w.assign(np.zeros(shape, np.float32))
    with tf.GradientTape() as tape:
        pred = model(tf.constant(x), training=False)
        loss = tf.reduce_mean(tf.square(pred - tf.constant(y)))
    grads = tape.gradient(loss, kernels)
    return {"layers": [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"],
            "kernel_shapes": [list(map(int, k.shape)) for k in kernels],
            "grad_norms": [float(tf.norm(g)) if g is not None else 0.0 for g in grads]}


# --------------------------------------------------------------------------------------------
# Q6: the Vision Transformer


def _vit_variables(model):
    """The model's weights in the documented attribute order, so both workers give them the same values."""
    variables = [model.cls_token, model.pos_embed, *model.patch_embed.proj.weights]
    for block in model.blocks:
        for part in (block.norm1, block.attn, block.norm2, block.fc1, block.fc2):
            variables += list(part.weights)
    return variables + list(model.norm.weights) + list(model.head.weights)


def _build_vit(ns, cfg, x):
    model = ns["ViT"](**cfg)
    model(tf.constant(x[:1]), training=False)
    return model


def vit_probe(ns, cfg, weight_seed, x):
    """Build ``ViT(**cfg)``, set its weights from ``weight_seed``; embeddings, weights and logits for ``x``."""
    model = _build_vit(ns, cfg, x)
    ordered = _vit_variables(model)
    _set_weights(ordered, weight_seed)
    inputs = tf.constant(x)
    return {"weight_shapes": [list(map(int, w.shape)) for w in model.weights],
            "ordered_shapes": [list(map(int, w.shape)) for w in ordered],
            "trainable": [bool(v.trainable) for v in (model.cls_token, model.pos_embed)],
            "tokens": np.asarray(model.embed(inputs), np.float32),
            "cls_token": np.asarray(model.cls_token, np.float32),
            "pos_embed": np.asarray(model.pos_embed, np.float32),
            "proj_kernel": np.asarray(model.patch_embed.proj.kernel, np.float32),
            "proj_bias": np.asarray(model.patch_embed.proj.bias, np.float32),
            "logits": np.asarray(model(inputs, training=False), np.float32),
            "logits_again": np.asarray(model(inputs, training=False), np.float32),
            "logits_training": np.asarray(model(inputs, training=True), np.float32)}


def vit_train(ns, cfg, x, y, seed, x_test, epochs):
    """Train ``ViT(**cfg)`` with fixed settings on ``(x, y)``; logits for the held-out ``x_test``."""
    tf.keras.utils.set_random_seed(int(seed))
    model = _build_vit(ns, cfg, x)
    model.compile(tf.keras.optimizers.Adam(3e-3), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=64, epochs=int(epochs), verbose=0)
    return {"params": [list(map(int, w.shape)) for w in model.weights],
            "trained": [np.asarray(w, np.float32) for w in _vit_variables(model)],
            "logits": np.asarray(model.predict(x_test, batch_size=256, verbose=0), np.float32)}


def vit_logits(ns, cfg, weights, x):
    """Logits of this namespace's ``ViT(**cfg)`` holding ``weights`` (in the documented attribute order)."""
    model = _build_vit(ns, cfg, x)
    ordered = _vit_variables(model)
    if [list(map(int, w.shape)) for w in ordered] != [list(np.shape(w)) for w in weights]:
        raise ValueError("the trained weights do not have the shapes of the specified ViT")
    for variable, value in zip(ordered, weights, strict=True):
        variable.assign(np.asarray(value, variable.dtype.as_numpy_dtype))
    return np.asarray(model(tf.constant(x), training=False), np.float32)
