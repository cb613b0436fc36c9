from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_mish_is_stable", points=1, hidden=False)
def test_mish_is_stable(stable_mish, hard_swish):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([-1e4, -2.0, 0.0, 2.0, 1e4])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = stable_mish(x)
    g = tape.gradient(y, x).numpy()
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(g)), "stable_mish must stay finite at +-1e4"
    np.testing.assert_allclose(g[[0, 2, 4]], [0.0, np.tanh(np.log(2.0)), 1.0], atol=1e-6)
    np.testing.assert_allclose(hard_swish(tf.constant([-4.0, 0.0, 1.0, 4.0])).numpy(),
                               [0.0, 0.0, 1.0 * 4.0 / 6.0, 4.0], atol=1e-6)


@test_case(name="test_snake_gradient", points=1, hidden=False)
def test_snake_gradient(snake):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([0.3, -1.2, 2.0], tf.float64)
    a = tf.constant(0.5, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([x, a])
        y = snake(x, a)
    gx, ga = tape.gradient(y, [x, a])
    np.testing.assert_allclose(y.numpy(), x.numpy() + np.sin(0.5 * x.numpy()) ** 2 / 0.5, atol=1e-12)
    np.testing.assert_allclose(gx.numpy(), 1 + np.sin(x.numpy()), atol=1e-12)
    assert ga is not None and ga.shape == (), "snake's custom gradient must also return a scalar gradient for alpha"
