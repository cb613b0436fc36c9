from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_graph_layers_on_a_path", points=1, hidden=False)
def test_graph_layers_on_a_path(normalized_adjacency, gcn_layer, gat_layer, sage_layer, sage_sample):
    import numpy as np

    A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=np.float32)
    A_hat = np.asarray(normalized_adjacency(A))
    d = np.array([2.0, 3.0, 2.0])
    assert np.allclose(A_hat, (A + np.eye(3)) / np.sqrt(np.outer(d, d)), atol=1e-6)
    X = np.arange(6, dtype=np.float32).reshape(3, 2)
    W = np.eye(2, dtype=np.float32)
    assert np.allclose(np.asarray(gcn_layer(A_hat, X, W)), A_hat @ X, atol=1e-5)
    out, alpha = gat_layer(A, X, W, np.zeros(2, np.float32), np.zeros(2, np.float32))
    alpha = np.asarray(alpha)
    assert np.allclose(alpha.sum(axis=1), 1.0, atol=1e-6) and alpha[0, 2] == 0.0 and abs(alpha[1, 0] - 1 / 3) < 1e-6
    sage = np.asarray(sage_layer(A, X, W, W))
    assert np.allclose(sage[0], X[0] + X[1], atol=1e-5)
    s = sage_sample([[1], [0, 2], [1]], [0, 1], 2, seed=0)
    assert list(s[0]) == [1, 1] and sorted(s[1]) == [0, 2]
