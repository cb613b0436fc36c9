from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_quantization_helpers", points=1, hidden=False)
def test_quantization_helpers(representative_dataset, quantize_input, dequantize_output, quantize_model,
                              predict_quantized, mlp_from_weights):
    import numpy as np

    items = list(representative_dataset(np.arange(12.0).reshape(6, 2), 4)())
    assert len(items) == 4 and items[1][0].dtype == np.float32 and items[1][0].shape == (1, 2)
    detail = {"dtype": "int8", "quantization": (0.5, -10)}
    np.testing.assert_array_equal(quantize_input(np.array([0.0, 1.0, 1000.0]), detail), [-10, -8, 127])
    np.testing.assert_allclose(dequantize_output(np.array([-10, -8], np.int8), detail), [0.0, 1.0])
    r = np.random.default_rng(2)
    model = mlp_from_weights([r.normal(0, 0.2, (64, 32)), np.zeros(32), r.normal(0, 0.2, (32, 10)), np.zeros(10)])
    x = r.random((8, 64)).astype(np.float32)
    out = predict_quantized(quantize_model(model, "int8", r.random((30, 64)).astype(np.float32)), x)
    assert out.dtype == np.float32 and np.abs(out - model(x).numpy()).max() < 0.05
