from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_pooling_matches_tf", points=1, hidden=False)
def test_pooling_matches_tf(max_pool2d, avg_pool2d, global_pools):
    import numpy as np
    import tensorflow as tf

    x = tf.constant(np.random.default_rng(1).normal(size=(2, 7, 7, 3)) - 3.0, tf.float32)
    for k, s, padding in ((2, 2, "VALID"), (3, 2, "SAME")):
        np.testing.assert_allclose(np.asarray(max_pool2d(x, k, s, padding)),
                                   tf.nn.max_pool2d(x, k, s, padding).numpy(), atol=1e-6)
        np.testing.assert_allclose(np.asarray(avg_pool2d(x, k, s, padding)),
                                   tf.nn.avg_pool2d(x, k, s, padding).numpy(), atol=1e-5)
    avg, mx = global_pools(x)
    np.testing.assert_allclose(np.asarray(avg), x.numpy().mean(axis=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(np.asarray(mx), x.numpy().max(axis=(1, 2)), atol=1e-6)


@test_case(name="test_adaptive_pool_divisible_equals_avg_pool", points=1, hidden=False)
def test_adaptive_pool_divisible_equals_avg_pool(adaptive_avg_pool2d):
    import numpy as np
    import tensorflow as tf

    x = tf.constant(np.random.default_rng(2).normal(size=(1, 8, 6, 2)), tf.float32)
    np.testing.assert_allclose(np.asarray(adaptive_avg_pool2d(x, (4, 3))),
                               tf.nn.avg_pool2d(x, 2, 2, "VALID").numpy(), atol=1e-5)
    assert tuple(np.shape(adaptive_avg_pool2d(x, (3, 4)))) == (1, 3, 4, 2)
