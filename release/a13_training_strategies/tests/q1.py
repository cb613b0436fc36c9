from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_sgd_and_adam_on_a_quadratic", points=1, hidden=False)
def test_sgd_and_adam_on_a_quadratic(optimize):
    import numpy as np
    import tensorflow as tf

    def loss(w):
        return 0.5 * tf.reduce_sum(tf.constant([1.0, 4.0]) * w * w)

    traj = optimize("sgd", loss, np.array([1.0, 1.0], np.float32), 2, 0.1)
    assert isinstance(traj, np.ndarray) and traj.shape == (3, 2), "return the trajectory, shape (steps + 1, n)"
    np.testing.assert_allclose(traj[1], [0.9, 0.6], rtol=1e-6)
    adam = optimize("adam", loss, np.array([1.0, -1.0], np.float32), 1, 0.1)
    # The first Adam step moves every coordinate by about lr against the gradient's sign.
    np.testing.assert_allclose(adam[1], [0.9, -0.9], rtol=1e-4)
    w_dec = optimize("adamw", loss, np.array([1.0, 1.0], np.float32), 3, 0.1, weight_decay=0.5)
    w_l2 = optimize("adam_l2", loss, np.array([1.0, 1.0], np.float32), 3, 0.1, weight_decay=0.5)
    assert not np.allclose(w_dec, w_l2), "decoupled weight decay and L2 under Adam should differ"
