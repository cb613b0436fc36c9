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


@test_case(name="test_power_and_quantile_transforms", points=1, hidden=False)
def test_power_and_quantile_transforms(power_transform, quantile_transform):
    import numpy as np
    import scipy.stats

    rng = np.random.default_rng(0)
    train = rng.lognormal(0.0, 1.0, size=(80, 2)).astype(np.float32)
    x = rng.lognormal(0.0, 1.0, size=(5, 2)).astype(np.float32)
    out, lambdas = power_transform(train, x, "box-cox")
    np.testing.assert_allclose(lambdas[0], scipy.stats.boxcox_normmax(train[:, 0].astype(np.float64), method="mle"),
                               atol=0.02)
    np.testing.assert_allclose(out.numpy()[:, 1], scipy.stats.boxcox(x[:, 1].astype(np.float64), lambdas[1]),
                               rtol=1e-4, atol=1e-4)
    u = quantile_transform(train, np.array([[-1.0, 1e6], [np.median(train[:, 0]), 0.0]], np.float32)).numpy()
    np.testing.assert_allclose(u, [[0.0, 1.0], [0.5, 0.0]], atol=1e-4)
