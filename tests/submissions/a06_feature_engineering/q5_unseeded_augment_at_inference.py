# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, SEED come from the reference setup cell)
# The course's tf.image augmentation wrapped in a Lambda layer: it also runs at inference and
# ignores the seed argument.
# %% [q5]
def make_augmenter(seed: int) -> tf.keras.Sequential:
    """A seeded augmentation model made of Keras preprocessing layers, in this order:

    ``RandomFlip("horizontal")``, ``RandomRotation(0.05, fill_mode="reflect")``,
    ``RandomZoom(0.1, fill_mode="reflect")``, ``RandomContrast(0.2)``, each with ``seed=seed``.

    A fresh augmenter made with the same seed gives the same outputs (whatever the global seed);
    called with ``training=False`` (inference) it is the identity, so the same model can serve.

    Args:
        seed: an int.

    Returns:
        A ``tf.keras.Sequential`` of the four layers.
    """
    return tf.keras.Sequential([
        tf.keras.layers.Lambda(lambda x: tf.image.random_contrast(tf.image.random_flip_left_right(x), 0.8, 1.2)),
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


