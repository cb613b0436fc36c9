from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_multitask_outputs_and_losses", points=1, hidden=False)
def test_multitask_outputs_and_losses(build_multitask_model, task_losses, UncertaintyWeighting):
    import numpy as np
    import tensorflow as tf

    model = build_multitask_model(64, (64, 32), 10)
    x = np.random.default_rng(0).normal(size=(5, 64)).astype(np.float32)
    out = model(x)
    assert {k: tuple(v.shape) for k, v in out.items()} == {"digit": (5, 10), "parity": (5, 1), "ink": (5, 1)}
    y = {"digit": np.zeros(5, np.int64), "parity": np.ones(5, np.float32), "ink": np.zeros(5, np.float32)}
    losses = task_losses(y, out)
    assert sorted(losses) == ["digit", "ink", "parity"] and all(v.shape == () for v in losses.values())
    uw = UncertaintyWeighting(3)
    total = uw([tf.constant(1.0), tf.constant(2.0), tf.constant(3.0)])
    assert abs(float(total) - 6.0) < 1e-6, "with log_vars = 0 the total is the plain sum"
