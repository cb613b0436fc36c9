from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


def _seqs(lengths):
    import tensorflow as tf

    return tf.data.Dataset.from_generator(
        lambda: (([i + 1] * n, i) for i, n in enumerate(lengths)),
        output_signature=(tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32)))


@test_case(name="test_padded_and_bucketed", points=1, hidden=False)
def test_padded_and_bucketed(padded_batches, bucketed_batches):
    batches = list(padded_batches(_seqs([1, 3, 2]), 2, -1).as_numpy_iterator())
    assert batches[0][0].tolist() == [[1, -1, -1], [2, 2, 2]] and batches[1][0].tolist() == [[3, 3]], batches
    buckets = list(bucketed_batches(_seqs([1, 9, 2, 8, 1]), [5], 4, 0).as_numpy_iterator())
    for tokens, _ in buckets:
        lengths = (tokens != 0).sum(axis=1)
        assert (lengths < 5).all() or (lengths >= 5).all(), "a batch mixes two buckets"
    assert sorted(int(v) for _, labels in buckets for v in labels) == [0, 1, 2, 3, 4]


@test_case(name="test_epoch_stream", points=1, hidden=False)
def test_epoch_stream(epoch_stream):
    import tensorflow as tf

    stream = list(epoch_stream(tf.data.Dataset.range(10), 10, 1, 3).as_numpy_iterator())
    epochs = [stream[i * 10:(i + 1) * 10] for i in range(3)]
    assert all(sorted(e) == list(range(10)) for e in epochs), "each epoch must be a permutation"
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2], "reshuffle each epoch"
    assert stream == list(epoch_stream(tf.data.Dataset.range(10), 10, 1, 3).as_numpy_iterator()), "seeded"
