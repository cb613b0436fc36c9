from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_fake_quant_values_and_gradient", points=1, hidden=False)
def test_fake_quant_values_and_gradient(fake_quant):
    import numpy as np
    import tensorflow as tf

    # Range [-1, 2] at 2 bits: scale 1, zero point exactly 1, levels -1, 0, 1, 2.
    x = tf.constant([-3.0, -1.0, -0.4, 0.2, 0.6, 1.49, 2.0, 5.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fake_quant(x, -1.0, 2.0, num_bits=2)
    np.testing.assert_allclose(y.numpy(), [-1, -1, 0, 0, 1, 1, 2, 2], atol=1e-6)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0, 1, 1, 1, 1, 1, 1, 0], atol=1e-6)


@test_case(name="test_per_channel_and_ternary", points=1, hidden=False)
def test_per_channel_and_ternary(quantize_per_channel, ternarize):
    import numpy as np
    import tensorflow as tf

    w = np.array([[0.5, -2.0], [-0.3, 1.2]], np.float32)
    q, scales = quantize_per_channel(w)
    assert q.dtype == np.int8, q.dtype
    np.testing.assert_allclose(scales, [0.5 / 127, 2.0 / 127], rtol=1e-6)
    np.testing.assert_array_equal(q, [[127, -127], [-76, 76]])
    w_t, alpha = ternarize(tf.constant([[0.1, -0.9], [0.8, 0.05]]))
    np.testing.assert_allclose(float(alpha), 0.85, rtol=1e-6)
    np.testing.assert_allclose(w_t.numpy(), [[0.0, -0.85], [0.85, 0.0]], rtol=1e-6)


@test_case(name="test_qat", points=1, hidden=False)
def test_qat(quantization_aware_train, convert_qat, mlp):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    q_model = quantization_aware_train(mlp([16], input_dim=8, num_classes=2), x, y, 1)
    assert any(type(layer).__name__ == "QuantizeWrapperV2" for layer in q_model.layers)
    assert isinstance(convert_qat(q_model), bytes)
