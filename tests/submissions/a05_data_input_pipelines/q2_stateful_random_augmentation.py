# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, AUTOTUNE come from the reference setup cell)
# The course's augmentation: tf.image.random_flip_left_right / random_brightness with an op seed.
# The draws depend on op-creation order and hidden state, so they are not the seeded stateless ones
# and two runs differ. Evaluation mode and speed are right.
# %% [q2]
def image_pipeline(paths, labels, image_size: int, batch_size: int, training: bool = False, seed: int = 0,
                   read_fn=tf.io.read_file) -> tf.data.Dataset:
    """Image pipeline with stateful augmentation."""
    def load(path, label):
        image = tf.io.decode_image(read_fn(path), channels=3, expand_animations=False)
        image = tf.image.convert_image_dtype(image, tf.float32)
        image = tf.image.resize(image, (image_size, image_size))
        if training:
            image = tf.image.random_flip_left_right(image, seed=seed)
            image = tf.clip_by_value(tf.image.random_brightness(image, 0.2, seed=seed), 0.0, 1.0)
        return image, label

    data = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], tf.constant(labels, tf.int32)))
    return data.map(load, num_parallel_calls=AUTOTUNE).batch(batch_size).prefetch(AUTOTUNE)
