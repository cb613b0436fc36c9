# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# walk_forward_splits accepts a first fold with no training step (start - gap == 0).
# %% [q6]
def make_windows(series, window: int, horizon: int, batch_size: int) -> tf.data.Dataset:
    """Sliding windows ``(x, y)`` for multi-step forecasting, via ``timeseries_dataset_from_array``.

    Use ``tf.keras.utils.timeseries_dataset_from_array``, in order (no shuffling).
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


def rolling_features(x, window: int) -> tf.Tensor:
    """Trailing rolling mean, standard deviation and minimum of a 1-D series (no look-ahead).

    Row ``t`` summarizes ``x[t - window + 1 : t + 1]``: the mean, the sample standard deviation
    (``ddof=1``) and the minimum; rows ``t < window - 1`` are NaN. This is pandas'
    ``s.rolling(window).mean() / .std() / .min()``, here in TensorFlow ops (``tf.signal.frame``).

    Args:
        x: a ``float32`` array of shape ``(T,)`` without NaN.
        window: the window length (>= 2).

    Returns:
        A ``float32`` tensor of shape ``(T, 3)``: mean, std, min.
    """
    x = tf.constant(np.asarray(x, np.float32))
    frames = tf.signal.frame(x, window, 1)
    mean = tf.reduce_mean(frames, axis=1)
    std = tf.sqrt(tf.reduce_sum(tf.square(frames - mean[:, None]), axis=1) / (window - 1))
    stats = tf.stack([mean, std, tf.reduce_min(frames, axis=1)], axis=1)
    pad = tf.fill([min(window - 1, int(x.shape[0])), 3], tf.constant(np.nan, tf.float32))
    return tf.concat([pad, stats], axis=0)[: int(x.shape[0])]


def difference(x, lag: int = 1) -> tf.Tensor:
    """``x[t] - x[t - lag]`` (pandas' ``s.diff(lag)``), NaN for the first ``lag`` steps.

    Args:
        x: a ``float32`` array of shape ``(T,)``.
        lag: a positive int.

    Returns:
        A ``float32`` tensor of shape ``(T,)``.
    """
    x = tf.constant(np.asarray(x, np.float32))
    lag = min(int(lag), int(x.shape[0]))
    return tf.concat([tf.fill([lag], tf.constant(np.nan, tf.float32)), x[lag:] - x[: int(x.shape[0]) - lag]], 0)


def forward_fill(x) -> tf.Tensor:
    """Replace each NaN by the last observed value before it (pandas' ``s.ffill()``).

    Leading NaNs (nothing observed yet) stay NaN: filling them would need a value from the future.

    Args:
        x: a ``float32`` array of shape ``(T,)``.

    Returns:
        A ``float32`` tensor of shape ``(T,)``.
    """
    x = tf.constant(np.asarray(x, np.float32))
    positions = tf.range(tf.shape(x)[0])
    last_seen = tf.where(tf.math.is_nan(x), tf.zeros_like(positions), positions)
    return tf.gather(x, tf.scan(tf.maximum, last_seen))


def walk_forward_splits(n_samples: int, n_splits: int, test_size: int, gap: int = 0) -> list:
    """Expanding-window walk-forward validation folds, as scikit-learn's ``TimeSeriesSplit``.

    Fold ``k`` (``k = 0 .. n_splits - 1``) tests on the ``test_size`` steps that start at
    ``n_samples - (n_splits - k) * test_size`` and trains on every step before that start minus ``gap``
    (the steps in the gap are used for neither). Every training index comes before every test index.

    Args:
        n_samples: the series length.
        n_splits: the number of folds.
        test_size: the steps per test fold.
        gap: the steps dropped between training and test (a forecast horizon, say).

    Returns:
        A list of ``(train_indices, test_indices)`` pairs of ``int64`` arrays, oldest fold first.

    Raises:
        ValueError: when the first fold would have no training step.
    """
    folds = []
    for k in range(n_splits):
        start = n_samples - (n_splits - k) * test_size
        if start - gap < 0:
            raise ValueError(f"fold {k} would train on no step: n_samples={n_samples} is too short")
        folds.append((np.arange(0, start - gap, dtype=np.int64), np.arange(start, start + test_size, dtype=np.int64)))
    return folds


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
    n_train = int(len(series) * train_frac)
    n_val = int(len(series) * val_frac)
    parts = {"train": series[:n_train], "val": series[n_train:n_train + n_val], "test": series[n_train + n_val:]}
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(parts["train"])
    out = {name: make_windows(normalizer(part).numpy(), window, horizon, batch_size) for name, part in parts.items()}
    out["mean"] = np.asarray(normalizer.mean).reshape(-1).astype(np.float32)
    out["std"] = np.sqrt(np.asarray(normalizer.variance).reshape(-1)).astype(np.float32)
    return out
