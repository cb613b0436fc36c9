# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, AUTOTUNE come from the reference setup cell)
# repeat() before shuffle() mixes epochs, and no seed is passed; the bucketing pads every batch to
# the global longest of its window with padded_batch over fixed-size chunks of the stream (no
# buckets at all). padded_batches is right.
# %% [q3]
def padded_batches(ds: tf.data.Dataset, batch_size: int, pad_id: int = 0) -> tf.data.Dataset:
    """Right."""
    return ds.padded_batch(batch_size, padded_shapes=([None], []),
                           padding_values=(tf.constant(pad_id, tf.int32), tf.constant(0, tf.int32)))


def bucketed_batches(ds: tf.data.Dataset, boundaries: list, batch_size: int, pad_id: int = 0) -> tf.data.Dataset:
    """No buckets."""
    return padded_batches(ds, batch_size, pad_id)


def epoch_stream(ds: tf.data.Dataset, buffer_size: int, seed: int, epochs: int) -> tf.data.Dataset:
    """Repeat first, unseeded."""
    return ds.repeat(epochs).shuffle(buffer_size)
