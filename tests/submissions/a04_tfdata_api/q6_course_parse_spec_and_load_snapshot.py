# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# The course text's slips: the embedding parsed as FixedLenFeature([], tf.string), every record
# in one shard file, and save_and_load returning the original dataset after saving. The snapshot
# pipeline snapshots before the map, so every pass re-runs expensive_fn.
# %% [q6]
def serialize_example(record: dict) -> bytes:
    """Right."""
    feature = {
        "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(record["id"])])),
        "embedding": tf.train.Feature(float_list=tf.train.FloatList(value=np.asarray(record["embedding"]).ravel())),
        "tokens": tf.train.Feature(int64_list=tf.train.Int64List(value=np.asarray(record["tokens"]).ravel())),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[str(record["name"]).encode("utf-8")])),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write_tfrecords(records: list, prefix: str, num_shards: int, compression: str = "") -> list:
    """Contiguous shards."""
    paths = [f"{prefix}-{s:05d}-of-{num_shards:05d}.tfrecord" for s in range(num_shards)]
    per = -(-len(records) // num_shards)
    for s, p in enumerate(paths):
        with tf.io.TFRecordWriter(p, tf.io.TFRecordOptions(compression_type=compression)) as w:
            for record in records[s * per:(s + 1) * per]:
                w.write(serialize_example(record))
    return paths


def parse_example(serialized, dim: int) -> dict:
    """The course's spec."""
    spec = {
        "id": tf.io.FixedLenFeature([], tf.int64),
        "embedding": tf.io.FixedLenFeature([], tf.string),
        "tokens": tf.io.VarLenFeature(tf.int64),
        "name": tf.io.FixedLenFeature([], tf.string),
    }
    return tf.io.parse_single_example(serialized, spec)


def read_tfrecords(paths: list, dim: int, compression: str = "") -> tf.data.Dataset:
    """Right."""
    return tf.data.TFRecordDataset(paths, compression_type=compression).map(lambda s: parse_example(s, dim))


def save_and_load(ds: tf.data.Dataset, path: str) -> tf.data.Dataset:
    """Returns the original."""
    ds.save(path)
    return ds


def snapshot_pipeline(ds: tf.data.Dataset, expensive_fn, path: str) -> tf.data.Dataset:
    """Snapshot before the map."""
    return ds.snapshot(path).map(expensive_fn)
