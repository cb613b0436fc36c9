from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_resnet_blocks", points=1, hidden=False)
def test_resnet_blocks(basic_block, bottleneck_block, build_resnet, deep_stack, tf):
    x = tf.keras.layers.Input(shape=(8, 8, 4))
    assert tuple(basic_block(x, 4, 1).shape) == (None, 8, 8, 4)
    assert tuple(basic_block(x, 8, 1).shape) == (None, 8, 8, 8), "a channel change at stride 1 needs a projection"
    assert tuple(basic_block(x, 8, 2).shape) == (None, 4, 4, 8)
    assert tuple(bottleneck_block(x, 2, 2).shape) == (None, 4, 4, 8)
    model = build_resnet([1, 1], "basic", (8, 8, 1), 3, base_filters=4)
    assert model.output_shape == (None, 3)
    plain, residual = deep_stack(3, 4, 5, False), deep_stack(3, 4, 5, True)
    assert plain.count_params() == residual.count_params() == 3 * 4 + 4 + 5 * 20 + 5
