from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_cyclic_lr_triangular", points=1, hidden=False)
def test_cyclic_lr_triangular(CyclicLR):
    import numpy as np

    clr = CyclicLR(base_lr=0.001, max_lr=0.006, step_size=4)
    rates = [clr.rate(i) for i in range(9)]
    np.testing.assert_allclose(rates, [0.001, 0.00225, 0.0035, 0.00475, 0.006, 0.00475, 0.0035, 0.00225, 0.001],
                               rtol=1e-6)


@test_case(name="test_loop_calls_hooks", points=1, hidden=False)
def test_loop_calls_hooks(fit_with_callbacks, BestWeightsEarlyStopping):
    import numpy as np
    import tensorflow as tf

    seen = []

    class Recorder(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(("epoch_begin", epoch))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("batch_end", batch))

    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    x, y = np.ones((5, 2), np.float32), np.ones((5, 1), np.float32)
    losses = fit_with_callbacks(model, x, y, 2, 4, [Recorder()])
    assert len(losses) == 2
    assert seen == [("epoch_begin", 0), ("batch_end", 0), ("batch_end", 1),
                    ("epoch_begin", 1), ("batch_end", 0), ("batch_end", 1)]
    stopper = BestWeightsEarlyStopping(monitor="loss", patience=1)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[stopper])
