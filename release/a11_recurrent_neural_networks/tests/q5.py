from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_attention_weights_and_masks", points=1, hidden=False)
def test_attention_weights_and_masks(bahdanau_attention, luong_attention):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    q = rng.normal(size=(2, 4)).astype(np.float32)
    values = rng.normal(size=(2, 5, 4)).astype(np.float32)
    mask = np.array([[True] * 5, [True, True, False, False, False]])
    for context, weights in (bahdanau_attention(q, values, rng.normal(size=(4, 3)).astype(np.float32),
                                                rng.normal(size=(4, 3)).astype(np.float32),
                                                rng.normal(size=(3,)).astype(np.float32), mask=mask),
                             luong_attention(q, values, mask=mask)):
        weights = np.asarray(weights)
        assert np.asarray(context).shape == (2, 4) and weights.shape == (2, 5)
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
        assert np.abs(weights[~mask]).max() < 1e-6
    context, weights = luong_attention(q, values)
    want_c, want_w = tf.keras.layers.Attention()([q[:, None], values], return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(context), want_c.numpy()[:, 0], atol=1e-5)
