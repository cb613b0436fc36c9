from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_bidirectional_matches_keras_on_padded_batch", points=1, hidden=False)
def test_bidirectional_matches_keras_on_padded_batch(bidirectional_rnn):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6, 2)).astype(np.float32)
    mask = np.arange(6)[None, :] < np.array([[6], [4], [2]])
    for mode in ("concat", "sum"):
        layer = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(3, return_sequences=True), merge_mode=mode)
        want = layer(x, mask=tf.constant(mask)).numpy()
        weights = layer.get_weights()
        got = bidirectional_rnn(x, mask, weights[:3], weights[3:], mode)
        np.testing.assert_allclose(np.asarray(got), want, atol=1e-5)
