"""Worker-side probes for A19, Computer Vision.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes hold no answers: library versions (``tf.image.non_max_suppression``,
``tf.image.crop_and_resize``, ``tf.image.total_variation``) run in the reference worker only, as the trusted value;
the other probes build what cannot cross the wire (Keras models, a critic, a feature extractor) from weights the
judge draws, call the namespace's functions on them and return plain data. mAP, TAR, mode coverage and the
losses of a stylised image are computed by the judge or by the reference worker from what comes back.
"""

import numpy as np
import tensorflow as tf

# --------------------------------------------------------------------------------------------
# Q1


def classifier_run(ns, x, y_onehot):
    """Builds the classifier; returns two inference passes, a training pass and the compiled metrics' values."""
    x = np.asarray(x, np.float32)
    y = np.asarray(y_onehot, np.float32)
    model = ns["build_classifier"](x.shape[1:], y.shape[1])
    first = model(x, training=False).numpy()
    second = model(x, training=False).numpy()
    metrics = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
    # The model's own augmentation layers, observed here: each must change a batch in training and leave it alone
    # in inference.
    augment = []
    for layer in model.submodules:
        if isinstance(layer, tf.keras.layers.Layer) and type(layer).__name__ in AUGMENTATION_LAYERS \
                and type(layer).__module__.split(".")[0] in ("tf_keras", "keras"):
            tf.keras.utils.set_random_seed(1)
            train = np.asarray(layer(tf.constant(x), training=True), np.float32)
            infer = np.asarray(layer(tf.constant(x), training=False), np.float32)
            augment.append({"name": type(layer).__name__,
                            "changes_in_training": bool(train.shape != x.shape or not np.allclose(train, x)),
                            "identity_in_inference": bool(infer.shape == x.shape and np.allclose(infer, x))})
    return {"first": first, "second": second, "augment": augment,
            "metrics": {str(k): float(v) for k, v in metrics.items()}}


AUGMENTATION_LAYERS = ("RandomFlip", "RandomContrast", "RandomRotation", "RandomZoom", "RandomTranslation",
                       "RandomBrightness")


# --------------------------------------------------------------------------------------------
# Q2


def tf_nms(ns, boxes, scores, iou_threshold, max_output):
    del ns
    return tf.image.non_max_suppression(boxes, scores, max_output, iou_threshold)


def train_and_detect(ns, images, y_true, num_classes, epochs, test_images):
    model = ns["train_detector"](images, y_true, num_classes, epochs)
    boxes, scores, classes, index = ns["detect"](model, test_images)
    return [np.asarray(boxes, np.float32).reshape(-1, 4), np.asarray(scores, np.float32).ravel(),
            np.asarray(classes).astype(np.int32).ravel(), np.asarray(index).astype(np.int32).ravel()]


# --------------------------------------------------------------------------------------------
# Q3


def tf_roi_align(ns, features, boxes, box_indices, crop_size, sampling_ratio):
    del ns
    size = [crop_size[0] * sampling_ratio, crop_size[1] * sampling_ratio]
    crops = tf.image.crop_and_resize(features, boxes, box_indices, size)
    return tf.nn.avg_pool2d(crops, sampling_ratio, sampling_ratio, "VALID")


def roi_align_gradient(ns, features, boxes, box_indices, crop_size, sampling_ratio, upstream, library=False):
    """Gradient of ``sum(roi_align(...) * upstream)`` with respect to the features."""
    f = tf.constant(np.asarray(features, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(f)
        if library:
            out = tf_roi_align(ns, f, boxes, box_indices, crop_size, sampling_ratio)
        else:
            out = ns["roi_align"](f, tf.constant(boxes), tf.constant(box_indices), tuple(crop_size), sampling_ratio)
        loss = tf.reduce_sum(tf.convert_to_tensor(out) * upstream)
    grad = tape.gradient(loss, f)
    return None if grad is None else tf.convert_to_tensor(grad)


# --------------------------------------------------------------------------------------------
# Q4


def arcface_logits(ns, kernel, embeddings, labels, s, m, easy_margin):
    head = ns["ArcMarginHead"](kernel.shape[1], s=s, m=m, easy_margin=easy_margin)
    emb = tf.constant(np.asarray(embeddings, np.float32))
    head.build(emb.shape)
    if len(head.weights) != 1:
        raise ValueError(f"ArcMarginHead should own exactly one weight (its kernel), it has {len(head.weights)}")
    head.set_weights([np.asarray(kernel, np.float32)])
    with_labels = head(emb, tf.constant(np.asarray(labels, np.int32)))
    without = head(emb)
    return [tf.convert_to_tensor(with_labels), tf.convert_to_tensor(without)]


def embed_heldout(ns, images, labels, steps, test_images):
    model = ns["train_embedder"](images, labels, steps)
    last = model.layers[-1] if hasattr(model, "layers") and model.layers else None
    emb = model(np.asarray(test_images, np.float32), training=False)
    return {"embeddings": np.asarray(emb, np.float32), "last_layer": type(last).__name__}


# --------------------------------------------------------------------------------------------
# Q5: a small conv feature extractor (three style layers, one content layer) on images in [0, 1].


def _extractor_model():
    layers = tf.keras.layers
    inp = tf.keras.Input(shape=(None, None, 3))
    x = layers.Rescaling(2.0, offset=-1.0)(inp)
    s1 = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.AveragePooling2D()(s1)
    s2 = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.AveragePooling2D()(s2)
    s3 = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    c1 = layers.Conv2D(16, 3, padding="same", activation="relu")(s3)
    return tf.keras.Model(inp, [s1, s2, s3, c1])


class Extractor:
    """``extractor(images) -> (style_features, content_features)``; counts its calls."""

    def __init__(self, weights=None):
        self.model = _extractor_model()
        if weights is not None:
            self.model.set_weights([np.asarray(w, np.float32) for w in weights])
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        outs = self.model(images)
        return list(outs[:3]), list(outs[3:])


def _stripes(n, size, rng):
    """Synthetic textures for the extractor to learn: stripes of 4 orientations (the label) at random phases."""
    yy, xx = np.mgrid[0:size, 0:size]
    labels = rng.integers(0, 4, n)
    angles = labels * np.pi / 4
    freq = rng.uniform(0.5, 1.2, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    waves = np.sin(freq[:, None, None] * (np.cos(angles)[:, None, None] * yy + np.sin(angles)[:, None, None] * xx)
                   + phase[:, None, None])
    colours = rng.uniform(0.2, 1.0, (n, 1, 1, 3))
    return (0.5 + 0.5 * waves[..., None] * colours).astype(np.float32), labels


def train_extractor(ns, seed, steps=60):
    """Trains the extractor to tell stripe orientations apart (reference worker; the judge hands the weights on)."""
    del ns
    tf.keras.utils.set_random_seed(int(seed))
    rng = np.random.default_rng(int(seed))
    x, y = _stripes(256, 16, rng)
    ext = _extractor_model()
    head = tf.keras.layers.Dense(4)
    opt = tf.keras.optimizers.Adam(3e-3)
    for _i in range(steps):
        rows = rng.integers(0, len(x), 32)
        with tf.GradientTape() as tape:
            feats = ext(x[rows])[-1]
            logits = head(tf.reduce_mean(feats, axis=[1, 2]))
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y[rows], logits))
        variables = ext.trainable_variables + head.trainable_variables
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=False))
    return [w.numpy() for w in ext.weights]


