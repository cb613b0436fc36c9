from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_save_all_round_trip", points=1, hidden=False)
def test_save_all_round_trip(build_model, save_all):
    import tempfile

    import numpy as np
    import tensorflow as tf

    model = build_model(3, 4, 2)
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    model.fit(x, np.arange(6) % 2, epochs=1, verbose=0)
    paths = save_all(model, tempfile.mkdtemp())
    assert set(paths) == {"keras", "savedmodel", "weights"}, sorted(paths)
    loaded = tf.keras.models.load_model(paths["keras"])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
