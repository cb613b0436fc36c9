from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_resnet_block_changes_channels", points=1, hidden=False)
def test_resnet_block_changes_channels(resnet_block):
    import tensorflow as tf

    inputs = tf.keras.layers.Input(shape=(8, 8, 32))
    assert tuple(resnet_block(inputs, 64, 1).shape) == (None, 8, 8, 64), "project the shortcut when channels change"
    assert tuple(resnet_block(inputs, 16, 2).shape) == (None, 4, 4, 16)
