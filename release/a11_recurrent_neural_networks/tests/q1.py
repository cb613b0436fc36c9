from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_simple_rnn_matches_keras", points=1, hidden=False)
def test_simple_rnn_matches_keras(simple_rnn):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    layer = tf.keras.layers.SimpleRNN(4, return_sequences=True, return_state=True)
    want_seq, want_h = layer(x)
    outputs, state = simple_rnn(x, *layer.get_weights())
    np.testing.assert_allclose(np.asarray(outputs), want_seq.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(state), want_h.numpy(), atol=1e-5)
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    outputs, state = simple_rnn(x, *layer.get_weights(), mask=mask)
    np.testing.assert_allclose(np.asarray(state), layer(x, mask=tf.constant(mask))[1].numpy(), atol=1e-5)


@test_case(name="test_gradient_norms_shape", points=1, hidden=False)
def test_gradient_norms_shape(gradient_norms_through_time):
    import numpy as np

    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 3)).astype(np.float32)
    norms = np.asarray(gradient_norms_through_time(x, rng.normal(size=(3, 4)).astype(np.float32),
                                                   0.3 * np.eye(4, dtype=np.float32), np.zeros(4, np.float32)))
    assert norms.shape == (6,), "one norm per time step"
    assert norms[0] < norms[-1], "the gradient should shrink towards t = 0"
