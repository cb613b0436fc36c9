from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_attention_and_positions", points=1, hidden=False)
def test_attention_and_positions(scaled_dot_product_attention, sinusoidal_positional_encoding):
    import numpy as np

    q = np.eye(2, 4)[None]
    k = np.eye(3, 4)[None]
    v = np.arange(6.0).reshape(1, 3, 2)
    mask = np.array([[[True, True, False]]])
    _, weights = scaled_dot_product_attention(q, k, v, mask)
    weights = np.asarray(weights)
    assert weights.shape == (1, 2, 3) and np.all(weights[..., 2] == 0), "masked keys get exactly 0 weight"
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)
    pe = np.asarray(sinusoidal_positional_encoding(4, 6))
    np.testing.assert_allclose(pe[1, :2], [np.sin(1.0), np.cos(1.0)], rtol=1e-5)
