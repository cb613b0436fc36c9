# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# The course's augmentation: tf.image.random_flip_left_right / random_brightness with a seed. The
# images change on every pass over the data and do not match the stateless reference. The
# other functions are the reference's, with clean_text forgetting to filter empty strings.
# %% [q2]
def clean_text(ds: tf.data.Dataset) -> tf.data.Dataset:
    """No filter."""
    def normalize(s):
        s = tf.strings.lower(s)
        s = tf.strings.regex_replace(s, "[^a-z0-9]+", " ")
        return tf.strings.strip(s)

    return ds.map(normalize)


def sliding_windows(ds: tf.data.Dataset, size: int, shift: int) -> tf.data.Dataset:
    """Right."""
    return ds.window(size, shift=shift, drop_remainder=True).flat_map(lambda w: w.batch(size, drop_remainder=True))


def split_every(ds: tf.data.Dataset, k: int) -> tuple:
    """Right."""
    indexed = ds.enumerate()
    k = tf.constant(k, tf.int64)

    def is_val(i, x):
        return i % k == 0

    def is_train(i, x):
        return i % k != 0

    def drop_index(i, x):
        return x

    return indexed.filter(is_train).map(drop_index), indexed.filter(is_val).map(drop_index)


def augment(ds: tf.data.Dataset, seed: int) -> tf.data.Dataset:
    """Stateful random ops."""
    def apply(image, label):
        image = tf.image.random_flip_left_right(image, seed=seed)
        image = tf.image.random_brightness(image, 0.2, seed=seed)
        return tf.clip_by_value(image, 0.0, 1.0), label

    return ds.map(apply)
