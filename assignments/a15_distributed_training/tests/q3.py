from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_pipeline_placement_and_microbatches", points=1, hidden=False)
def test_pipeline_placement_and_microbatches(PipelineModel, microbatch_gradients, pipeline_train_step, DEVICES):
    import numpy as np
    import tensorflow as tf

    model = PipelineModel([4, 6, 3], DEVICES[2:4])
    assert model.stages[0].kernel.device.endswith("CPU:2") and model.stages[1].kernel.device.endswith("CPU:3")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=10).astype(np.int32)
    with tf.GradientTape() as tape:
        full = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True))
    want = tape.gradient(full, model.trainable_variables)
    loss, grads = microbatch_gradients(model, x, y, 3)  # micro-batches of 4, 3, 3
    np.testing.assert_allclose(float(loss), float(full), rtol=1e-5)
    for g, w in zip(grads, want, strict=True):
        np.testing.assert_allclose(np.asarray(g), w.numpy(), rtol=1e-4, atol=1e-6)
    optimizer = tf.keras.optimizers.SGD(0.1)
    pipeline_train_step(model, optimizer, x, y, 3)
    assert int(optimizer.iterations.numpy()) == 1, "one optimizer update per step"


@test_case(name="test_tensor_parallel_mlp", points=1, hidden=False)
def test_tensor_parallel_mlp(TensorParallelMLP, DEVICES):
    import numpy as np

    rng = np.random.default_rng(1)
    w1, b1 = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32)
    w2, b2 = rng.normal(size=(4, 2)).astype(np.float32), rng.normal(size=2).astype(np.float32)
    layer = TensorParallelMLP(4, 2, DEVICES[:2])
    layer.load_dense(w1, b1, w2, b2)
    assert layer.column_kernels[1].device.endswith("CPU:1") and list(layer.row_kernels[0].shape) == [2, 2]
    x = rng.normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ w1 + b1, 0) @ w2 + b2, rtol=1e-4, atol=1e-5)
