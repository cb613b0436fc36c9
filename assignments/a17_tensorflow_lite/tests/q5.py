from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_c_array_and_edge_run", points=1, hidden=False)
def test_c_array_and_edge_run(export_c_array, package_model, run_on_edge, mlp_from_weights):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    source = export_c_array(bytes([0, 1, 255]), "g_tiny")
    assert "alignas(16) const unsigned char g_tiny[]" in source and "0xff" in source
    assert "const unsigned int g_tiny_len = 3;" in source
    r = np.random.default_rng(4)
    model = mlp_from_weights([r.normal(0, 0.2, (64, 16)), np.zeros(16), r.normal(0, 0.2, (16, 3)), np.zeros(3)])
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    folder = os.path.join(tempfile.mkdtemp(), "pkg")
    manifest = package_model(content, ["a", "b", "c"], folder)
    assert manifest["labels"] == 3 and manifest["inputs"][0]["dtype"] == "float32"
    assert sorted(os.listdir(folder))[:3] == ["labels.txt", "manifest.json", "model.tflite"]
    x = r.random((4, 64)).astype(np.float32)
    np.testing.assert_allclose(run_on_edge(folder, x), model(x).numpy(), atol=1e-5)
