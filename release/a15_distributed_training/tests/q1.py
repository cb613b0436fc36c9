from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_two_replicas_match_one_device", points=1, hidden=False)
def test_two_replicas_match_one_device(make_mirrored_strategy, fit_mirrored, build_mlp):
    import numpy as np
    import tensorflow as tf

    strategy = make_mirrored_strategy(2)
    assert isinstance(strategy, tf.distribute.MirroredStrategy) and strategy.num_replicas_in_sync == 2
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=64).astype(np.int32)
    weights = build_mlp(4, 8, 3, seed=1).get_weights()
    single = fit_mirrored(tf.distribute.get_strategy(), x, y, weights, 16, 1, 0.2).get_weights()
    mirrored = fit_mirrored(strategy, x, y, weights, 16, 1, 0.2)
    assert type(mirrored.trainable_variables[0]).__name__ == "MirroredVariable", "create the model in the scope"
    for a, b in zip(mirrored.get_weights(), single, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5,
                                   err_msg="2 replicas must reach the single-device weights: scale the loss")
