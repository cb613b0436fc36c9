"""Hidden tests for A23 Q1: probabilistic programming (a joint distribution, conjugate posterior, bijectors)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

LOG_2PI = np.log(2 * np.pi)


def _normal_logpdf(x, loc, scale):
    return -0.5 * LOG_2PI - np.log(scale) - 0.5 * ((x - loc) / scale) ** 2


def _design(rng, n=8, d=3):
    return rng.normal(size=(n, d)).astype(np.float32)


@pytest.mark.points(3)
def test_blr_log_prob_matches_the_manual_density(student, rng):
    X = _design(rng)
    prior_scale = float(rng.uniform(0.5, 2.0))
    w = rng.normal(size=3).astype(np.float32)
    sigma = np.float32(rng.uniform(0.3, 1.5))
    y = (X @ w + sigma * rng.normal(size=8)).astype(np.float32)
    got = student.probe("blr_log_prob", X, prior_scale, None, {"w": w, "sigma": sigma, "y": y})
    assert got["is_joint"], (
        "make_blr_model should return a tfd.JointDistribution (JointDistributionCoroutineAutoBatched)")
    want = (_normal_logpdf(w, 0.0, prior_scale).sum() + np.log(2.0) + _normal_logpdf(sigma, 0.0, 1.0)
            + _normal_logpdf(y, X @ w, sigma).sum())
    checks.assert_tensor(got["log_prob"], np.float32(want), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-4,
                         name="model.log_prob(w=w, sigma=sigma, y=y) with noise_scale=None (prior "
                              "Normal(0, prior_scale) per weight, HalfNormal(1) on sigma, y ~ Normal(X @ w, sigma))")
    noise = float(rng.uniform(0.3, 1.5))
    got = student.probe("blr_log_prob", X, prior_scale, noise, {"w": w, "y": y})
    want = _normal_logpdf(w, 0.0, prior_scale).sum() + _normal_logpdf(y, X @ w, noise).sum()
    checks.assert_tensor(got["log_prob"], np.float32(want), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-4,
                         name=f"model.log_prob(w=w, y=y) with noise_scale={noise:.3f} (no sigma variable then)")


def test_blr_samples_have_named_fields_and_shapes(student, rng):
    X = _design(rng, n=7, d=4)
    got = student.probe("blr_sample", X, 1.0, None, 5, int(rng.integers(1, 2**30)))
    assert got["fields"] == ["w", "sigma", "y"], (
        f"model.sample(5) should be a namedtuple with fields ['w', 'sigma', 'y'], got {got['fields']}")
    for key, shape in (("w", (5, 4)), ("sigma", (5,)), ("y", (5, 7))):
        value = got["values"][key]
        checks.assert_tensor(value, np.zeros(shape, np.float32), expect="tensor", dtype="float32", atol=np.inf,
                             name=f"model.sample(5).{key}")
    assert np.all(np.asarray(got["values"]["sigma"]) > 0), "sigma ~ HalfNormal(1) must be positive"
    got = student.probe("blr_sample", X, 1.0, 0.5, 3, int(rng.integers(1, 2**30)))
    assert got["fields"] == ["w", "y"], (
        f"with a known noise_scale the model has only the variables ['w', 'y'], got {got['fields']}")


@pytest.mark.points(2)
def test_prior_predictive_moments(student, rng, thresholds):
    # y_i = x_i . w + eps_i, so E[y_i] = 0 and Var[y_i] = prior_scale^2 |x_i|^2 + noise^2 under the prior.
    X = _design(rng, n=6, d=3)
    prior_scale, noise = 2.0, 0.5
    n = 4000
    got = student.probe("blr_sample", X, prior_scale, noise, n, int(rng.integers(1, 2**30)))
    assert got["fields"] == ["w", "y"], f"expected the fields ['w', 'y'], got {got['fields']}"
    y = np.asarray(got["values"]["y"], np.float64)
    assert y.shape == (n, 6), f"model.sample({n}).y should have shape ({n}, 6), got {y.shape}"
    var = prior_scale ** 2 * (X.astype(np.float64) ** 2).sum(axis=1) + noise ** 2
    z_mean = np.abs(y.mean(axis=0)) / np.sqrt(var / n)
    assert z_mean.max() < thresholds["max_prior_mean_z"], (
        f"the prior predictive mean of y should be 0; it is {z_mean.max():.1f} standard errors away")
    ratio = y.var(axis=0) / var
    tol = thresholds["prior_var_rel_tol"]
    assert np.all(np.abs(ratio - 1) < tol), (
        f"the prior predictive variance of y_i should be prior_scale^2 |x_i|^2 + noise_scale^2; sampled/expected "
        f"ratios are {np.round(ratio, 3).tolist()} (is prior_scale a standard deviation, not a variance?)")


@pytest.mark.points(2)
def test_blr_posterior_closed_form(student, rng):
    X = rng.normal(size=(30, 4))
    y = X @ rng.normal(size=4) + 0.7 * rng.normal(size=30)
    prior_scale, noise = float(rng.uniform(0.5, 3.0)), float(rng.uniform(0.3, 1.5))
    got = student.call("blr_posterior", X, y, prior_scale, noise)
    assert isinstance(got, (list, tuple)) and len(got) == 2, "blr_posterior should return (mean, cov)"
    precision = X.T @ X / noise ** 2 + np.eye(4) / prior_scale ** 2
    cov = np.linalg.inv(precision)
    mean = cov @ X.T @ y / noise ** 2
    checks.assert_tensor(got[0], mean, expect="tensor", dtype="float64", rtol=1e-8, atol=1e-10, name="posterior mean")
    checks.assert_tensor(got[1], cov, expect="tensor", dtype="float64", rtol=1e-8, atol=1e-10,
                         name="posterior covariance (inverse of X^T X / noise^2 + I / prior_scale^2)")


def test_positive_bijector(student, rng):
    shift, scale = float(rng.uniform(-2, 2)), float(rng.uniform(0.5, 3))
    x = rng.normal(size=6).astype(np.float32)
    y = (shift + rng.uniform(0.1, 5, size=6)).astype(np.float32)
    got = student.probe("bijector_values", shift, scale, x, y)
    assert got["is_bijector"], "make_positive_bijector should return a tfb.Bijector (tfb.Chain of Shift, Scale, Exp)"
    checks.assert_tensor(got["forward"], shift + scale * np.exp(x), dtype="float32", rtol=1e-5, atol=1e-5,
                         name="forward(x) = shift + scale * exp(x)")
    checks.assert_tensor(got["inverse"], np.log((y - shift) / scale), dtype="float32", rtol=1e-5, atol=1e-5,
                         name="inverse(y) = log((y - shift) / scale)")
    checks.assert_tensor(got["fldj"], np.log(scale) + x, dtype="float32", rtol=1e-5, atol=1e-5,
                         name="forward_log_det_jacobian(x) = log(scale) + x")
    checks.assert_tensor(got["ildj"], -np.log(y - shift), dtype="float32", rtol=1e-5, atol=1e-5,
                         name="inverse_log_det_jacobian(y) = -log(y - shift)")


def test_shifted_lognormal_is_a_transformed_normal(student, rng):
    loc, scale, shift = float(rng.uniform(-1, 1)), float(rng.uniform(0.3, 1.0)), float(rng.uniform(-3, 3))
    y = (shift + rng.uniform(0.05, 6, size=10)).astype(np.float32)
    got = student.probe("lognormal_values", loc, scale, shift, y, 5000, int(rng.integers(1, 2**30)))
    assert got["is_transformed"], "shifted_lognormal should be a tfd.TransformedDistribution of a tfd.Normal"
    u = y.astype(np.float64) - shift
    want = _normal_logpdf(np.log(u), loc, scale) - np.log(u)   # change of variables: minus log|dy/dz|
    checks.assert_tensor(got["log_prob"], want, dtype="float32", rtol=1e-4, atol=1e-4,
                         name="log_prob(y) of shift + exp(Normal(loc, scale))")
    samples = np.asarray(got["samples"], np.float64)
    assert samples.shape == (5000,) and np.all(samples > shift), "samples should have shape (5000,) and exceed shift"
    mean, sd = shift + np.exp(loc + scale ** 2 / 2), np.sqrt((np.exp(scale ** 2) - 1) * np.exp(2 * loc + scale ** 2))
    assert abs(samples.mean() - mean) < 6 * sd / np.sqrt(5000), (
        f"the sample mean {samples.mean():.3f} is far from shift + exp(loc + scale^2 / 2) = {mean:.3f}")
