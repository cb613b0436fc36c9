from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_inception", points=1, hidden=False)
def test_inception(inception_module, naive_inception_module, inception_cost, factorized_conv, tf):
    x = tf.keras.layers.Input(shape=(6, 6, 16))
    filters = (4, 3, 6, 2, 5, 7)
    y = inception_module(x, filters)
    assert tuple(y.shape) == (None, 6, 6, 4 + 6 + 5 + 7)
    model = tf.keras.Model(x, y)
    assert inception_cost(6, 6, 16, filters)["params"] == model.count_params()
    naive = tf.keras.Model(x, naive_inception_module(x, filters))
    assert inception_cost(6, 6, 16, filters, reduced=False)["params"] == naive.count_params()
    assert tuple(factorized_conv(x, 8, 5).shape) == (None, 6, 6, 8)
