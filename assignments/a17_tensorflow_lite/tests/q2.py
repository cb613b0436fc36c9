from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_conversions", points=1, hidden=False)
def test_conversions(convert_keras, convert_with_select_ops, tflite_predict, mlp_from_weights):
    import numpy as np
    import tensorflow as tf

    r = np.random.default_rng(1)
    model = mlp_from_weights([r.normal(0, 0.2, (64, 16)), np.zeros(16), r.normal(0, 0.2, (16, 10)), np.zeros(10)])
    x = r.random((5, 64)).astype(np.float32)
    np.testing.assert_allclose(tflite_predict(convert_keras(model), x), model(x).numpy(), atol=1e-5)

    @tf.function(input_signature=[tf.TensorSpec([None, 2, 2], tf.float32)])
    def det(m):
        return tf.linalg.det(m)

    model_bytes, used = convert_with_select_ops(det)
    assert used is True and isinstance(model_bytes, bytes)
    np.testing.assert_allclose(tflite_predict(model_bytes, 2 * np.stack([np.eye(2)] * 3)), [4.0, 4.0, 4.0], atol=1e-5)
