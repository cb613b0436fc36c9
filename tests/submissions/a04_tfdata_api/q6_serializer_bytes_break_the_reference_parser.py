# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np come from the reference setup cell)
# serialize_example returns bytes of its own format. The hidden test hands them to the reference's parser,
# which fails on them: that must fail this test (the student's bytes are at fault), not stop the grading.
# %% [q6]
def serialize_example(record: dict) -> bytes:
    """Not an Example: a length prefix and the record's repr, which no Example parser can read."""
    text = repr(sorted(record.items())).encode()
    return len(text).to_bytes(4, "little") + text


def write_tfrecords(records: list, prefix: str, num_shards: int, compression: str = "") -> list:
    """Write records to ``num_shards`` TFRecord files; returns their paths in shard order.

    Record ``j`` goes to shard ``j % num_shards``, serialized by ``serialize_example``; shard ``s``
    is ``f"{prefix}-{s:05d}-of-{num_shards:05d}.tfrecord"``. ``compression`` is ``""``, ``"GZIP"``
    or ``"ZLIB"`` (``tf.io.TFRecordOptions(compression_type=...)``).
    """
    ### BEGIN SOLUTION
    paths = [f"{prefix}-{s:05d}-of-{num_shards:05d}.tfrecord" for s in range(num_shards)]
    options = tf.io.TFRecordOptions(compression_type=compression)
    writers = [tf.io.TFRecordWriter(p, options) for p in paths]
    try:
        for j, record in enumerate(records):
            writers[j % num_shards].write(serialize_example(record))
    finally:
        for w in writers:
            w.close()
    return paths
    ### END SOLUTION


def parse_example(serialized, dim: int) -> dict:
    """Parse one serialized Example written by ``serialize_example`` (``embedding`` of length ``dim``).

    Returns ``{"id": int64 (), "embedding": float32 (dim,), "tokens": int64 (None,), "name":
    string ()}``: fixed-length features with ``FixedLenFeature``, the variable-length tokens with
    ``tf.io.RaggedFeature(tf.int64)`` (or ``VarLenFeature`` made dense) as a 1-D tensor.
    """
    ### BEGIN SOLUTION
    spec = {
        "id": tf.io.FixedLenFeature([], tf.int64),
        "embedding": tf.io.FixedLenFeature([dim], tf.float32),
        "tokens": tf.io.RaggedFeature(tf.int64),
        "name": tf.io.FixedLenFeature([], tf.string),
    }
    return tf.io.parse_single_example(serialized, spec)
    ### END SOLUTION


def read_tfrecords(paths: list, dim: int, compression: str = "") -> tf.data.Dataset:
    """The records of ``paths`` (files in the given order), parsed with ``parse_example``."""
    ### BEGIN SOLUTION
    ds = tf.data.TFRecordDataset(paths, compression_type=compression)
    return ds.map(lambda s: parse_example(s, dim))
    ### END SOLUTION


def save_and_load(ds: tf.data.Dataset, path: str) -> tf.data.Dataset:
    """Save ``ds`` with ``ds.save(path)`` and return ``tf.data.Dataset.load(path)``."""
    ### BEGIN SOLUTION
    ds.save(path)
    return tf.data.Dataset.load(path)
    ### END SOLUTION


def snapshot_pipeline(ds: tf.data.Dataset, expensive_fn, path: str) -> tf.data.Dataset:
    """``ds.map(expensive_fn)`` persisted with ``snapshot(path)``.

    The first full pass writes the snapshot; later passes over the same pipeline read it instead of
    calling ``expensive_fn``. (Do not ``Dataset.load`` a snapshot directory: it is not ``save``
    output.)
    """
    ### BEGIN SOLUTION
    return ds.map(expensive_fn).snapshot(path)
    ### END SOLUTION
