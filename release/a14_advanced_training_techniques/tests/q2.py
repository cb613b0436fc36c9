from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_unfreeze_top_keeps_bn_frozen", points=1, hidden=False)
def test_unfreeze_top_keeps_bn_frozen(unfreeze_top, make_base):
    base = make_base()
    unfreeze_top(base, 1)
    assert [layer.name for layer in base.layers if layer.trainable and layer.weights] == ["dense_2"]
    unfreeze_top(base, 0)
    assert not base.trainable_weights


@test_case(name="test_transfer_model_bn_inference_when_unfrozen", points=1, hidden=False)
def test_transfer_model_bn_inference_when_unfrozen(build_transfer_model, DiscriminativeFineTuner, make_base):
    import numpy as np

    base = make_base()
    model = build_transfer_model(base, 3)
    base.trainable = True
    x = np.random.default_rng(0).normal(size=(16, 64)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x, training=True)), np.asarray(model(x, training=False)), atol=1e-5)
    tuner = DiscriminativeFineTuner(model, base, 1e-2, 1e-4)
    before = base.get_weights()
    loss = tuner.train_step(x, np.zeros(16, np.int64))
    assert np.isfinite(float(loss))
    after = base.get_weights()
    assert np.all(after[4] == before[4]), "BatchNormalization's moving mean must not move"
    assert np.abs(after[0] - before[0]).max() < 2e-4, "the base should move by about base_lr"
