from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_accumulation_and_scaling", points=1, hidden=False)
def test_accumulation_and_scaling(accumulated_gradients, scale_learning_rate, warmup_learning_rate):
    import numpy as np
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, kernel_initializer="ones")])
    x = tf.constant(np.arange(21, dtype=np.float32).reshape(7, 3) / 10)
    y = tf.constant(np.ones((7, 1), np.float32))

    def loss_fn(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

    with tf.GradientTape() as tape:
        full = tf.reduce_mean(loss_fn(y, model(x)))
    want = tape.gradient(full, model.trainable_variables)
    got = accumulated_gradients(model, loss_fn, x, y, 3)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g), w.numpy(), rtol=1e-5, atol=1e-6)
    assert abs(scale_learning_rate(0.1, 256, 1024, "linear") - 0.4) < 1e-12
    assert abs(scale_learning_rate(0.1, 256, 1024, "sqrt") - 0.2) < 1e-12
    assert abs(warmup_learning_rate(5, 0.0, 1.0, 10) - 0.5) < 1e-12
