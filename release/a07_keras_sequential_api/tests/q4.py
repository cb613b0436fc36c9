from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_splits", points=1, hidden=False)
def test_splits(keras_validation_split, stratified_split):
    import numpy as np

    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    x_tr, y_tr, x_val, y_val = keras_validation_split(x, y, 0.2)
    assert list(y_val) == [8, 9], "fit takes the last rows as validation"
    labels = np.repeat([0, 1], [10, 20])
    train, val = stratified_split(labels, 0.2, seed=0)
    assert len(val) == 6 and int(np.sum(labels[val] == 0)) == 2
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(30))


@test_case(name="test_train_loop_runs", points=1, hidden=False)
def test_train_loop_runs(train_loop):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)).astype(np.float32), rng.integers(0, 2, 20)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    history = train_loop(model, x, y, x[:5], y[:5], tf.keras.optimizers.SGD(0.1),
                         tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), 2, 8)
    assert len(history["loss"]) == 2 and len(history["val_loss"]) == 2
