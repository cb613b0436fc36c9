from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_fallback_to_cpu", points=1, hidden=False)
def test_fallback_to_cpu(AcceleratedInterpreter, mlp_from_weights):
    import numpy as np
    import tensorflow as tf

    r = np.random.default_rng(3)
    model = mlp_from_weights([r.normal(0, 0.2, (64, 16)), np.zeros(16), r.normal(0, 0.2, (16, 10)), np.zeros(10)])
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    accelerated = AcceleratedInterpreter(content, delegate_paths={"gpu": "/nonexistent/libgpu.so"})
    assert accelerated.backend == "xnnpack", accelerated.attempts
    assert accelerated.attempts[0] == ["gpu", "OSError"] and accelerated.attempts[-1] == ["xnnpack", "ok"]
    x = r.random((1, 64)).astype(np.float32)
    reference = AcceleratedInterpreter(content, preferred=("reference",))
    np.testing.assert_allclose(accelerated.predict(x), reference.predict(x), atol=1e-5)
