# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, SEED come from the reference setup cell)
# Leakage: normalized with statistics of the whole series, windowed once, and the windows split
# afterwards, so windows straddle the split boundaries. make_windows and lag_features are right.
# %% [q6]
def make_windows(series, window: int, horizon: int, batch_size: int) -> tf.data.Dataset:
    """Sliding windows ``(x, y)`` for multi-step forecasting, in order, with
    ``tf.keras.utils.timeseries_dataset_from_array``.

    For ``i = 0, 1, ..., T - window - horizon``: ``x = series[i : i + window]`` and
    ``y = series[i + window : i + window + horizon]``, exactly the course's ``create_sequences``.
    Hint: ask for sequences of ``window + horizon`` steps and split each one in a ``map``.

    Args:
        series: a ``float32`` array of shape ``(T, F)``.
        window: the input length.
        horizon: the number of future steps to predict.
        batch_size: the batch size (no shuffling).

    Returns:
        A dataset of ``(x, y)`` batches: ``x`` of shape ``(b, window, F)``, ``y`` of shape
        ``(b, horizon, F)``, both ``float32``.
    """
    ds = tf.keras.utils.timeseries_dataset_from_array(np.asarray(series, np.float32), None,
                                                      sequence_length=window + horizon, sequence_stride=1,
                                                      shuffle=False, batch_size=batch_size)
    return ds.map(lambda seq: (seq[:, :window], seq[:, window:]))


def lag_features(x, lags) -> tf.Tensor:
    """Lagged copies of a 1-D series: ``out[t, j] = x[t - lags[j]]``, NaN where ``t < lags[j]``.

    Args:
        x: a ``float32`` array of shape ``(T,)``.
        lags: a list of positive ints.

    Returns:
        A ``float32`` tensor of shape ``(T, len(lags))``.
    """
    x = tf.constant(np.asarray(x, np.float32))
    columns = []
    for lag in lags:
        lag = min(int(lag), int(x.shape[0]))
        pad = tf.fill([lag], tf.constant(np.nan, tf.float32))
        columns.append(tf.concat([pad, x[: int(x.shape[0]) - lag]], axis=0))
    return tf.stack(columns, axis=1)


def prepare_splits(series, window: int, horizon: int, batch_size: int, train_frac: float = 0.7,
                   val_frac: float = 0.15) -> dict:
    """Chronological train/validation/test windows with no leakage.

    1. Split ``series`` by time: the first ``n_train = int(T * train_frac)`` steps, the next
       ``n_val = int(T * val_frac)``, the rest. Never shuffle before splitting.
    2. Normalize all three with the *training* mean and population standard deviation per feature
       (a ``Normalization`` layer adapted on the training part): statistics of the validation or
       test steps must not leak into the inputs.
    3. Window each part separately with ``make_windows``, so that no window spans two parts.

    Args:
        series: a ``float32`` array of shape ``(T, F)``.
        window: the input length.
        horizon: the number of future steps.
        batch_size: the batch size.
        train_frac: the training fraction.
        val_frac: the validation fraction.

    Returns:
        A dict with ``"train"``, ``"val"``, ``"test"`` (datasets from ``make_windows``), ``"mean"`` and
        ``"std"`` (``float32`` arrays of shape ``(F,)``, the training statistics).
    """
    series = np.asarray(series, np.float32)
    mean, std = series.mean(axis=0), series.std(axis=0)
    windows = make_windows((series - mean) / std, window, horizon, batch_size).unbatch()
    count = len(series) - window - horizon + 1
    n_train, n_val = int(count * train_frac), int(count * val_frac)
    return {"train": windows.take(n_train).batch(batch_size),
            "val": windows.skip(n_train).take(n_val).batch(batch_size),
            "test": windows.skip(n_train + n_val).batch(batch_size), "mean": mean, "std": std}
