from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_make_windows_shapes_and_no_overlap", points=1, hidden=False)
def test_make_windows_shapes_and_no_overlap(make_windows):
    import numpy as np

    s = np.arange(10, dtype=np.float32)
    x, y = make_windows(s, 4, 2)
    x, y = np.asarray(x), np.asarray(y)
    assert x.shape == (5, 4, 1) and y.shape == (5, 2, 1), "expected 5 windows of 4 inputs and 2 targets"
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(y[0, :, 0], [4, 5])
    np.testing.assert_array_equal(y[-1, :, 0], [8, 9])


@test_case(name="test_mase_of_the_naive_forecast", points=1, hidden=False)
def test_mase_of_the_naive_forecast(mase):
    import numpy as np

    y_train = np.array([1.0, 2.0, 4.0, 7.0])
    got = float(mase(np.array([8.0, 9.0]), np.array([7.0, 7.0]), y_train))
    assert abs(got - 1.5 / 2.0) < 1e-12, "MASE = MAE / mean |y_train[t] - y_train[t-1]|"
