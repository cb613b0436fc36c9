from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_gather_and_top_k_mask", points=1, hidden=False)
def test_gather_and_top_k_mask(batched_gather, top_k_mask):
    import tensorflow as tf

    params = tf.reshape(tf.range(12.0), (2, 3, 2))
    got = batched_gather(params, tf.constant([[2, 0], [1, 1]]))
    assert got.numpy().tolist() == [[[4, 5], [0, 1]], [[8, 9], [8, 9]]], got.numpy().tolist()
    mask = top_k_mask(tf.constant([[1.0, 3.0, 3.0, 2.0, 3.0]]), 2)
    assert mask.dtype == tf.bool
    assert mask.numpy().tolist() == [[False, True, True, False, False]], "ties: the lower index wins"


@test_case(name="test_scatter_crop_select", points=1, hidden=False)
def test_scatter_crop_select(scatter_rows, center_crop, select_positive):
    import tensorflow as tf

    x = tf.zeros((4, 2))
    got = scatter_rows(x, tf.constant([2, 0]), tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert got.numpy().tolist() == [[3, 4], [0, 0], [1, 2], [0, 0]], got.numpy().tolist()
    assert x.numpy().sum() == 0, "the input must not change"
    grid = tf.reshape(tf.range(12), (1, 3, 4, 1))
    assert center_crop(grid, 1, 2)[0, :, :, 0].numpy().tolist() == [[5, 6]]
    assert select_positive(tf.constant([[1, -2], [0, 3]])).numpy().tolist() == [1, 3]
