from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_lstm_and_gru_match_keras", points=1, hidden=False)
def test_lstm_and_gru_match_keras(lstm, gru, rnn_param_count):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    layer = tf.keras.layers.LSTM(4, return_sequences=True, return_state=True)
    want = layer(x)
    got = lstm(x, *layer.get_weights())
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g), w.numpy(), atol=1e-5)
    for reset_after in (True, False):
        layer = tf.keras.layers.GRU(4, return_sequences=True, return_state=True, reset_after=reset_after)
        want = layer(x)
        got = gru(x, *layer.get_weights(), reset_after=reset_after)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g), w.numpy(), atol=1e-5)
    assert rnn_param_count("lstm", 3, 4) == 4 * (3 * 4 + 4 * 4 + 4)
    assert rnn_param_count("gru", 3, 4, True) == 3 * (3 * 4 + 4 * 4 + 2 * 4)
