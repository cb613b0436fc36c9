from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_efficientnet", points=1, hidden=False)
def test_efficientnet(compound_coefficients, round_filters, round_repeats, scale_config, squeeze_excitation,
                      mbconv_block, tf):
    d, w, r = compound_coefficients(1)
    assert abs(d * w ** 2 * r ** 2 - 1.92) < 1e-3
    assert round_filters(32, 1.1) == 32 and round_repeats(3, 1.2) == 4
    assert scale_config([(1, 16)], 224, 0)["resolution"] == 224
    x = tf.keras.layers.Input(shape=(6, 6, 8))
    assert tuple(squeeze_excitation(x, 2).shape) == (None, 6, 6, 8)
    assert tuple(mbconv_block(x, 8, 4, 1).shape) == (None, 6, 6, 8)
    assert tuple(mbconv_block(x, 12, 6, 2, 5).shape) == (None, 3, 3, 12)
