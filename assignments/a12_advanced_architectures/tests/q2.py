from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_dense_blocks", points=1, hidden=False)
def test_dense_blocks(dense_block, transition_layer, densenet_channels, build_densenet, tf):
    x = tf.keras.layers.Input(shape=(8, 8, 6))
    y = dense_block(x, 3, 4)
    assert tuple(y.shape) == (None, 8, 8, 6 + 3 * 4)
    assert tuple(transition_layer(y, 0.5).shape) == (None, 4, 4, 9)
    assert densenet_channels(8, [2, 2], 4) == [16, 8, 16]
    assert build_densenet([2, 2], 4, (8, 8, 1), 3).output_shape == (None, 3)
