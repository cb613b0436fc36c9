from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_returns_gae_and_value_iteration", points=1, hidden=False)
def test_returns_gae_and_value_iteration(discounted_returns, gae, value_iteration, reinforce_grad):
    import numpy as np

    G = discounted_returns([1.0, 1.0, 1.0, 1.0], [0, 1, 0, 0], 0.5)
    assert np.allclose(G, [1.5, 1.0, 1.5, 1.0])
    A = gae([1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0, 1], gamma=1.0, lam=1.0)
    assert np.allclose(A, [2.0, 1.0])
    P = np.zeros((2, 2, 2))
    P[:, 0, 0] = 1.0
    P[:, 1, 1] = 1.0
    V, pi = value_iteration(P, np.array([[0.0, 1.0], [0.0, 1.0]]), 0.5)
    assert np.allclose(V, [2.0, 2.0]) and list(pi) == [1, 1]
    dW, db = reinforce_grad(np.zeros((4, 2)), np.zeros(2), np.ones((1, 4)), np.array([1]), np.array([1.0]))
    assert np.allclose(np.asarray(db), [0.5, -0.5])
