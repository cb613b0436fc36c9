from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_ema_values", points=1, hidden=False)
def test_ema_values(ema_eager, ema):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([1.0, 3.0, 2.0, 0.0])
    expected = np.array([1.0, 2.0, 2.0, 1.0], np.float32)
    np.testing.assert_allclose(ema_eager(x, 0.5).numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(ema(x, 0.5).numpy(), expected, atol=1e-6)


@test_case(name="test_ema_traces_once", points=1, hidden=False)
def test_ema_traces_once(make_ema):
    import tensorflow as tf

    fn = make_ema()
    for n, alpha in ((3, 0.1), (5, 0.2), (9, 0.3)):
        fn(tf.ones([n]), alpha)
    assert hasattr(fn, "experimental_get_tracing_count"), "make_ema() must return a tf.function"
    count = fn.experimental_get_tracing_count()
    assert count == 1, f"traced {count} times for 3 lengths and 3 Python float alphas; add an input_signature"


@test_case(name="test_clip_or_scale", points=1, hidden=False)
def test_clip_or_scale(clip_or_scale):
    import numpy as np
    import tensorflow as tf

    np.testing.assert_allclose(clip_or_scale(tf.constant([0.5, -0.2])).numpy(), [0.5, -0.2])
    np.testing.assert_allclose(clip_or_scale(tf.constant([4.0, -2.0])).numpy(), [1.0, -0.5])
    np.testing.assert_allclose(clip_or_scale(tf.constant([-4.0, 2.0])).numpy(), [-1.0, 1.0])
