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
