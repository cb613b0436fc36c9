from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_minimize_eager_quadratic", points=1, hidden=False)
def test_minimize_eager_quadratic(minimize_eager):
    import numpy as np
    import tensorflow as tf

    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])

    def loss(x):
        return 0.5 * tf.tensordot(x, tf.linalg.matvec(a, x), 1) - tf.tensordot(b, x, 1)

    x, history = minimize_eager(loss, np.zeros(2), 0.2, 500, 1e-14)
    assert isinstance(x, np.ndarray) and x.dtype == np.float64, "return x as a float64 NumPy array"
    np.testing.assert_allclose(x, np.linalg.solve(a, b), atol=1e-5)
    assert all(isinstance(h, float) for h in history), "the history should hold Python floats"
    _, short = minimize_eager(loss, np.zeros(2), 0.2, 5, 0.0)
    assert len(short) == 5, "with tol=0 there is one loss per step"


@test_case(name="test_hessian_vector_product_quadratic", points=1, hidden=False)
def test_hessian_vector_product_quadratic(hessian_vector_product):
    import numpy as np
    import tensorflow as tf

    a = np.array([[3.0, 1.0], [1.0, 2.0]])

    def loss(x):
        return 0.5 * tf.tensordot(x, tf.linalg.matvec(a, x), 1)

    hv = hessian_vector_product(loss, np.array([0.5, -1.0]), np.array([1.0, 2.0]))
    assert isinstance(hv, tf.Tensor) and hv.dtype == tf.float64, "return a float64 tensor"
    np.testing.assert_allclose(hv.numpy(), a @ np.array([1.0, 2.0]), atol=1e-10)
