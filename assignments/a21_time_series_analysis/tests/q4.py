from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_var_recovers_a_known_var1", points=1, hidden=False)
def test_var_recovers_a_known_var1(fit_var, var_design):
    import numpy as np

    rng = np.random.default_rng(0)
    A = np.array([[0.5, 0.2], [-0.1, 0.3]])
    Y = np.zeros((2000, 2))
    for t in range(1, 2000):
        Y[t] = A @ Y[t - 1] + rng.normal(size=2)
    X, Z = var_design(Y, 1)
    assert tuple(np.shape(X)) == (1999, 2) and tuple(np.shape(Z)) == (1999, 2)
    got = np.asarray(fit_var(Y, 1)["coefs"])
    assert got.shape == (1, 2, 2)
    np.testing.assert_allclose(got[0], A, atol=0.06)
