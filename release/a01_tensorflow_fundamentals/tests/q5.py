from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_saturating_cast_uint8", points=1, hidden=False)
def test_saturating_cast_uint8(saturating_cast):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([-5.0, 0.5, 254.9, 300.7, np.inf, np.nan], tf.float32)
    got = saturating_cast(x, tf.uint8)
    assert isinstance(got, tf.Tensor) and got.dtype == tf.uint8, "return a uint8 tf.Tensor"
    assert got.numpy().tolist() == [0, 0, 254, 255, 255, 0], got.numpy().tolist()


@test_case(name="test_promote_and_add_int_float", points=1, hidden=False)
def test_promote_and_add_int_float(promote_and_add):
    import tensorflow as tf

    got = promote_and_add(tf.constant([1, 2], tf.int32), tf.constant([0.5, 0.25], tf.float32))
    assert got.dtype == tf.float64, f"int32 + float32 needs float64, got {got.dtype.name}"
    assert got.numpy().tolist() == [1.5, 2.25]


@test_case(name="test_flatten_keep_batch_shape", points=1, hidden=False)
def test_flatten_keep_batch_shape(flatten_keep_batch):
    import tensorflow as tf

    assert tuple(flatten_keep_batch(tf.zeros([2, 3, 4])).shape) == (2, 12)


@test_case(name="test_nbytes_float32", points=1, hidden=False)
def test_nbytes_float32(nbytes):
    import numpy as np

    assert nbytes(np.zeros((3, 4), np.float32)) == 48
