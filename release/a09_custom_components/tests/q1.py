from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_mydense_matches_numpy", points=1, hidden=False)
def test_mydense_matches_numpy(MyDense):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3)).astype(np.float32)
    b = rng.normal(size=(3,)).astype(np.float32)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    layer = MyDense(3, activation="relu")
    assert len(layer.weights) == 0, "create the weights in build, not in __init__"
    layer(x)
    layer.set_weights([w, b])
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ w + b, 0), atol=1e-5)
    clone = MyDense.from_config(layer.get_config())
    clone(x)
    clone.set_weights([w, b])
    np.testing.assert_allclose(clone(tf.constant(x)).numpy(), layer(x).numpy(), atol=1e-6)


@test_case(name="test_masked_mean_pool", points=1, hidden=False)
def test_masked_mean_pool(MaskedMeanPool, L2Normalize):
    import numpy as np
    import tensorflow as tf

    x = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
    mask = np.array([[True, True, False, False]])
    out = MaskedMeanPool()(tf.constant(x), mask=tf.constant(mask)).numpy()
    np.testing.assert_allclose(out, x[:, :2].mean(axis=1), atol=1e-6)
    assert L2Normalize().supports_masking, "L2Normalize must pass masks on"
