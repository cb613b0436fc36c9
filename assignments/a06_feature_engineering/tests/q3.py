from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_scalers_small_example", points=1, hidden=False)
def test_scalers_small_example(standardize, minmax_scale, robust_scale):
    import numpy as np

    train = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0], [4.0, 7.0], [10.0, 7.0]], np.float32)
    x = np.array([[2.5, 8.0]], np.float32)
    mean, std = train.mean(0), train.std(0)
    np.testing.assert_allclose(standardize(train, x).numpy()[0, 0], (2.5 - mean[0]) / std[0], rtol=1e-5)
    np.testing.assert_allclose(minmax_scale(train, x).numpy(), [[1.5 / 9, 1.0]], rtol=1e-5)
    # median 3, IQR 4 - 2 = 2; the constant column has IQR 0 -> scale 1.
    np.testing.assert_allclose(robust_scale(train, x).numpy(), [[-0.25, 1.0]], rtol=1e-5)
