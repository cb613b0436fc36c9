from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_broadcast_shape_rule", points=1, hidden=False)
def test_broadcast_shape_rule(broadcast_shape):
    assert tuple(broadcast_shape((2, 2), ())) == (2, 2)
    assert tuple(broadcast_shape((8, 1, 6, 1), (7, 1, 5))) == (8, 7, 6, 5)
    try:
        broadcast_shape((3,), (4,))
    except ValueError:
        pass
    else:
        raise AssertionError("(3,) and (4,) are incompatible: raise ValueError")


@test_case(name="test_distances_softmax_softplus", points=1, hidden=False)
def test_distances_softmax_softplus(pairwise_sq_dists, stable_softmax, softplus):
    import numpy as np
    import tensorflow as tf

    a = tf.constant([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(pairwise_sq_dists(a, a).numpy(), [[0, 25], [25, 0]], atol=1e-5)
    p = stable_softmax(tf.constant([[1000.0, 0.0, -1000.0]])).numpy()
    assert np.isfinite(p).all(), "softmax of large logits must stay finite"
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]], atol=1e-6)
    s = softplus(tf.constant([-100.0, 0.0, 100.0])).numpy()
    np.testing.assert_allclose(s, [0.0, np.log(2.0), 100.0], rtol=1e-6, atol=1e-6)
