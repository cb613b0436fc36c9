from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_compile_for_task", points=1, hidden=False)
def test_compile_for_task(compile_for_task, binary_f1):
    import numpy as np
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(5)])
    model = compile_for_task(model, "multiclass_sparse", 0.01)
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    out = model.evaluate(x, np.arange(8) % 5, return_dict=True, verbose=0)
    assert {"loss", "accuracy", "top3"} <= set(out), sorted(out)
    assert out["loss"] > 0
    f1 = binary_f1(np.array([1.0, 0.0, 1.0, 1.0]), np.array([0.9, 0.8, 0.2, 0.7]))
    np.testing.assert_allclose(float(f1), 2 / 3, rtol=1e-6)
