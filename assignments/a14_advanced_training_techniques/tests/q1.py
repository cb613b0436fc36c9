from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_feature_extractor_freezes_the_base", points=1, hidden=False)
def test_feature_extractor_freezes_the_base(build_feature_extractor, extract_features, make_base):
    import numpy as np

    base = make_base()
    x = np.random.default_rng(0).normal(size=(8, 64)).astype(np.float32)
    model = build_feature_extractor(base, 3)
    assert [tuple(w.shape) for w in model.trainable_weights] == [(32, 3), (3,)], "only the head should train"
    feats = extract_features(base, x)
    assert feats.shape == (8, 32)
    np.testing.assert_allclose(np.asarray(model(x, training=True)), feats @ model.trainable_weights[0].numpy()
                               + model.trainable_weights[1].numpy(), atol=1e-4)


@test_case(name="test_load_pretrained_base", points=1, hidden=False)
def test_load_pretrained_base(load_pretrained_base, make_base):
    import tempfile

    import numpy as np

    base = make_base()
    path = tempfile.mkdtemp() + "/base"
    base.save(path, save_format="tf")
    loaded = load_pretrained_base(path)
    x = np.random.default_rng(1).normal(size=(4, 64)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(x, training=True)), np.asarray(base(x, training=False)), atol=1e-5)
    assert not loaded.trainable_weights, "freeze the loaded base"
