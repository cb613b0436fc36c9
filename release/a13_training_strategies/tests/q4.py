from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_penalty_and_lasso", points=1, hidden=False)
def test_penalty_and_lasso(elastic_net_penalty, fit_elastic_net):
    import numpy as np

    w = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    assert abs(float(elastic_net_penalty([w], 0.1, 0.01)) - (0.1 * 3.5 + 0.01 * 5.25)) < 1e-6
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 5))
    y = x @ np.array([2.0, 0.0, 0.0, -1.0, 0.0]) + 0.01 * rng.normal(size=100)
    coef = fit_elastic_net(x, y, 0.2, 0.0, 2000)
    assert coef.shape == (5,)
    assert np.sum(coef == 0.0) >= 2, "L1 with proximal steps should give exact zeros"
