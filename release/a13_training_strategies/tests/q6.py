from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_early_stopping_patience", points=1, hidden=False)
def test_early_stopping_patience(EarlyStoppingByHand):
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    model.compile(loss="mse")
    cb = EarlyStoppingByHand(patience=2, min_delta=0.01)
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    stops = []
    for epoch, loss in enumerate([1.0, 0.8, 0.795, 0.9, 0.7]):
        cb.on_epoch_end(epoch, {"val_loss": loss})
        stops.append(bool(model.stop_training))
        if model.stop_training:
            break
    assert stops == [False, False, False, True], "0.795 is not an improvement of more than min_delta on 0.8"
    assert cb.stopped_epoch == 3
