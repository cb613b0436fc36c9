# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# The slow pipeline of the prompt, written out: sequential reads, per-element parsing and one lookup
# round trip per element. Every element is right; only the throughput test (and the structure
# check) fail.
# %% [q4]
def fast_pipeline(paths: list, read_shard, lookup, batch_size: int) -> tf.data.Dataset:
    """Naive but correct."""
    features = {"id": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([4], tf.float32)}
    ds = tf.data.Dataset.from_tensor_slices(paths).flat_map(read_shard)
    ds = ds.map(lambda r: tf.io.parse_single_example(r, features))
    ds = ds.map(lambda e: {**e, "price": lookup(e["id"][tf.newaxis])[0]})
    return ds.batch(batch_size)
