from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_heads_round_trip", points=1, hidden=False)
def test_heads_round_trip(split_heads, merge_heads):
    import numpy as np
    import tensorflow as tf

    x = tf.reshape(tf.range(2 * 3 * 8, dtype=tf.float32), (2, 3, 8))
    h = split_heads(x, 4)
    assert tuple(h.shape) == (2, 4, 3, 2), tuple(h.shape)
    assert h[0, 1, 0].numpy().tolist() == [2.0, 3.0], "head 1 takes features 2 and 3"
    np.testing.assert_array_equal(merge_heads(h).numpy(), x.numpy())


@test_case(name="test_chunk_interleave_pad", points=1, hidden=False)
def test_chunk_interleave_pad(chunk, interleave_rows, pad_and_stack):
    import tensorflow as tf

    assert [int(p.shape[0]) for p in chunk(tf.range(10), 3)] == [4, 4, 2]
    a = tf.constant([[1, 2], [3, 4]])
    b = tf.constant([[5, 6], [7, 8]])
    assert interleave_rows(a, b).numpy().tolist() == [[1, 2], [5, 6], [3, 4], [7, 8]]
    padded, lengths = pad_and_stack([tf.constant([1, 2, 3]), tf.constant([4])])
    assert padded.numpy().tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.numpy().tolist() == [3, 1]
