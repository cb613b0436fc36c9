from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_activations_and_dense", points=1, hidden=False)
def test_activations_and_dense(apply_activation, dense_forward, l1l2_penalty, make_dense):
    import numpy as np
    import tensorflow as tf

    x = tf.constant([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(apply_activation(x, "relu").numpy(), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(apply_activation(x, "leaky_relu").numpy(), [[-0.2, 0.0, 3.0]], rtol=1e-6)
    np.testing.assert_allclose(apply_activation(x, "softmax").numpy().sum(), 1.0, rtol=1e-6)
    big = apply_activation(tf.constant([[1000.0, 0.0]]), "softmax").numpy()
    assert np.isfinite(big).all(), "softmax must be stable for large logits"
    with tf.GradientTape() as tape:
        z = tf.constant([0.0, 1.0])
        tape.watch(z)
        y = tf.reduce_sum(apply_activation(z, "relu"))
    np.testing.assert_allclose(tape.gradient(y, z).numpy(), [0.0, 1.0])
    w = tf.constant([[1.0, -2.0], [0.5, 0.0]])
    out = dense_forward(tf.constant([[1.0, 2.0]]), w, tf.constant([0.1, 0.2]), "linear")
    np.testing.assert_allclose(out.numpy(), [[2.1, -1.8]], rtol=1e-6)
    np.testing.assert_allclose(float(l1l2_penalty(w, 0.1, 0.01)), 0.1 * 3.5 + 0.01 * 5.25, rtol=1e-6)
    layer = make_dense(4, "relu", 0.01, 0.01, seed=1)
    assert isinstance(layer, tf.keras.layers.Dense)
