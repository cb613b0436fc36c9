# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, ... come from the reference setup cell)
# Cutout's centre is drawn so that the square always fits inside the image: the border is never erased
# as often as the documented process erases it.
# %% [q5]
def make_augmenter(seed: int) -> tf.keras.Sequential:
    """A seeded augmentation model made of Keras preprocessing layers.

    In this order: ``RandomFlip("horizontal")``, ``RandomRotation(0.05, fill_mode="reflect")``,
    ``RandomZoom(0.1, fill_mode="reflect")``, ``RandomContrast(0.2)``, each with ``seed=seed``.

    A fresh augmenter made with the same seed gives the same outputs (whatever the global seed);
    called with ``training=False`` (inference) it is the identity, so the same model can serve.

    Args:
        seed: an int.

    Returns:
        A ``tf.keras.Sequential`` of the four layers.
    """
    return tf.keras.Sequential([
        tf.keras.layers.RandomFlip("horizontal", seed=seed),
        tf.keras.layers.RandomRotation(0.05, fill_mode="reflect", seed=seed),
        tf.keras.layers.RandomZoom(0.1, fill_mode="reflect", seed=seed),
        tf.keras.layers.RandomContrast(0.2, seed=seed),
    ])


def preprocess_images(images, size: int) -> tf.Tensor:
    """Resize ``uint8`` images and scale them to ``[-1, 1]`` with Keras preprocessing layers.

    ``tf.keras.layers.Resizing(size, size)`` (bilinear), then
    ``tf.keras.layers.Rescaling(1 / 127.5, offset=-1)``.

    Args:
        images: a ``uint8`` array of shape ``(B, H, W, C)``.
        size: the output height and width.

    Returns:
        A ``float32`` tensor of shape ``(B, size, size, C)`` with values in ``[-1, 1]``.
    """
    x = tf.keras.layers.Resizing(size, size)(tf.constant(np.asarray(images, np.uint8)))
    return tf.keras.layers.Rescaling(1.0 / 127.5, offset=-1.0)(x)


def imagenet_normalize(images) -> tf.Tensor:
    """ImageNet normalization of images in ``[0, 1]``: ``(x - mean) / std`` per channel.

    ``mean = [0.485, 0.456, 0.406]`` and ``std = [0.229, 0.224, 0.225]`` (RGB), via
    ``tf.keras.layers.Normalization(mean=..., variance=std**2)``.

    Args:
        images: a ``float32`` array of shape ``(B, H, W, 3)``.

    Returns:
        A ``float32`` tensor of the same shape.
    """
    std = np.array([0.229, 0.224, 0.225])
    layer = tf.keras.layers.Normalization(mean=[0.485, 0.456, 0.406], variance=(std ** 2).tolist())
    return layer(tf.constant(np.asarray(images, np.float32)))


def _beta(shape, alpha: float, seed: int, stream: int) -> tf.Tensor:
    """``Beta(alpha, alpha)`` draws as ``g1 / (g1 + g2)`` of two stateless Gamma draws."""
    g1 = tf.random.stateless_gamma(shape, seed=[seed, stream], alpha=alpha)
    g2 = tf.random.stateless_gamma(shape, seed=[seed, stream + 1], alpha=alpha)
    return g1 / (g1 + g2)


def mixup(images, labels, alpha: float, seed: int) -> tuple:
    """MixUp (Zhang et al. 2018) of a batch with a shuffled copy of itself, written by hand.

    Per example ``i``: ``lam_i ~ Beta(alpha, alpha)``, a partner ``perm[i]`` from a random permutation of
    the batch, ``x_i' = lam_i * x_i + (1 - lam_i) * x_perm[i]`` and the same mix of the one-hot labels.
    Draw everything from ``seed`` with stateless ops, so a seed repeats and another seed differs.

    Args:
        images: ``float32`` ``(B, H, W, C)``.
        labels: one-hot ``float32`` ``(B, K)``.
        alpha: the Beta distribution's parameter (> 0).
        seed: an int.

    Returns:
        ``(images, labels, lam, perm)``: the mixed batch and labels, ``lam`` ``float32`` ``(B,)`` and ``perm``
        ``int32`` ``(B,)``.
    """
    images, labels = tf.constant(images, tf.float32), tf.constant(labels, tf.float32)
    batch = tf.shape(images)[0]
    lam = _beta([batch], alpha, seed, 0)
    perm = tf.random.experimental.stateless_shuffle(tf.range(batch), seed=[seed, 2])
    mixed = lam[:, None, None, None] * images + (1 - lam[:, None, None, None]) * tf.gather(images, perm)
    mixed_labels = lam[:, None] * labels + (1 - lam[:, None]) * tf.gather(labels, perm)
    return mixed, mixed_labels, lam, perm


