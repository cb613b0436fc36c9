from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_converters", points=1, hidden=False)
def test_converters(convert_float, convert_dynamic_range, convert_float16, convert_full_int8, mlp):
    import numpy as np
    import tensorflow as tf

    model = mlp([64, 32], input_dim=32, num_classes=4)
    x = np.random.default_rng(0).uniform(size=(20, 32)).astype(np.float32)
    sizes = {}
    for name, fn in (("float", convert_float), ("dynamic", convert_dynamic_range), ("float16", convert_float16)):
        sizes[name] = len(fn(model))
    int8 = convert_full_int8(model, x)
    sizes["int8"] = len(int8)
    assert sizes["dynamic"] < 0.5 * sizes["float"] and sizes["int8"] < 0.5 * sizes["float"], sizes
    assert 0.4 * sizes["float"] < sizes["float16"] < 0.8 * sizes["float"], sizes
    interpreter = tf.lite.Interpreter(model_content=int8)
    assert interpreter.get_input_details()[0]["dtype"] == np.int8, "full int8 needs int8 input"


@test_case(name="test_qat", points=1, hidden=False)
def test_qat(quantization_aware_train, convert_qat, mlp):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    q_model = quantization_aware_train(mlp([16], input_dim=8, num_classes=2), x, y, 1)
    assert any(type(layer).__name__ == "QuantizeWrapperV2" for layer in q_model.layers)
    assert isinstance(convert_qat(q_model), bytes)
