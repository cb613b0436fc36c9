from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_momentum_sgd_matches_keras_sgd", points=1, hidden=False)
def test_momentum_sgd_matches_keras_sgd(MomentumSGD, AdaBound):
    import numpy as np
    import tensorflow as tf

    assert isinstance(MomentumSGD(0.1), tf.keras.optimizers.Optimizer), "use the new optimizer API"
    ours, theirs = tf.Variable([1.0, -2.0]), tf.Variable([1.0, -2.0])
    opt, ref = MomentumSGD(0.1, momentum=0.9), tf.keras.optimizers.SGD(0.1, momentum=0.9)
    for g in ([0.5, 1.0], [-0.2, 0.3], [0.1, 0.1]):
        opt.apply_gradients([(tf.constant(g), ours)])
        ref.apply_gradients([(tf.constant(g), theirs)])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6)
    w = tf.Variable([1.0])
    AdaBound(0.01).apply_gradients([(tf.constant([1.0]), w)])
    assert np.isfinite(w.numpy()).all() and w.numpy()[0] < 1.0, "AdaBound should move w against the gradient"
