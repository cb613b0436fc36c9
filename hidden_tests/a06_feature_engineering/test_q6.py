"""Hidden tests for A06 Q6: time-series windows, lags and leak-free splits."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


def create_sequences(data, window, horizon):
    """The course's windowing, the ground truth."""
    xs, ys = [], []
    for i in range(len(data) - window - horizon + 1):
        xs.append(data[i:i + window])
        ys.append(data[i + window:i + window + horizon])
    return np.array(xs), np.array(ys)


def _series(rng, length, features=2):
    t = np.arange(length)[:, None]
    trend = 0.05 * t * (1 + np.arange(features))  # a trend: later splits have other statistics
    season = np.sin(2 * np.pi * t / 12.0) * 3
    return (trend + season + rng.normal(0, 0.5, size=(length, features))).astype(np.float32)


@pytest.mark.points(3)
def test_windows_match_create_sequences(student, rng):
    for length, window, horizon, batch in ((int(rng.integers(30, 60)), 5, 1, 8), (int(rng.integers(30, 60)), 7, 3, 5)):
        series = _series(rng, length)
        want_x, want_y = create_sequences(series, window, horizon)
        got = student.probe("collect_windows", series, window, horizon, batch)
        checks.assert_tensor(got["x"], want_x, dtype="float32", atol=0,
                             name=f"inputs x of make_windows(series of {length} steps, window={window}, "
                                  f"horizon={horizon})")
        checks.assert_tensor(got["y"], want_y, dtype="float32", atol=0,
                             name=f"targets y of make_windows(..., window={window}, horizon={horizon}) (the "
                                  f"{horizon} steps right after each window)")
        n = len(want_x)
        want_sizes = [batch] * (n // batch) + ([n % batch] if n % batch else [])
        if got["sizes"] != want_sizes:
            raise checks.CheckFailed(f"batch sizes {got['sizes']} are wrong (in order, no shuffle, the last batch "
                                     "partial)", values=f"expected {want_sizes}")


@pytest.mark.points(2)
def test_lag_features(student, rng):
    x = rng.normal(size=int(rng.integers(10, 20))).astype(np.float32)
    lags = [1, 3, int(rng.integers(4, 8))]
    want = np.full((len(x), len(lags)), np.nan, np.float32)
    for j, lag in enumerate(lags):
        want[lag:, j] = x[:-lag]
    checks.assert_tensor(student.call("lag_features", x, lags), want, expect="tensor", dtype="float32", atol=0,
                         allow_nonfinite=True, name=f"lag_features(x, {lags}) (NaN before the first lagged value)")


def _expected_splits(series, window, horizon, train_frac, val_frac):
    n_train, n_val = int(len(series) * train_frac), int(len(series) * val_frac)
    train = series[:n_train].astype(np.float64)
    mean, std = train.mean(axis=0), train.std(axis=0)
    parts = {"train": series[:n_train], "val": series[n_train:n_train + n_val], "test": series[n_train + n_val:]}
    return {name: create_sequences((part - mean) / std, window, horizon) for name, part in parts.items()}, mean, std


@pytest.mark.points(3)
def test_splits_use_training_statistics_only(student, rng):
    series = _series(rng, int(rng.integers(120, 160)))
    want, mean, std = _expected_splits(series, 6, 2, 0.7, 0.15)
    got = student.probe("collect_splits", series, 6, 2, 16, 0.7, 0.15)
    checks.assert_tensor(got["mean"], mean, rtol=1e-4, atol=1e-4, name="mean (of the training part only)")
    checks.assert_tensor(got["std"], std, rtol=1e-4, atol=1e-4,
                         name="std (population std of the training part only)")
    for name in ("train", "val", "test"):
        checks.assert_tensor(got[name]["x"], want[name][0], rtol=1e-4, atol=1e-4,
                             name=f"{name} inputs (normalized with the training mean and std)")
        checks.assert_tensor(got[name]["y"], want[name][1], rtol=1e-4, atol=1e-4, name=f"{name} targets")


@pytest.mark.points(2)
def test_no_window_crosses_a_split_boundary(student, rng):
    length = int(rng.integers(100, 140))
    series = _series(rng, length)
    n_train, n_val = int(length * 0.6), int(length * 0.2)
    window, horizon = 5, 3
    got = student.probe("collect_splits", series, window, horizon, 8, 0.6, 0.2)
    for name, size in (("train", n_train), ("val", n_val), ("test", length - n_train - n_val)):
        count = int(sum(got[name]["sizes"]))
        assert count == size - window - horizon + 1, (
            f"the {name} split has {size} steps, so {size - window - horizon + 1} windows of {window}+{horizon}; "
            f"got {count}: split first, then window each part (a window spanning two splits leaks the future)")


@pytest.mark.points(2)
def test_rolling_features_and_differences_match_pandas(student, rng):
    import pandas as pd

    x = np.cumsum(rng.normal(size=int(rng.integers(40, 70)))).astype(np.float32)
    series = pd.Series(x.astype(np.float64))
    for window in (2, int(rng.integers(4, 9))):
        rolling = series.rolling(window)
        want = np.stack([rolling.mean(), rolling.std(), rolling.min()], axis=1)
        checks.assert_tensor(student.call("rolling_features", x, window), want, expect="tensor", dtype="float32",
                             rtol=1e-4, atol=1e-4, allow_nonfinite=True,
                             name=f"rolling_features(x, {window}) against pandas' rolling(window).mean / .std "
                                  "(ddof=1) / .min (trailing windows, NaN until the first full window)")
    for lag in (1, int(rng.integers(2, 6))):
        checks.assert_tensor(student.call("difference", x, lag), series.diff(lag).to_numpy(), expect="tensor",
                             dtype="float32", rtol=1e-5, atol=1e-5, allow_nonfinite=True,
                             name=f"difference(x, {lag}) against pandas' diff({lag})")


@pytest.mark.points(2)
def test_forward_fill_carries_the_past_only(student, rng):
    import pandas as pd

    x = rng.normal(size=40).astype(np.float32)
    gaps = rng.choice(np.arange(2, 40), size=12, replace=False)
    x[gaps] = np.nan
    x[:2] = np.nan  # nothing observed yet: these must stay NaN (filling them would use the future)
    x[30:34] = np.nan  # a run of gaps
    checks.assert_tensor(student.call("forward_fill", x), pd.Series(x).ffill().to_numpy(), expect="tensor",
                         dtype="float32", rtol=0, atol=0, allow_nonfinite=True,
                         name="forward_fill(x) against pandas' ffill (leading NaNs stay NaN)")


@pytest.mark.points(2)
def test_walk_forward_folds_match_time_series_split(student, rng):
    from sklearn.model_selection import TimeSeriesSplit

    for n, splits, test_size, gap in ((int(rng.integers(60, 90)), 4, 9, 0), (int(rng.integers(60, 90)), 3, 7, 3)):
        got = student.call("walk_forward_splits", n, splits, test_size, gap)
        want = list(TimeSeriesSplit(n_splits=splits, test_size=test_size, gap=gap).split(np.zeros(n)))
        assert isinstance(got, (list, tuple)) and len(got) == splits, (
            f"walk_forward_splits({n}, {splits}, {test_size}, {gap}) should return {splits} folds")
        for k, ((train, test), (want_train, want_test)) in enumerate(zip(got, want, strict=True)):
            what = f"walk_forward_splits({n}, n_splits={splits}, test_size={test_size}, gap={gap}) fold {k}"
            checks.assert_tensor(np.asarray(train), want_train, atol=0, name=f"{what}: training indices")
            checks.assert_tensor(np.asarray(test), want_test, atol=0, name=f"{what}: test indices")
    checks.assert_raises(student.call, "walk_forward_splits", 20, 5, 4, 1, exc_type="ValueError")
    # The first fold would train on steps [0, start - gap) = [0, 0): no step at all.
    checks.assert_raises(student.call, "walk_forward_splits", 21, 5, 4, 1, exc_type="ValueError")
