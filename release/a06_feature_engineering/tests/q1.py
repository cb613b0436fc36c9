from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_preprocessor_small_example", points=1, hidden=False)
def test_preprocessor_small_example(build_preprocessor, legacy_feature_columns):
    import numpy as np
    import tensorflow as tf

    train = {"age": np.array([[20.0], [40.0], [60.0]], np.float32),
             "city": np.array([["Oslo"], ["Oslo"], ["Lima"]]),
             "income": np.array([[5.0], [15.0], [60.0]], np.float32)}
    model = build_preprocessor(train, [0.0, 10.0, 20.0, 50.0])
    out = model({"age": tf.constant([[40.0]]), "city": tf.constant([["Rome"]]), "income": tf.constant([[10.0]])})
    # age 40 is the mean -> 0; Rome is unseen -> OOV column 0; income 10 -> bin 2 of 5.
    np.testing.assert_allclose(out.numpy(), [[0, 1, 0, 0, 0, 0, 1, 0, 0]], atol=1e-5)
    columns = legacy_feature_columns(["Oslo", "Lima"], [0.0, 10.0, 20.0, 50.0], 40.0, 16.3299)
    legacy = tf.keras.layers.DenseFeatures(columns)(
        {"age": tf.constant([[40.0]]), "city": tf.constant([["Rome"]]), "income": tf.constant([[10.0]])})
    np.testing.assert_allclose(legacy.numpy(), [[0, 0, 0, 1, 0, 0, 1, 0, 0]], atol=1e-5)


@test_case(name="test_cross_and_embedding", points=1, hidden=False)
def test_cross_and_embedding(crossed_ids, embed_cities):
    import numpy as np

    ids = np.asarray(crossed_ids(["Lyon", "Lyon", "Oslo", "Lyon"], [10.0, 70.0, 10.0, 12.0], [20.0, 60.0], 32))
    assert ids.dtype == np.int64 and ids.shape == (4,) and ids[0] == ids[3] and ids[0] != ids[1]
    vectors = np.asarray(embed_cities(["a", "b", "a"], ["a", "x", "y", "a"], 3, 0))
    assert vectors.shape == (4, 3)
    np.testing.assert_array_equal(vectors[0], vectors[3])
    np.testing.assert_array_equal(vectors[1], vectors[2])  # both unseen: the out-of-vocabulary row
