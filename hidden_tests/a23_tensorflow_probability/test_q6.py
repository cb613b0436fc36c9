"""Hidden tests for A23 Q6: probabilistic layers (IndependentNormal, MixtureNormal, DistributionLambda) and NLL."""

import numpy as np
import pytest
from scipy.special import gammaln

from graders import checks

pytestmark = pytest.mark.question("q6")


def _inverse_sine(rng, n):
    """x = y + 0.3 sin(2 pi y) + noise: predicting y from x is multimodal for x in about [0.3, 0.7]."""
    y = rng.uniform(0, 1, size=n)
    x = y + 0.3 * np.sin(2 * np.pi * y) + 0.05 * rng.normal(size=n)
    return x.astype(np.float32)[:, None], y.astype(np.float32)[:, None]


@pytest.fixture(scope="module")
def inverse_sine_nll(student):
    rng = np.random.default_rng(6060)
    x, y = _inverse_sine(rng, 1000)
    x_test, y_test = _inverse_sine(rng, 1000)
    out = {}
    for builder, args in (("build_mdn", [3]), ("build_normal_regressor", [])):
        got = student.probe("fit_and_log_prob", builder, args, x, y, x_test, y_test, 60, 0.01, 0)
        assert not got["diverged"], f"{builder}: training left the weights NaN or infinite (the loss diverged)"
        lp = np.asarray(got["log_prob"], np.float64)
        assert lp.shape == (1000,), f"{builder}: expected one log-probability per held-out example, got {lp.shape}"
        out[builder] = float(-lp.mean())
    return out


@pytest.mark.points(2)
def test_negative_log_likelihood_is_minus_log_prob(student, rng):
    loc, scale = rng.normal(size=6), rng.uniform(0.2, 2, size=6)
    y = rng.normal(size=6)
    rate, counts = rng.uniform(0.5, 5, size=6), rng.integers(0, 8, size=6).astype(np.float64)
    got = student.probe("nll_values", loc, scale, y, rate, counts)
    want = 0.5 * np.log(2 * np.pi * scale ** 2) + 0.5 * ((y - loc) / scale) ** 2
    checks.assert_tensor(got["normal"], want.astype(np.float32), expect="tensor", dtype="float32", rtol=1e-5,
                         atol=1e-5, name="negative_log_likelihood(y, tfd.Normal(loc, scale))")
    want = rate - counts * np.log(rate) + gammaln(counts + 1)
    checks.assert_tensor(got["poisson"], want.astype(np.float32), expect="tensor", dtype="float32", rtol=1e-5,
                         atol=1e-5, name="negative_log_likelihood(y, tfd.Poisson(rate))")


@pytest.mark.points(2)
def test_models_output_distributions_with_params_size(student, rng):
    x = rng.uniform(0, 1, size=(9, 1)).astype(np.float32)
    cases = (("build_mdn", [4], 4 * 3, "MixtureNormal"),                     # MixtureNormal.params_size(4, [1]) = 12
             ("build_normal_regressor", [], 2, "IndependentNormal"),         # IndependentNormal.params_size(1) = 2
             ("build_poisson_regressor", [3], 1, "DistributionLambda"))
    for builder, args, units, layer in cases:
        xin = x if builder != "build_poisson_regressor" else rng.normal(size=(9, 3)).astype(np.float32)
        got = student.probe("layer_structure", builder, args, xin, int(rng.integers(1, 2**30)))
        assert got["is_keras_model"], f"{builder} should return a tf.keras.Model"
        assert got["is_distribution"], (
            f"{builder}(...)(x) should be a tfd.Distribution: end the model with a tfp.layers {layer} layer")
        assert got["last_dense_units"] == units, (
            f"{builder}: the Dense layer before the distribution layer should have {units} units "
            f"(the layer's params_size), got {got['last_dense_units']}")
        assert got["batch_shape"] + got["event_shape"] == [9, 1], (
            f"{builder}: batch shape + event shape should be [9, 1], got {got['batch_shape']} + {got['event_shape']}")
        assert got["log_prob_shape"] == [9], (
            f"{builder}: log_prob of a (9, 1) target should have shape [9] (one value per example), got "
            f"{got['log_prob_shape']}")
        checks.assert_tensor(got["sample"], np.zeros((9, 1), np.float32), expect="tensor", dtype="float32",
                             atol=np.inf, name=f"a sample of {builder}(...)(x)")


@pytest.mark.points(3)
def test_mixture_density_network_fits_a_multimodal_target(inverse_sine_nll, thresholds):
    mdn, normal = inverse_sine_nll["build_mdn"], inverse_sine_nll["build_normal_regressor"]
    assert mdn <= thresholds["max_mdn_nll"], (
        f"held-out NLL of the 3-component mixture density network is {mdn:.3f}, above {thresholds['max_mdn_nll']}")
    assert normal - mdn >= thresholds["min_mdn_advantage"], (
        f"on the inverse-sine problem y | x is multimodal: the MDN's held-out NLL ({mdn:.3f}) should be at least "
        f"{thresholds['min_mdn_advantage']} nats below the single Normal's ({normal:.3f})")


def test_normal_regressor_learns_by_nll(inverse_sine_nll, thresholds):
    normal = inverse_sine_nll["build_normal_regressor"]
    assert normal <= thresholds["max_normal_nll"], (
        f"held-out NLL of the IndependentNormal regressor is {normal:.3f}, above {thresholds['max_normal_nll']}")


@pytest.mark.points(2)
def test_poisson_distribution_lambda_recovers_the_rate(student, thresholds):
    rng = np.random.default_rng(7070)
    coef, bias = np.array([0.8, -0.4, 0.3]), 0.5
    x = rng.normal(size=(800, 3)).astype(np.float32)
    counts = rng.poisson(np.exp(x @ coef + bias)).astype(np.float32)[:, None]
    x_test = rng.normal(size=(200, 3)).astype(np.float32)
    got = student.probe("fit_and_log_prob", "build_poisson_regressor", [3], x, counts, x_test,
                        np.zeros((200, 1), np.float32), 80, 0.05, 0)
    assert not got["diverged"], ("training left the weights NaN: the loss diverged (a negative Poisson rate has no "
                                 "log-probability; the Dense output should be the log rate)")
    rate = np.exp(x_test.astype(np.float64) @ coef + bias)
    err = np.abs(np.asarray(got["mean"], np.float64) - rate) / rate
    assert np.median(err) <= thresholds["max_poisson_rate_error"], (
        f"the predicted Poisson means are off the true rates by a median {np.median(err):.1%} "
        f"(allowed {thresholds['max_poisson_rate_error']:.0%}): the Dense output should be the log rate")
