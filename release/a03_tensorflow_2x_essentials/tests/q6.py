from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_local_hub_module", points=1, hidden=False)
def test_local_hub_module(hub_features, build_hub_classifier, fine_tune):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    extractor = tf.keras.Sequential([tf.keras.layers.Dense(6, activation="relu", input_shape=(4,))])
    handle = os.path.join(tempfile.mkdtemp(), "extractor")
    tf.saved_model.save(extractor, handle)
    x = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    np.testing.assert_allclose(hub_features(handle, x).numpy(), extractor(x).numpy(), atol=1e-6)
    frozen = build_hub_classifier(handle, 4, 3, False, 0)
    assert len(frozen.trainable_variables) == 2, "trainable=False: only the head trains"
    tuned = build_hub_classifier(handle, 4, 3, True, 0)
    assert len(tuned.trainable_variables) == 4, "trainable=True: the hub weights train too"
    losses = fine_tune(tuned, x, (x[:, 0] > 0).astype(np.int32), 2, 0.01)
    assert len(losses) == 2
