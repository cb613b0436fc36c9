# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The shards are interleaved two at a time (cycle_length=2, num_parallel_calls=2) instead of all eight at
# once: the pipeline is still parallel and still beats the naive one, but six shards wait their turn.
# %% [q4]
def fast_pipeline(paths: list, read_shard, lookup, batch_size: int) -> tf.data.Dataset:
    """A fast version of the naive input pipeline below, with the same elements (in any order).

    Naive version (correct, slow)::

        ds = tf.data.Dataset.from_tensor_slices(paths).flat_map(read_shard)
        ds = ds.map(lambda r: tf.io.parse_single_example(r, FEATURES))
        ds = ds.map(lambda e: {**e, "price": lookup(e["id"][tf.newaxis])[0]})
        ds = ds.batch(batch_size)

    with ``FEATURES = {"id": tf.io.FixedLenFeature([], tf.int64),
    "x": tf.io.FixedLenFeature([4], tf.float32)}``. ``read_shard(path)`` gives one shard's
    serialized records with I/O latency per record; ``lookup(ids)`` costs one round trip per call,
    however many ids it gets. Make it fast: read the shards in parallel (``interleave`` with
    ``cycle_length`` and ``num_parallel_calls`` both equal to the number of shards: the readers
    wait on I/O, and ``AUTOTUNE`` would size the pool for CPU work, i.e. about the core count), batch *before*
    parsing (``tf.io.parse_example`` on whole batches) and look up whole batches (vectorized map),
    with parallel maps and a final ``prefetch``. ``read_shard`` and ``lookup`` stand for the real storage and
    price service: read every record through ``read_shard`` and price every id once through ``lookup`` (the
    hidden tests count what goes through them).

    Returns:
        Batches ``{"id": int64 (B,), "x": float32 (B, 4), "price": float32 (B,)}``, ``B <=
        batch_size``.
    """
    features = {"id": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([4], tf.float32)}
    files = tf.data.Dataset.from_tensor_slices(paths)
    # I/O-bound readers wait without using CPU, so many more of them than cores pay off; AUTOTUNE
    # sizes the pool for CPU-bound work (about the core count), so name the parallelism here.
    readers = 2
    ds = files.interleave(read_shard, cycle_length=readers, num_parallel_calls=readers, deterministic=False)
    ds = ds.batch(batch_size)
    ds = ds.map(lambda r: tf.io.parse_example(r, features), num_parallel_calls=AUTOTUNE)
    ds = ds.map(lambda e: {**e, "price": lookup(e["id"])}, num_parallel_calls=AUTOTUNE)
    return ds.prefetch(AUTOTUNE)
