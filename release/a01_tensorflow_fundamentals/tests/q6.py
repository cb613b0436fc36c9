from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_fast_step_matches_step", points=1, hidden=False)
def test_fast_step_matches_step(step, fast_step):
    import numpy as np
    import tensorflow as tf

    x = tf.constant(np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4))
    np.testing.assert_allclose(fast_step(x).numpy(), step(x).numpy(), rtol=1e-5, atol=1e-6)
    assert hasattr(fast_step, "get_concrete_function"), "fast_step must be a tf.function"


@test_case(name="test_collatz_27", points=1, hidden=False)
def test_collatz_27(collatz_steps):
    assert int(collatz_steps(27)) == 111
    assert int(collatz_steps(1)) == 0


@test_case(name="test_eager_debugging_restores", points=1, hidden=False)
def test_eager_debugging_restores(eager_debugging):
    import tensorflow as tf

    before = tf.config.functions_run_eagerly()
    with eager_debugging():
        assert tf.config.functions_run_eagerly() is True
    assert tf.config.functions_run_eagerly() == before, "restore the previous value on exit"
