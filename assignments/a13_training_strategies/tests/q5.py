from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_dropout_and_batchnorm", points=1, hidden=False)
def test_dropout_and_batchnorm(dropout, BatchNorm):
    import numpy as np
    import tensorflow as tf

    x = np.ones((100, 100), np.float32)
    y = np.asarray(dropout(x, 0.5, True, 0))
    assert set(np.unique(y)) <= {0.0, 2.0}, "kept values are scaled by 1 / (1 - rate)"
    assert abs((y == 0).mean() - 0.5) < 0.03
    np.testing.assert_array_equal(np.asarray(dropout(x, 0.5, False, 0)), x)
    bn = BatchNorm(momentum=0.9)
    ref = tf.keras.layers.BatchNormalization(momentum=0.9, fused=False)
    batch = tf.constant(np.random.default_rng(0).normal(3.0, 2.0, size=(8, 4)).astype(np.float32))
    np.testing.assert_allclose(np.asarray(bn(batch, training=True)), ref(batch, training=True).numpy(), atol=1e-4)
    np.testing.assert_allclose(np.asarray(bn.moving_mean), ref.moving_mean.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(bn(batch, training=False)), ref(batch, training=False).numpy(), atol=1e-4)
