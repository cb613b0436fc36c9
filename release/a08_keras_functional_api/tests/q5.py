from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_gcn_and_moe", points=1, hidden=False)
def test_gcn_and_moe(normalize_adjacency, GCNLayer, build_gcn, build_moe):
    import numpy as np

    a = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.float32)
    a_hat = normalize_adjacency(a).numpy()
    np.testing.assert_allclose(a_hat[0, 0], 0.5, atol=1e-6)
    np.testing.assert_allclose(a_hat[0, 1], 1 / np.sqrt(6), atol=1e-6)
    layer = GCNLayer(2)
    h = np.ones((1, 3, 4), np.float32)
    out = layer([h, a_hat[None]])
    assert out.shape == (1, 3, 2)
    gcn = build_gcn(3, 4, 5, 2)
    probs = gcn([h, a_hat[None]]).numpy()
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)
    moe = build_moe(4, 3, 5, 2)
    assert moe(np.zeros((6, 4), np.float32)).shape == (6, 2)
    assert moe.get_layer("gate").units == 3
