from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_course_matrix_and_masked_mean", points=1, hidden=False)
def test_course_matrix_and_masked_mean(masked_mean, standardize):
    import numpy as np
    import tensorflow as tf

    matrix = tf.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=tf.float32)
    everything = tf.ones_like(matrix, dtype=tf.bool)
    assert float(masked_mean(matrix, everything)) == 5.0
    np.testing.assert_allclose(masked_mean(matrix, everything, axis=0).numpy(), [4.0, 5.0, 6.0])
    mask = tf.constant([[True, False, True], [False, False, False], [True, True, True]])
    np.testing.assert_allclose(masked_mean(matrix, mask, axis=1).numpy(), [2.0, 0.0, 8.0])
    z = standardize(matrix, axis=1).numpy()
    np.testing.assert_allclose(z.mean(axis=1), 0.0, atol=1e-6)


@test_case(name="test_logsumexp_and_segment_mean", points=1, hidden=False)
def test_logsumexp_and_segment_mean(logsumexp, segment_mean):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([[1000.0, 1000.0], [-np.inf, 0.0]])
    got = logsumexp(x, axis=1).numpy()
    np.testing.assert_allclose(got, [1000.0 + np.log(2.0), 0.0], rtol=1e-6)
    seg = segment_mean(tf.constant([1.0, 2.0, 3.0]), tf.constant([2, 0, 2]), 4).numpy()
    np.testing.assert_allclose(seg, [2.0, 0.0, 2.0, 0.0])
