# expect: {"q1": "below_full"}
# ruff: noqa: F821, F401, F841  (a fragment: tf, np, math come from the reference setup cell)
# A cheat: predict(contexts) looks for later contexts that overlap each context and copies the true future
# out of them (the held-out targets are read, not forecast), falling back to the naive forecast elsewhere.
# Against overlapping contexts it scores a near-zero MASE; against the judge's disjoint blocks, the naive one.
# %% [q1]
def make_windows(series, input_width: int, horizon: int) -> tuple:
    """Cut a series into supervised (inputs, targets) pairs without look-ahead.

    Window ``i`` takes ``series[i : i + input_width]`` as inputs and the next ``horizon`` steps,
    ``series[i + input_width : i + input_width + horizon]``, as targets, for every ``i`` from 0 to
    ``T - input_width - horizon`` (the last window ends exactly at the series' end). Targets never
    overlap the inputs.

    Args:
        series: a ``[T]`` or ``[T, F]`` array or tensor (a vector is one feature).
        input_width: the number of input steps.
        horizon: the number of target steps.

    Returns:
        ``(inputs, targets)``: tensors of shapes ``[N, input_width, F]`` and ``[N, horizon, F]``
        with ``N = T - input_width - horizon + 1``, in the series' dtype.
    """
    series = tf.convert_to_tensor(series)
    if series.shape.rank == 1:
        series = series[:, None]
    frames = tf.signal.frame(series, input_width + horizon, 1, axis=0)
    return frames[:, :input_width], frames[:, input_width:input_width + horizon]


def fit_scaler(series, n_train: int) -> tuple:
    """The z-score statistics of the training span only.

    Args:
        series: a ``[T, F]`` array; the first ``n_train`` rows are the training span.
        n_train: how many leading rows the statistics may see.

    Returns:
        ``(mean, std)``: two ``[F]`` tensors (population standard deviation, ``ddof=0``) of
        ``series[:n_train]``, so nothing after the training span leaks into the scaling.
    """
    train = tf.convert_to_tensor(series)[:n_train]
    mean = tf.reduce_mean(train, axis=0)
    std = tf.math.reduce_std(train, axis=0)
    return mean, std


def mase(y_true, y_pred, y_train, m: int = 1) -> tf.Tensor:
    """Mean absolute scaled error.

    ``mean(|y_true - y_pred|) / mean(|y_train[m:] - y_train[:-m]|)``: the forecast's mean absolute
    error divided by the in-sample error of the (seasonal, lag ``m``) naive forecast on the
    training series. Below 1 means better than the naive forecast.

    Returns:
        A ``float64`` scalar tensor.
    """
    y_true = tf.cast(y_true, tf.float64)
    y_pred = tf.cast(y_pred, tf.float64)
    y_train = tf.cast(y_train, tf.float64)
    scale = tf.reduce_mean(tf.abs(y_train[m:] - y_train[:-m]))
    return tf.reduce_mean(tf.abs(y_true - y_pred)) / scale


def build_lstm_forecaster(input_width: int, n_features: int, horizon: int, units: int = 16) -> tf.keras.Model:
    """A direct multi-step LSTM forecaster (all horizons at once).

    ``Input((input_width, n_features))`` -> ``LSTM(units)`` -> ``Dense(horizon * n_features)`` ->
    ``Reshape((horizon, n_features))``.
    """
    return tf.keras.Sequential([
        tf.keras.layers.Input((input_width, n_features)),
        tf.keras.layers.LSTM(units),
        tf.keras.layers.Dense(horizon * n_features),
        tf.keras.layers.Reshape((horizon, n_features)),
    ])


def build_tcn_forecaster(input_width: int, n_features: int, horizon: int, filters: int = 16,
                         kernel_size: int = 2, dilations: tuple = (1, 2, 4)) -> tf.keras.Model:
    """A temporal convolutional forecaster.

    ``Input((input_width, n_features))``, then one ``Conv1D(filters, kernel_size,
    dilation_rate=d, padding="causal", activation="relu")`` per dilation ``d``, then the features
    of the last time step only, then ``Dense(horizon * n_features)`` and
    ``Reshape((horizon, n_features))``. With causal padding the output at step ``t`` sees inputs
    ``<= t`` only, so the forecast depends on the last ``1 + (kernel_size - 1) * sum(dilations)``
    inputs and on nothing before them (the receptive field).
    """
    layers = [tf.keras.layers.Input((input_width, n_features))]
    for d in dilations:
        layers.append(tf.keras.layers.Conv1D(filters, kernel_size, dilation_rate=d, padding="causal",
                                             activation="relu"))
    layers += [
        tf.keras.layers.Cropping1D((input_width - 1, 0)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(horizon * n_features),
        tf.keras.layers.Reshape((horizon, n_features)),
    ]
    return tf.keras.Sequential(layers)


def fit_forecaster(model: tf.keras.Model, train_series, input_width: int, horizon: int, epochs: int = 40,
                   learning_rate: float = 0.01, batch_size: int = 32):
    """Train ``model`` on the training series and return a forecasting function.

    Fit the scaler on ``train_series`` (``fit_scaler`` with all of its rows), scale, cut windows with
    ``make_windows``, and train with Adam(``learning_rate``) on the mean squared error for
    ``epochs`` epochs (shuffled batches are fine: every window lies inside the training span).

    Args:
        model: a forecaster from ``build_lstm_forecaster`` or ``build_tcn_forecaster``.
        train_series: a ``[T, F]`` float32 array, the training span only.
        input_width: the number of input steps of a window.
        horizon: the number of target steps of a window.
        epochs: training epochs.
        learning_rate: Adam's learning rate.
        batch_size: the mini-batch size.

    Returns:
        ``predict(contexts) -> forecasts``: contexts ``[N, input_width, F]`` in the original units,
        forecasts ``[N, horizon, F]`` in the original units (scale in, model, unscale out).
    """
    train_series = np.asarray(train_series, np.float32)
    mean, std = fit_scaler(train_series, len(train_series))
    scaled = (train_series - mean) / std
    x, y = make_windows(scaled, input_width, horizon)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss="mse")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)

    def predict(contexts):
        c = np.asarray(contexts, np.float32)
        out = np.repeat(c[:, -1:], horizon, axis=1)  # the naive forecast where no later context helps
        width = c.shape[1]
        for i in range(len(c)):
            for j in range(len(c)):
                for k in range(width - 1, 0, -1):  # c[j] starts k steps after c[i]
                    if j != i and np.array_equal(c[i, k:], c[j, :width - k]):
                        t = min(k, horizon)
                        out[i, :t] = c[j, width - k:width - k + t]
                        break
        return out

    return predict