def random_extractor(ns, seed):
    del ns
    tf.keras.utils.set_random_seed(int(seed))
    return [w.numpy() for w in _extractor_model().weights]


def style_run(ns, weights, content, style, steps, lr, style_weight, content_weight, tv_weight):
    ext = Extractor(weights)
    image = ns["run_style_transfer"](tf.constant(content), tf.constant(style), ext, steps, lr, style_weight,
                                     content_weight, tv_weight)
    unchanged = all(np.array_equal(a, np.asarray(b)) for a, b in zip(ext.model.get_weights(), weights, strict=False))
    return {"image": np.asarray(image, np.float32), "weights_unchanged": bool(unchanged), "calls": ext.calls}


def style_losses(ns, weights, image, content, style):
    """The style and content losses of ``image`` under the extractor, computed here (reference worker)."""
    del ns
    ext = Extractor(weights)

    def gram(f):
        f = tf.convert_to_tensor(f)
        return tf.einsum("bijc,bijd->bcd", f, f) / tf.cast(tf.shape(f)[1] * tf.shape(f)[2], tf.float32)

    s_img, c_img = ext(tf.constant(image))
    s_sty, _ = ext(tf.constant(style))
    _, c_con = ext(tf.constant(content))
    style_loss = tf.add_n([tf.reduce_mean(tf.square(gram(a) - gram(b)))
                           for a, b in zip(s_img, s_sty, strict=True)]) / 3
    content_loss = tf.reduce_mean(tf.square(c_img[0] - c_con[0]))
    return [float(style_loss), float(content_loss)]


def tf_total_variation(ns, images):
    del ns
    return tf.reduce_sum(tf.image.total_variation(images))


# --------------------------------------------------------------------------------------------
# Q6


def gradient_penalty_run(ns, w1, b1, w2, b2, real, fake, eps):
    """A tanh MLP critic from the judge's weights on flattened inputs, handed to ``gradient_penalty``."""
    layers = tf.keras.layers
    critic = tf.keras.Sequential([tf.keras.Input(shape=real.shape[1:]), layers.Flatten(),
                                  layers.Dense(w1.shape[1], activation="tanh"), layers.Dense(1)])
    critic.set_weights([w1, b1, w2, b2])
    return ns["gradient_penalty"](critic, tf.constant(real), tf.constant(fake), tf.constant(eps))


def spectral_norm_run(ns, kernel, u, x, train_calls, bias=None):
    """Outputs of a SpectralNormDense with the judge's kernel and u: before any update (inference), after one
    training call, after ``train_calls`` training calls, and an inference call after those."""
    layer = ns["SpectralNormDense"](kernel.shape[1])
    layer.build((None, kernel.shape[0]))
    if len(layer.weights) != 3:
        raise ValueError(f"SpectralNormDense should have 3 weights (kernel, bias, u), it has {len(layer.weights)}")
    layer.set_weights([kernel, np.zeros(kernel.shape[1], np.float32) if bias is None else bias, u])
    x = tf.constant(x)
    out = [layer(x, training=False)]
    out.append(layer(x, training=True))
    for _ in range(train_calls - 1):
        last = layer(x, training=True)
    out.append(last)
    out.append(layer(x, training=False))
    trainable = [w.name.split("/")[-1].split(":")[0] for w in layer.trainable_weights]
    return {"outputs": [np.asarray(o, np.float32) for o in out], "n_trainable": len(trainable)}


def ring_samples(ns, real, steps, noise):
    generator = ns["train_ring_gan"](real, steps, noise.shape[1])
    return np.asarray(generator(tf.constant(noise), training=False), np.float32)
