# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# Two course-style slips: record_defaults given as bare dtypes (empty CSV fields then raise), and
# TextLineDataset(files).skip(1), which skips only the first file's header. The generator has no
# assert_cardinality, so len() fails. tfrecord_dataset is right.
# %% [q1]
def squares_dataset(n: int) -> tf.data.Dataset:
    """No cardinality."""
    def generate():
        for i in range(n):
            yield i, i * i

    spec = (tf.TensorSpec(shape=(), dtype=tf.int64), tf.TensorSpec(shape=(), dtype=tf.int64))
    return tf.data.Dataset.from_generator(generate, output_signature=spec)


def csv_dataset(path: str) -> tf.data.Dataset:
    """Dtypes only."""
    return tf.data.experimental.CsvDataset(path, record_defaults=[tf.float32, tf.int32, tf.string], header=True)


def lines_dataset(pattern: str) -> tf.data.Dataset:
    """One skip for all files."""
    files = tf.data.Dataset.list_files(pattern, shuffle=False)
    return tf.data.TextLineDataset(files).skip(1)


def tfrecord_dataset(pattern: str) -> tf.data.Dataset:
    """Right."""
    return tf.data.TFRecordDataset(tf.data.Dataset.list_files(pattern, shuffle=False))
