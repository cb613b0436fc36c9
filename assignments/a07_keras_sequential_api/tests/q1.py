from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_build_mlp_structure", points=1, hidden=False)
def test_build_mlp_structure(build_mlp, build_mlp_incremental):
    import tensorflow as tf

    for builder in (build_mlp, build_mlp_incremental):
        model = builder(784, (128, 64), 10, dropout=0.2, batchnorm=True)
        assert isinstance(model, tf.keras.Sequential), "return a tf.keras.Sequential"
        assert model.built, "start the stack with tf.keras.Input so the model is built"
        names = [layer.name for layer in model.layers]
        assert names == ["hidden_1", "bn_1", "dropout_1", "hidden_2", "bn_2", "dropout_2", "output"], names
        # 784*128+128 + 4*128 + 128*64+64 + 4*64 + 64*10+10
        assert model.count_params() == 110154, model.count_params()
        assert tuple(model.output_shape) == (None, 10)
    plain = build_mlp(100, (64, 32), 1)
    assert [layer.name for layer in plain.layers] == ["hidden_1", "hidden_2", "output"]
