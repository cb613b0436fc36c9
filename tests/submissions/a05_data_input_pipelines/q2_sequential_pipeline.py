# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, AUTOTUNE come from the reference setup cell)
# Correct values, but one image at a time: no num_parallel_calls and no prefetch. TF 2.18's
# automatic map parallelization leaves a map with a stateful op (the slow reader) sequential, so
# this loses only the throughput test.
# %% [q2]
def image_pipeline(paths, labels, image_size: int, batch_size: int, training: bool = False, seed: int = 0,
                   read_fn=tf.io.read_file) -> tf.data.Dataset:
    """Sequential image pipeline."""
    def load(index, path, label):
        image = tf.io.decode_image(read_fn(path), channels=3, expand_animations=False)
        image = tf.image.convert_image_dtype(image, tf.float32)
        image = tf.image.resize(image, (image_size, image_size))
        if training:
            index = tf.cast(index, tf.int64)
            image = tf.image.stateless_random_flip_left_right(image, seed=tf.stack([seed, 2 * index]))
            image = tf.image.stateless_random_brightness(image, 0.2, seed=tf.stack([seed, 2 * index + 1]))
            image = tf.clip_by_value(image, 0.0, 1.0)
        return image, label

    data = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], tf.constant(labels, tf.int32)))
    return data.enumerate().map(lambda i, pl: load(i, *pl)).batch(batch_size)
