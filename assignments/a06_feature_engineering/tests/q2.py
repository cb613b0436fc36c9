from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_encoders_small_examples", points=1, hidden=False)
def test_encoders_small_examples(one_hot_encode, ordinal_encode, hash_encode, multi_hot_ids):
    import numpy as np
    import tensorflow as tf

    np.testing.assert_array_equal(one_hot_encode(["b", "z", "a"], ["a", "b"]).numpy(),
                                  [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(ordinal_encode(["good", "poor", "meh"], ["poor", "fair", "good"]).numpy(), [2, 0, -1])
    want = tf.strings.to_hash_bucket_fast(["a", "b"], 1000).numpy()
    np.testing.assert_array_equal(hash_encode(["a", "b"], 1000).numpy(), want)
    np.testing.assert_array_equal(multi_hot_ids([[3, 5], [9, 3]], [3, 5]).numpy(), [[0, 1, 1], [1, 1, 0]])


@test_case(name="test_target_encode_small", points=1, hidden=False)
def test_target_encode_small(target_encode):
    import numpy as np

    train = ["a", "a", "b", "b", "b", "c"]
    y = [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    train_encoded, encoded = target_encode(train, y, ["a", "b", "z"], smoothing=2.0, n_folds=3, seed=0)
    prior = np.mean(y)
    np.testing.assert_allclose(encoded, [(1 + 2 * prior) / 4, (3 + 2 * prior) / 5, prior], rtol=1e-6)
    assert np.asarray(train_encoded).shape == (6,)
    # Out of fold: the single "c" row never sees its own target, so it gets the other folds' prior.
    assert abs(float(np.asarray(train_encoded)[5]) - (0.0 + 2 * prior) / 3) > 1e-3