def _boxes(height: int, width: int, box_h, box_w, seed: int, stream: int) -> tf.Tensor:
    """Boxes ``[y0, x0, y1, x1]`` (end exclusive) of the given sizes around uniform centres, clipped."""
    batch = tf.shape(box_h)[0]
    cy = tf.random.stateless_uniform([batch], seed=[seed, stream], minval=tf.reduce_max(box_h) // 2,
                                     maxval=height - tf.reduce_max(box_h) // 2, dtype=tf.int32)
    cx = tf.random.stateless_uniform([batch], seed=[seed, stream + 1], minval=tf.reduce_max(box_w) // 2,
                                     maxval=width - tf.reduce_max(box_w) // 2, dtype=tf.int32)
    y0 = tf.clip_by_value(cy - box_h // 2, 0, height)
    x0 = tf.clip_by_value(cx - box_w // 2, 0, width)
    y1 = tf.clip_by_value(cy - box_h // 2 + box_h, 0, height)
    x1 = tf.clip_by_value(cx - box_w // 2 + box_w, 0, width)
    return tf.stack([y0, x0, y1, x1], axis=1)


def _box_masks(boxes, height: int, width: int) -> tf.Tensor:
    """``float32`` ``(B, H, W, 1)``: 1 inside each example's box."""
    rows = tf.range(height)[None, :, None]
    cols = tf.range(width)[None, None, :]
    inside = ((rows >= boxes[:, 0, None, None]) & (rows < boxes[:, 2, None, None])
              & (cols >= boxes[:, 1, None, None]) & (cols < boxes[:, 3, None, None]))
    return tf.cast(inside, tf.float32)[..., None]


def cutmix(images, labels, alpha: float, seed: int) -> tuple:
    """CutMix (Yun et al. 2019): paste a box of a partner image, mix the labels by the pasted area.

    Per example ``i``: ``lam_i ~ Beta(alpha, alpha)``; a box of height ``int(H * sqrt(1 - lam_i))`` and width
    ``int(W * sqrt(1 - lam_i))`` around a uniform centre ``(cy, cx)`` (``y0 = cy - h // 2``, ``y1 = y0 + h``,
    then both clipped to ``[0, H]``; the same for x); the pixels inside come from ``perm[i]``. Because the
    box is clipped at the border, the label weight is the *pasted area*:
    ``y_i' = (1 - a_i) * y_i + a_i * y_perm[i]`` with ``a_i = (y1 - y0) * (x1 - x0) / (H * W)``, not
    ``1 - lam_i``.

    Args:
        images: ``float32`` ``(B, H, W, C)``.
        labels: one-hot ``float32`` ``(B, K)``.
        alpha: the Beta distribution's parameter.
        seed: an int.

    Returns:
        ``(images, labels, boxes, perm)``: ``boxes`` ``int32`` ``(B, 4)`` as ``[y0, x0, y1, x1]`` (end
        exclusive), ``perm`` ``int32`` ``(B,)``.
    """
    images, labels = tf.constant(images, tf.float32), tf.constant(labels, tf.float32)
    batch, height, width = tf.shape(images)[0], int(images.shape[1]), int(images.shape[2])
    lam = _beta([batch], alpha, seed, 0)
    perm = tf.random.experimental.stateless_shuffle(tf.range(batch), seed=[seed, 2])
    cut = tf.sqrt(1.0 - lam)
    box_h = tf.cast(tf.cast(height, tf.float32) * cut, tf.int32)
    box_w = tf.cast(tf.cast(width, tf.float32) * cut, tf.int32)
    boxes = _boxes(height, width, box_h, box_w, seed, 3)
    mask = _box_masks(boxes, height, width)
    mixed = (1 - mask) * images + mask * tf.gather(images, perm)
    area = tf.cast((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), tf.float32) / (height * width)
    mixed_labels = (1 - area[:, None]) * labels + area[:, None] * tf.gather(labels, perm)
    return mixed, mixed_labels, boxes, perm


def cutout(images, size: int, seed: int) -> tuple:
    """Cutout (DeVries and Taylor 2017): zero a ``size x size`` square around a uniform centre, clipped.

    The box is placed as in ``cutmix`` (``y0 = cy - size // 2``, ``y1 = y0 + size``, clipped to the image),
    with the centre drawn from ``seed``; the pixels inside become 0 in every channel, the rest are unchanged.

    Args:
        images: ``float32`` ``(B, H, W, C)``.
        size: the side of the square.
        seed: an int.

    Returns:
        ``(images, boxes)``: the images and the ``int32`` ``(B, 4)`` boxes ``[y0, x0, y1, x1]``.
    """
    images = tf.constant(images, tf.float32)
    batch, height, width = tf.shape(images)[0], int(images.shape[1]), int(images.shape[2])
    sides = tf.fill([batch], tf.constant(int(size), tf.int32))
    boxes = _boxes(height, width, sides, sides, seed, 5)
    return images * (1 - _box_masks(boxes, height, width)), boxes
