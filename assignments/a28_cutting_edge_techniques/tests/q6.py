from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_shap_and_counterfactual", points=1, hidden=False)
def test_shap_and_counterfactual(kernel_shap, linear_counterfactual):
    import numpy as np

    w = np.array([1.0, -2.0, 0.5])
    background = np.array([[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]])
    phi = kernel_shap(lambda rows: rows @ w, np.array([1.0, 1.0, 3.0]), background)
    assert np.allclose(phi, w * (np.array([1.0, 1.0, 3.0]) - 1.0))
    x = np.array([1.0, 1.0])
    cf = linear_counterfactual(np.array([1.0, 1.0]), -1.0, x, margin=0.5)
    assert np.allclose(cf, [0.25, 0.25])
