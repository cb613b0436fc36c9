from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_train_custom_matches_fit", points=1, hidden=False)
def test_train_custom_matches_fit(train_custom):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)

    def model():
        init = tf.keras.initializers.GlorotUniform(1)
        return tf.keras.Sequential([
            tf.keras.layers.Dense(8, kernel_initializer=init, kernel_regularizer="l2", input_shape=(5,)),
            tf.keras.layers.BatchNormalization(momentum=0.9),
            tf.keras.layers.Dense(2, kernel_initializer=init),
        ])

    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    fitted = model()
    fitted.compile(tf.keras.optimizers.SGD(0.1), loss)
    history = fitted.fit(data, epochs=2, shuffle=False, verbose=0).history["loss"]
    custom = model()
    losses = train_custom(custom, data, tf.keras.optimizers.SGD(0.1), loss, 2)
    np.testing.assert_allclose(losses, history, rtol=1e-5, atol=1e-6)
    for a, b in zip(custom.weights, fitted.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
