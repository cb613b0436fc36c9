from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_recipes_and_report", points=1, hidden=False)
def test_recipes_and_report(optimize_for_mobile, deployment_report, mlp_from_weights):
    import numpy as np

    r = np.random.default_rng(0)
    model = mlp_from_weights([r.normal(0, 0.2, (64, 64)), np.zeros(64), r.normal(0, 0.2, (64, 10)), np.zeros(10)])
    plain = optimize_for_mobile(model, "float")
    small = optimize_for_mobile(model, "size", r.random((20, 64)).astype(np.float32))
    assert isinstance(plain, bytes) and isinstance(small, bytes)
    report = deployment_report(small)
    assert report["size_bytes"] == len(small) and report["input_dtype"] == "int8", report
    assert report["ops"].get("FULLY_CONNECTED") == 2 and "DELEGATE" not in report["ops"], report["ops"]
    assert deployment_report(plain)["input_dtype"] == "float32"
    assert len(optimize_for_mobile(model, "balanced")) < 0.7 * len(plain)


@test_case(name="test_mobile_cnn", points=1, hidden=False)
def test_mobile_cnn(build_mobile_cnn):
    import tensorflow as tf

    separable, standard = build_mobile_cnn((8, 8, 1), 10, True, 1.0), build_mobile_cnn((8, 8, 1), 10, False, 1.0)
    assert separable.count_params() == 4426 and standard.count_params() == 24282, (
        separable.count_params(), standard.count_params())
    assert any(isinstance(layer, tf.keras.layers.DepthwiseConv2D) for layer in separable.layers)
    assert separable(tf.zeros((2, 8, 8, 1))).shape == (2, 10)
