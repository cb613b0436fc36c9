from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_mobilenet", points=1, hidden=False)
def test_mobilenet(make_divisible, depthwise_separable, inverted_residual, build_mobilenet_v1, mobilenet_v1_macs,
                   tf):
    assert make_divisible(32 * 0.35) == 16 and make_divisible(24) == 24
    x = tf.keras.layers.Input(shape=(8, 8, 8))
    assert tuple(depthwise_separable(x, 16, 2).shape) == (None, 4, 4, 16)
    assert tuple(inverted_residual(x, 6, 8, 1).shape) == (None, 8, 8, 8)
    model = build_mobilenet_v1([(8, 1), (16, 2)], (16, 16, 3), 4, alpha=0.5, rho=0.5)
    assert model.input_shape == (None, 8, 8, 3)
    assert mobilenet_v1_macs([(8, 1), (16, 2)], (16, 16, 3), 4, 0.5, 0.5) == \
        4 * 4 * 9 * 3 * 16 + 4 * 4 * 9 * 16 + 4 * 4 * 16 * 4 + 2 * 2 * 9 * 4 + 2 * 2 * 4 * 8 + 8 * 4
