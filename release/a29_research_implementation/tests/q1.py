from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_focal_loss", points=1, hidden=False)
def test_focal_loss(focal_loss, prior_bias_init):
    import math

    import numpy as np
    import tensorflow as tf

    y = tf.constant([1.0, 0.0, 1.0, 0.0])
    z = tf.constant([2.0, -1.0, -100.0, 100.0])
    got = focal_loss(y, z).numpy()
    assert got.shape == (4,) and np.all(np.isfinite(got)), "focal_loss must be element-wise and finite"
    p = 1 / (1 + math.exp(-2.0))
    assert abs(got[0] - (-0.25 * (1 - p) ** 2 * math.log(p))) < 1e-6
    assert abs(prior_bias_init(0.01) + math.log(99)) < 1e-9
