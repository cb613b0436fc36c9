"""Worker-side probes for A10, Convolutional Neural Networks.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes hold no answers: the library versions (``tf.nn.conv2d``, ``tf.nn.max_pool2d``,
``tf.image.non_max_suppression``) are called in the reference worker only, as the trusted value to compare with;
the other probes build models through the namespace's functions, give them weights drawn from the judge's seed,
train them with fixed settings where the question asks the judge to, and return plain data (layer class names,
weight shapes, outputs, predictions). Accuracy, IoU and parameter counts are computed by the judge from these.
"""

import numpy as np
import tensorflow as tf

# --------------------------------------------------------------------------------------------
# Library versions (run in the reference worker as the trusted answer)


def _dilated_kernel(kernel, dilation):
    """The kernel with ``dilation - 1`` zeros between its taps: a dilated convolution as a plain one."""
    if dilation == 1:
        return kernel
    kh, kw = int(kernel.shape[0]), int(kernel.shape[1])
    spread_h = np.zeros(((kh - 1) * dilation + 1, kh), np.float32)
    spread_h[np.arange(kh) * dilation, np.arange(kh)] = 1
    spread_w = np.zeros(((kw - 1) * dilation + 1, kw), np.float32)
    spread_w[np.arange(kw) * dilation, np.arange(kw)] = 1
    return tf.einsum("ai,bj,ijco->abco", tf.cast(spread_h, kernel.dtype), tf.cast(spread_w, kernel.dtype), kernel)


def tf_conv2d(ns, x, kernel, bias, stride, padding, dilation, groups):
    """``tf.nn.conv2d`` (+ bias). Grouped convolution: the kernel's input axis is ``C / groups``.

    Each group is its own ``tf.nn.conv2d`` and a dilation is spread into the kernel: TensorFlow's plain CPU
    kernels (without oneDNN, as on CPUs without AVX-512) have no gradient for grouped or dilated convolutions,
    and the gradient tests need one on every machine.
    """
    del ns
    x = tf.convert_to_tensor(x)
    kernel = _dilated_kernel(tf.cast(tf.convert_to_tensor(kernel), x.dtype), int(dilation))
    groups = int(groups)
    outputs = [tf.nn.conv2d(part, weights, strides=stride, padding=padding)
               for part, weights in zip(tf.split(x, groups, axis=-1), tf.split(kernel, groups, axis=-1), strict=True)]
    out = outputs[0] if groups == 1 else tf.concat(outputs, axis=-1)
    return out if bias is None else out + tf.cast(bias, x.dtype)


def tf_max_pool(ns, x, pool_size, stride, padding):
    del ns
    return tf.nn.max_pool2d(x, pool_size, stride, padding)


def tf_avg_pool(ns, x, pool_size, stride, padding):
    del ns
    return tf.nn.avg_pool2d(x, pool_size, stride, padding)


def tf_nms(ns, boxes, scores, max_output_size, iou_threshold, score_threshold):
    del ns
    return tf.image.non_max_suppression(boxes, scores, max_output_size, iou_threshold, score_threshold)


# --------------------------------------------------------------------------------------------
# Models: structure, judge-seeded weights, forward passes


def _layer_names(model):
    return [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _weight_shapes(model):
    return [list(map(int, w.shape)) for w in model.weights]


def _set_weights(model, seed):
    """Every weight drawn from ``seed`` by its position and shape; BN scales and variances kept positive."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        name = w.name
        if "moving_variance" in name or "gamma" in name:
            value = rng.uniform(0.5, 1.5, shape)
        else:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            value = rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), shape)
        w.assign(value.astype(w.dtype.as_numpy_dtype))


def _as_model(model):
    if not isinstance(model, tf.keras.Model):
        raise TypeError(f"expected a tf.keras.Model, got {type(model).__name__}")
    return model


def vgg_probe(ns, spec, input_shape, num_classes, weight_seed, x):
    """Build ``build_vgg``; layer names, weight shapes, per-layer output shapes and the output for ``x``."""
    model = _as_model(ns["build_vgg"](list(spec), tuple(input_shape), int(num_classes)))
    _set_weights(model, weight_seed)
    return {"layers": _layer_names(model), "weight_shapes": _weight_shapes(model),
            "output_shapes": [list(layer.output_shape)[1:] for layer in model.layers
                              if type(layer).__name__ != "InputLayer"],
            "output": model(tf.constant(x), training=False)}


def resnet_block_probe(ns, input_shape, filters, stride, weight_seed, x):
    """``resnet_block`` on an Input of ``input_shape``: layer names, weight shapes and the output for ``x``."""
    inputs = tf.keras.layers.Input(shape=tuple(input_shape))
    model = tf.keras.Model(inputs, ns["resnet_block"](inputs, int(filters), int(stride)))
    _set_weights(model, weight_seed)
    return {"layers": _layer_names(model), "weight_shapes": _weight_shapes(model),
            "bn_momentum": [float(layer.momentum) for layer in model.layers
                            if isinstance(layer, tf.keras.layers.BatchNormalization)],
            "output": model(tf.constant(x), training=False)}


def unet_probe(ns, input_shape, num_classes, depth, base, weight_seed, x):
    model = _as_model(ns["build_unet"](tuple(input_shape), int(num_classes), int(depth), int(base)))
    _set_weights(model, weight_seed)
    return {"layers": _layer_names(model), "weight_shapes": _weight_shapes(model),
            "output": model(tf.constant(x), training=False)}


# --------------------------------------------------------------------------------------------
# Training (on judge-drawn data; the held-out labels never come here)


def pooling_strategy(ns, kind, x, y, x_test, seed):
    """Train ``build_pooling_classifier(kind)`` with fixed settings; layer names and held-out logits."""
    tf.keras.utils.set_random_seed(int(seed))
    model = _as_model(ns["build_pooling_classifier"](kind, tuple(x.shape[1:]), 2))
    model.compile(tf.keras.optimizers.Adam(1e-2), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=32, epochs=5, verbose=0)
    return {"layers": _layer_names(model), "logits": model.predict(x_test, verbose=0)}


def classify(ns, x, y, num_classes, seed, x_tests):
    model = _as_model(ns["train_classifier"](x, y, int(num_classes), int(seed)))
    return {"layers": _layer_names(model), "weight_shapes": _weight_shapes(model),
            "logits": [np.asarray(model.predict(xt, verbose=0)) for xt in x_tests]}


def detect(ns, x, boxes, labels, num_classes, seed, x_test):
    model = _as_model(ns["train_detector"](x, boxes, labels, int(num_classes), int(seed)))
    box, logits = model.predict(x_test, verbose=0)
    return {"boxes": np.asarray(box, np.float32), "logits": np.asarray(logits, np.float32)}


def segment(ns, x, masks, num_classes, seed, x_test):
    model = _as_model(ns["train_segmenter"](x, masks, int(num_classes), int(seed)))
    return {"layers": _layer_names(model), "logits": np.asarray(model.predict(x_test, verbose=0), np.float32)}
