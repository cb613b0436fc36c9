from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_clean_windows_split", points=1, hidden=False)
def test_clean_windows_split(clean_text, sliding_windows, split_every):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(["Hello,   World!", "?!", " TF 2.18 "])
    assert [s.decode() for s in clean_text(ds).as_numpy_iterator()] == ["hello world", "tf 2 18"]
    w = sliding_windows(tf.data.Dataset.range(6), 3, 2)
    assert w.element_spec.shape.as_list() == [3], w.element_spec
    assert [list(x) for x in w.as_numpy_iterator()] == [[0, 1, 2], [2, 3, 4]]
    train, val = split_every(tf.data.Dataset.range(10, 17), 3)
    assert list(val.as_numpy_iterator()) == [10, 13, 16] and list(train.as_numpy_iterator()) == [11, 12, 14, 15]


@test_case(name="test_augment_reproducible", points=1, hidden=False)
def test_augment_reproducible(augment):
    import numpy as np
    import tensorflow as tf

    images = np.random.default_rng(0).uniform(size=(8, 4, 4, 3)).astype(np.float32)
    ds = augment(tf.data.Dataset.from_tensor_slices((images, np.arange(8, dtype=np.int32))), 7)
    first = np.stack([x for x, _ in ds.as_numpy_iterator()])
    second = np.stack([x for x, _ in ds.as_numpy_iterator()])
    assert np.array_equal(first, second), "stateless ops: every pass gives the same images"
    assert first.min() >= 0 and first.max() <= 1, "clip to [0, 1]"
    assert not np.allclose(first, images), "the images should be augmented"
