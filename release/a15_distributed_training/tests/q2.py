from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_ragged_step_matches_one_device", points=1, hidden=False)
def test_ragged_step_matches_one_device(distribute_batches, DataParallelTrainer, build_mlp, DEVICES):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=40).astype(np.int32)
    weights = build_mlp(4, 8, 3, seed=1).get_weights()
    results = []
    mirrored = tf.distribute.MirroredStrategy(DEVICES[:2], cross_device_ops=tf.distribute.ReductionToOneDevice())
    for strategy in (tf.distribute.get_strategy(), mirrored):
        trainer = DataParallelTrainer(strategy, weights, 0.3)
        losses = trainer.fit_epoch(distribute_batches(strategy, x, y, 16))  # batches of 16, 16, 8
        results.append((losses, trainer.model.get_weights(),
                        trainer.evaluate(distribute_batches(strategy, x, y, 16))))
    (l1, w1, e1), (l2, w2, e2) = results
    np.testing.assert_allclose(l2, l1, rtol=1e-5, err_msg="losses must be the global batch means")
    for a, b in zip(w2, w1, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5, err_msg="2 replicas must equal one device")
    np.testing.assert_allclose([e2["loss"], e2["accuracy"]], [e1["loss"], e1["accuracy"]], rtol=1e-5)
