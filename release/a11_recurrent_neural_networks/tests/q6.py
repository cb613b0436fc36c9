from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_mha_matches_keras", points=1, hidden=False)
def test_mha_matches_keras(multi_head_attention, causal_mask, positional_encoding):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 8)).astype(np.float32)
    layer = tf.keras.layers.MultiHeadAttention(2, 4)
    mask = np.asarray(causal_mask(4))[None].repeat(2, 0)
    want, want_scores = layer(x, x, attention_mask=mask, return_attention_scores=True)
    got, scores = multi_head_attention(x, x, layer.get_weights(), 2, attention_mask=mask)
    np.testing.assert_allclose(np.asarray(got), want.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(scores), want_scores.numpy(), atol=1e-5)
    pe = np.asarray(positional_encoding(6, 4))
    np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(6)), atol=1e-6)
    np.testing.assert_allclose(pe[:, 1], np.cos(np.arange(6)), atol=1e-6)


@test_case(name="test_transformer_is_causal", points=1, hidden=False)
def test_transformer_is_causal(build_causal_transformer):
    import numpy as np

    model = build_causal_transformer(8, 6, 16, 2, 32, 1)
    x = np.array([[1, 2, 3, 4, 5, 6]], np.int32)
    y = x.copy()
    y[0, 4:] = [7, 7]
    a, b = np.asarray(model(x)), np.asarray(model(y))
    assert a.shape == (1, 6, 8)
    np.testing.assert_allclose(a[:, :4], b[:, :4], atol=1e-5)
