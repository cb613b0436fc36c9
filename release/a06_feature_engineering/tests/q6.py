from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_windows_lags_and_splits", points=1, hidden=False)
def test_windows_lags_and_splits(make_windows, lag_features, prepare_splits):
    import numpy as np

    series = np.arange(10, dtype=np.float32).reshape(10, 1)
    pairs = [(x.numpy(), y.numpy()) for x, y in make_windows(series, 3, 2, 4)]
    xs = np.concatenate([p[0] for p in pairs])
    ys = np.concatenate([p[1] for p in pairs])
    assert xs.shape == (6, 3, 1) and ys.shape == (6, 2, 1)
    np.testing.assert_array_equal(xs[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(ys[-1, :, 0], [8, 9])
    lagged = lag_features(np.array([1, 2, 3], np.float32), [1]).numpy()
    assert np.isnan(lagged[0, 0]) and lagged[2, 0] == 2
    out = prepare_splits(np.arange(40, dtype=np.float32).reshape(40, 1), 3, 1, 8)
    np.testing.assert_allclose(out["mean"], [13.5], rtol=1e-5)  # the mean of the first 28 steps only


@test_case(name="test_rolling_fill_and_walk_forward", points=1, hidden=False)
def test_rolling_fill_and_walk_forward(rolling_features, difference, forward_fill, walk_forward_splits):
    import numpy as np

    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0], np.float32)
    r = rolling_features(x, 3).numpy()
    assert np.isnan(r[:2]).all()
    np.testing.assert_allclose(r[2], [7 / 3, np.std([1, 2, 4], ddof=1), 1.0], rtol=1e-5)
    np.testing.assert_allclose(difference(x, 2).numpy()[2:], [3.0, 5.0, 7.0])
    filled = forward_fill(np.array([np.nan, 1.0, np.nan, np.nan, 5.0], np.float32)).numpy()
    assert np.isnan(filled[0]) and filled[1:].tolist() == [1.0, 1.0, 1.0, 5.0]
    folds = walk_forward_splits(10, 2, 3)
    assert [f[0].tolist() for f in folds] == [[0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6]]
    assert [f[1].tolist() for f in folds] == [[4, 5, 6], [7, 8, 9]]
