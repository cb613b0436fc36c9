from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_export_and_manager", points=1, hidden=False)
def test_export_and_manager(export_for_serving, ServableManager, mlp_from_weights):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    r = np.random.default_rng(0)
    weights = [r.normal(size=(4, 3)), np.zeros(3), r.normal(size=(3, 2)), np.zeros(2)]
    base = tempfile.mkdtemp()
    path = export_for_serving(mlp_from_weights(weights), base, "toy", 1)
    assert os.path.isfile(os.path.join(base, "toy", "1", "saved_model.pb")), "write <base>/<name>/<version>/"
    loaded = tf.saved_model.load(path)
    assert sorted(loaded.signatures) == ["embeddings", "serving_default"]
    x = np.array([[0, 255, 128, 7]], np.uint8)
    out = loaded.signatures["serving_default"](inputs=tf.constant(x))
    np.testing.assert_allclose(out["probabilities"].numpy().sum(), 1.0, atol=1e-6)
    assert out["predicted_class"].dtype == tf.int64
    config = f'model_config_list {{ config {{ name: "toy" base_path: "{base}/toy" model_platform: "tensorflow" }} }}'
    manager = ServableManager(config)
    got = manager.predict("toy", {"inputs": x})
    np.testing.assert_allclose(got["probabilities"], out["probabilities"].numpy())
    assert manager.status("toy") == [(1, "AVAILABLE")]
