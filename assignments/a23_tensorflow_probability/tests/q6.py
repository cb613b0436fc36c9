from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_probabilistic_layers", points=1, hidden=False)
def test_probabilistic_layers(negative_log_likelihood, build_normal_regressor, build_mdn, build_poisson_regressor,
                              fit_nll):
    import numpy as np
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    np.testing.assert_allclose(negative_log_likelihood(np.float32(0.0), tfd.Normal(0.0, 1.0)).numpy(),
                               0.5 * np.log(2 * np.pi), rtol=1e-6)
    x = np.linspace(0, 1, 5, dtype=np.float32)[:, None]
    for model in (build_normal_regressor(), build_mdn(3), build_poisson_regressor(1)):
        dist = model(x)
        assert isinstance(dist, tfd.Distribution), f"{model.layers[-1]} should output a distribution"
        assert tuple(dist.log_prob(np.zeros((5, 1), np.float32)).shape) == (5,)
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(400, 1)).astype(np.float32)
    ys = (2.0 * xs + 0.3 * rng.normal(size=(400, 1))).astype(np.float32)
    model = fit_nll(build_normal_regressor(), xs, ys, epochs=30)
    assert float(np.mean(-model(xs).log_prob(ys).numpy())) < 0.5, "training should lower the NLL"
