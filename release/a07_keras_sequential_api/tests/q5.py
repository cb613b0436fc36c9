from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_evaluate_classifier", points=1, hidden=False)
def test_evaluate_classifier(evaluate_classifier):
    import numpy as np
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(2, activation="softmax")])
    model.set_weights([np.array([[1.0, -1.0], [0.0, 0.0]], np.float32), np.zeros(2, np.float32)])
    x = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0], [-3.0, 0.0]], np.float32)
    out = evaluate_classifier(model, x, np.array([0, 1, 1, 1]), 2)
    np.testing.assert_array_equal(out["confusion_matrix"], [[1, 0], [1, 2]])
    np.testing.assert_allclose(out["accuracy"], 0.75)
    np.testing.assert_allclose(out["precision"], [0.5, 1.0])
