# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, ... come from the reference setup cell)
# The crop as the course's hint suggests: tf.image.resize(preserve_aspect_ratio=True) fits the LONGER side,
# so resize_with_crop_or_pad then pads the shorter one with black instead of cropping.
# %% [q2]
def image_pipeline(paths, labels, image_size: int, batch_size: int, training: bool = False, seed: int = 0,
                   read_fn=tf.io.read_file, crop: bool = False, symmetric: bool = False) -> tf.data.Dataset:
    """Decode, resize, (augment) and batch PNG and JPEG files, in a parallel ``tf.data`` pipeline.

    For element ``i`` (its position in ``paths``):

    1. ``read_fn(path)`` gives the file's bytes (the hidden tests pass a slow reader that simulates
       network storage; call it inside your ``map``).
    2. Decode PNG or JPEG, grayscale or colour, to 3 channels (``tf.io.decode_image(...,
       channels=3, expand_animations=False)``), then ``tf.image.convert_image_dtype`` to ``float32``
       in ``[0, 1]``.
    3. Without ``crop``: ``tf.image.resize`` to ``(image_size, image_size)`` (bilinear, the default),
       which stretches a non-square image. With ``crop``, keep the aspect ratio: for an ``h x w``
       image with shorter side ``s = min(h, w)``, resize (bilinear) to
       ``((h * image_size + s - 1) // s, (w * image_size + s - 1) // s)`` (integer arithmetic, so the
       shorter side becomes exactly ``image_size``), then take the central
       ``image_size x image_size`` window with ``tf.image.resize_with_crop_or_pad``.
    4. Only when ``training``: ``tf.image.stateless_random_flip_left_right`` with seed
       ``[seed, 2 * i]``, then ``tf.image.stateless_random_brightness`` with ``max_delta=0.2`` and
       seed ``[seed, 2 * i + 1]``, then clip to ``[0, 1]``.
    5. Only when ``symmetric``: map ``[0, 1]`` to ``[-1, 1]`` (``2 * x - 1``), the input range of
       MobileNet- and Inception-style networks. This comes last, after the clip.
    6. Batch (keep the last, smaller batch), keep the file order, and make it fast: parallel map,
       prefetch.

    Args:
        paths: list of file paths.
        labels: list of ints, one per path.
        image_size: output height and width.
        batch_size: images per batch.
        training: whether to augment.
        seed: the augmentation seed.
        read_fn: ``path tensor -> bytes tensor``.
        crop: resize the shorter side and centre-crop (aspect ratio kept) instead of stretching.
        symmetric: scale the pixels to ``[-1, 1]`` instead of ``[0, 1]``.

    Returns:
        A ``tf.data.Dataset`` of ``(images, labels)``: ``float32 (batch, image_size, image_size, 3)``
        and ``int32 (batch,)``; the static element shape is ``(None, image_size, image_size, 3)``.
    """
    def load(index, path, label):
        image = tf.io.decode_image(read_fn(path), channels=3, expand_animations=False)
        image = tf.image.convert_image_dtype(image, tf.float32)
        if crop:
            image = tf.image.resize(image, (image_size, image_size), preserve_aspect_ratio=True)
            image = tf.image.resize_with_crop_or_pad(image, image_size, image_size)
        else:
            image = tf.image.resize(image, (image_size, image_size))
        if training:
            index = tf.cast(index, tf.int64)
            image = tf.image.stateless_random_flip_left_right(image, seed=tf.stack([seed, 2 * index]))
            image = tf.image.stateless_random_brightness(image, 0.2, seed=tf.stack([seed, 2 * index + 1]))
            image = tf.clip_by_value(image, 0.0, 1.0)
        if symmetric:
            image = 2.0 * image - 1.0
        return image, label

    data = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], tf.constant(labels, tf.int32)))
    # The index rides along so each image's augmentation seed does not depend on thread scheduling.
    data = data.enumerate().map(lambda i, pl: load(i, *pl), num_parallel_calls=AUTOTUNE)
    return data.batch(batch_size).prefetch(AUTOTUNE)
