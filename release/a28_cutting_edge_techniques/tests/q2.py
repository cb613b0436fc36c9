from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_adapt_and_meta_gradient", points=1, hidden=False)
def test_adapt_and_meta_gradient(adapt, maml_meta_gradient):
    import numpy as np
    import tensorflow as tf

    w = [tf.Variable([[2.0]], dtype=tf.float64), tf.Variable([0.0], dtype=tf.float64)]
    x = np.array([[1.0], [2.0]])
    y = np.array([[1.0], [2.0]])
    fast = adapt(w, x, y, 0.1, 1)
    assert float(w[0].numpy()[0, 0]) == 2.0, "adapt must not assign to the variables"
    # loss = mean((2x - x)^2) = mean(x^2) -> dL/dw = 2 mean(x^2) = 5
    assert np.isclose(float(np.asarray(fast[0])[0, 0]), 2.0 - 0.1 * 5.0)
    g2 = maml_meta_gradient([np.array([[2.0]]), np.array([0.0])], [(x, y, x, y)], 0.1)
    g1 = maml_meta_gradient([np.array([[2.0]]), np.array([0.0])], [(x, y, x, y)], 0.1, first_order=True)
    assert not np.allclose(np.asarray(g2[0]), np.asarray(g1[0])), "second order differs from first order"
