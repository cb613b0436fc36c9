"""Hidden tests for A23 Q4: variational inference against conjugate closed forms (mean-field, full-rank, ELBO)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

LOG_2PI = np.log(2 * np.pi)


def _normal_normal(rng, n=50, d=3):
    prior_loc = rng.normal(size=d)
    prior_scale, noise = 2.0, 1.5
    x = (rng.normal(size=d) * 2 + noise * rng.normal(size=(n, d))).astype(np.float32)
    post_var = 1.0 / (1.0 / prior_scale ** 2 + n / noise ** 2)
    post_mean = post_var * (prior_loc / prior_scale ** 2 + x.astype(np.float64).sum(axis=0) / noise ** 2)
    # log evidence: each column of x is N(prior_loc_d * 1, noise^2 I + prior_scale^2 1 1^T)
    cov = noise ** 2 * np.eye(n) + prior_scale ** 2 * np.ones((n, n))
    _, logdet = np.linalg.slogdet(cov)
    log_z = 0.0
    for j in range(d):
        r = x[:, j].astype(np.float64) - prior_loc[j]
        log_z += -0.5 * (n * LOG_2PI + logdet + r @ np.linalg.solve(cov, r))
    return {"x": x, "prior_loc": prior_loc.astype(np.float32), "prior_scale": prior_scale, "noise": noise,
            "post_mean": post_mean, "post_sd": np.sqrt(post_var) * np.ones(d), "log_z": log_z}


def _elbo_terms(p, q_loc, q_scale, z):
    """log p(x, z) - log q(z) for draws z (numpy, float64)."""
    x = p["x"].astype(np.float64)
    s0 = p["prior_scale"]
    log_prior = (-0.5 * LOG_2PI - np.log(s0) - 0.5 * ((z - p["prior_loc"]) / s0) ** 2).sum(-1)
    log_lik = (-0.5 * LOG_2PI - np.log(p["noise"]) - 0.5 * ((x[None] - z[:, None]) / p["noise"]) ** 2).sum((-2, -1))
    log_q = (-0.5 * LOG_2PI - np.log(q_scale) - 0.5 * ((z - q_loc) / q_scale) ** 2).sum(-1)
    return log_prior + log_lik - log_q


def _analytic_elbo(p, q_loc, q_scale):
    x, s0, s = p["x"].astype(np.float64), p["prior_scale"], p["noise"]
    e_prior = (-0.5 * np.log(2 * np.pi * s0 ** 2)
               - ((q_loc - p["prior_loc"]) ** 2 + q_scale ** 2) / (2 * s0 ** 2)).sum()
    e_lik = (-0.5 * np.log(2 * np.pi * s ** 2) - ((x - q_loc) ** 2 + q_scale ** 2) / (2 * s ** 2)).sum()
    entropy = (0.5 * np.log(2 * np.pi * np.e * q_scale ** 2)).sum()
    return e_prior + e_lik + entropy


def _blr(rng, n=40, d=3):
    corr = 0.9 * np.ones((d, d)) + 0.1 * np.eye(d)          # strongly correlated features: correlated posterior
    X = (rng.normal(size=(n, d)) @ np.linalg.cholesky(corr).T).astype(np.float32)
    prior_scale, noise = 1.0, 1.0
    y = (X @ rng.normal(size=d) + noise * rng.normal(size=n)).astype(np.float32)
    X64 = X.astype(np.float64)
    precision = X64.T @ X64 / noise ** 2 + np.eye(d) / prior_scale ** 2
    cov = np.linalg.inv(precision)
    return {"X": X, "y": y, "prior_scale": prior_scale, "noise": noise, "precision": precision, "cov": cov,
            "mean": cov @ X64.T @ y.astype(np.float64) / noise ** 2}


def _check_moments(got, d, name):
    assert got["is_distribution"], f"{name} should return a tfd.Distribution (the fitted surrogate posterior)"
    assert got["event_shape"] == [d], f"{name}: the surrogate's event shape should be [{d}], got {got['event_shape']}"
    checks.assert_tensor(got["sample_mean"], np.zeros(d, np.float32), dtype="float32", atol=np.inf,
                         name=f"samples of the surrogate of {name}")


@pytest.mark.points(3)
def test_mean_field_matches_the_conjugate_posterior(student, thresholds):
    p = _normal_normal(np.random.default_rng(404))
    got = student.probe("vi_normal_normal", p["x"], p["prior_loc"], p["prior_scale"], p["noise"], 500, 4)
    _check_moments(got, 3, "fit_mean_field")
    z = (np.asarray(got["sample_mean"], np.float64) - p["post_mean"]) / p["post_sd"]
    assert np.all(np.abs(z) <= thresholds["max_mean_error_sd"]), (
        f"the surrogate's mean is {np.round(z, 3).tolist()} posterior standard deviations from the closed form "
        f"(allowed {thresholds['max_mean_error_sd']}): did the ELBO optimization converge?")
    sd = np.sqrt(np.diag(np.asarray(got["sample_cov"], np.float64))) / p["post_sd"]
    assert np.all(np.abs(sd - 1) <= thresholds["max_sd_rel_error"]), (
        f"surrogate sd / closed-form posterior sd = {np.round(sd, 3).tolist()}, should be within "
        f"{thresholds['max_sd_rel_error']:.0%} of 1")
    # The ELBO of a (near-)exact surrogate is a lower bound that is nearly tight.
    gap = p["log_z"] - float(got["elbo"])
    assert thresholds["min_elbo_gap"] <= gap <= thresholds["max_elbo_gap"], (
        f"log evidence - ELBO = {gap:.4f}; it must be >= 0 up to Monte Carlo error and small for an exact family "
        f"(allowed [{thresholds['min_elbo_gap']}, {thresholds['max_elbo_gap']}])")


@pytest.mark.points(2)
def test_elbo_estimate_of_a_fixed_gaussian(student, rng):
    p = _normal_normal(rng)
    q_loc = p["post_mean"] + rng.normal(size=3) * 0.3
    q_scale = p["post_sd"] * rng.uniform(0.5, 2.0, size=3)
    got = student.probe("elbo_of_fixed_gaussian", p["x"], p["prior_loc"], p["prior_scale"], p["noise"],
                        q_loc.astype(np.float32), q_scale.astype(np.float32), 4096, int(rng.integers(1, 2**30)))
    assert isinstance(got, float), f"elbo should return a Python float, got {type(got).__name__}"
    want = _analytic_elbo(p, q_loc.astype(np.float32).astype(np.float64), q_scale.astype(np.float32).astype(np.float64))
    draws = q_loc + q_scale * rng.normal(size=(20000, 3))
    se = _elbo_terms(p, q_loc, q_scale, draws).std() / np.sqrt(4096)
    if abs(got - want) > 5 * se + 0.02:
        raise checks.CheckFailed(f"elbo(...) = {got:.3f} is off the exact ELBO of this q by more than five Monte Carlo "
                                 f"standard errors of a 4096-sample estimate ({se:.3f}) plus 0.02; average "
                                 "log p(x, z) - log q(z) over z ~ q", values=f"exact ELBO {want:.3f}")


@pytest.mark.points(3)
def test_full_rank_captures_the_posterior_correlation(student, thresholds):
    b = _blr(np.random.default_rng(505))
    got = student.probe("vi_blr", "full_rank", b["X"], b["y"], b["prior_scale"], b["noise"], 800, 5)
    _check_moments(got, 3, "fit_full_rank")
    sd = np.sqrt(np.diag(b["cov"]))
    z = (np.asarray(got["sample_mean"], np.float64) - b["mean"]) / sd
    assert np.all(np.abs(z) <= thresholds["max_mean_error_sd"]), (
        f"fit_full_rank's mean is {np.round(z, 3).tolist()} posterior sds from the closed form")
    err = np.abs(np.asarray(got["sample_cov"], np.float64) - b["cov"]) / np.outer(sd, sd)
    assert err.max() <= thresholds["max_cov_error"], (
        f"fit_full_rank's covariance differs from the closed-form posterior covariance by up to {err.max():.3f} "
        f"(in units of sd_i sd_j; allowed {thresholds['max_cov_error']}): use a MultivariateNormalTriL surrogate")


@pytest.mark.points(2)
def test_mean_field_variances_are_the_inverse_precision_diagonal(student, thresholds):
    # On a Gaussian posterior the optimal factorized q has the exact mean and variances 1 / Lambda_ii: smaller
    # than the true marginal variances when the parameters are correlated.
    b = _blr(np.random.default_rng(505))
    got = student.probe("vi_blr", "mean_field", b["X"], b["y"], b["prior_scale"], b["noise"], 800, 6)
    _check_moments(got, 3, "fit_mean_field")
    var = np.diag(np.asarray(got["sample_cov"], np.float64))
    ratio = var * np.diag(b["precision"])
    assert np.all(np.abs(ratio - 1) <= thresholds["max_mf_var_rel_error"]), (
        f"mean-field variances x Lambda_ii = {np.round(ratio, 3).tolist()}, should be 1: is the surrogate a "
        "factorized Normal fitted by the (reverse-KL) ELBO?")
    z = (np.asarray(got["sample_mean"], np.float64) - b["mean"]) / np.sqrt(np.diag(b["cov"]))
    assert np.all(np.abs(z) <= thresholds["max_mean_error_sd"]), (
        f"fit_mean_field's mean is {np.round(z, 3).tolist()} posterior sds from the closed form")


def _banana_log_p(z, curvature, noise_scale):
    """The normalized banana density (log Z = 0): z1 ~ N(0, 1), z2 | z1 ~ N(c (z1^2 - 1), s^2)."""
    z = np.asarray(z, np.float64)
    mean = curvature * (z[:, 0] ** 2 - 1)
    return (-LOG_2PI - np.log(noise_scale) - 0.5 * z[:, 0] ** 2 - 0.5 * ((z[:, 1] - mean) / noise_scale) ** 2)


@pytest.mark.points(3)
def test_flow_bends_around_a_curved_posterior(student, rng, thresholds):
    # A banana-shaped posterior with log Z = 0: the ELBO is at most 0, and a Gaussian cannot get close to it
    # (the full-rank reference reaches -0.55). The judge recomputes log p; the flow's log q is held to its samples
    # (ELBO <= 0) and to the judge's exact draws (q integrates to 1 over them).
    curvature, noise_scale = 1.0, 0.5
    z1 = rng.normal(size=3000)
    points = np.stack([z1, curvature * (z1 ** 2 - 1) + noise_scale * rng.normal(size=3000)], 1).astype(np.float32)
    got = student.probe("vi_flow_banana", curvature, noise_scale, 800, int(rng.integers(1, 1000)), points)
    assert got["is_distribution"] and got["event_shape"] == [2], (
        f"fit_flow should return a distribution with event shape [2], got {got['event_shape']}")
    flows = [name for name in got["bijectors"] if name in ("MaskedAutoregressiveFlow", "RealNVP", "Glow")]
    assert flows, (f"fit_flow's surrogate has the bijectors {got['bijectors']}: it should be a TransformedDistribution "
                   "through MaskedAutoregressiveFlow layers")
    draws = np.asarray(got["draws"], np.float64)
    log_w = _banana_log_p(draws, curvature, noise_scale) - np.asarray(got["log_q_draws"], np.float64)
    elbo, se = float(log_w.mean()), float(log_w.std() / np.sqrt(len(log_w)))
    assert elbo <= 4 * se + 0.01, (
        f"the ELBO of your flow, log p - log q averaged over its own draws, is {elbo:.3f} > 0 = log Z: q.log_prob "
        "does not match q.sample (a normalized q cannot exceed the evidence)")
    assert elbo >= thresholds["min_flow_elbo"], (
        f"the flow's ELBO is {elbo:.3f} (the evidence is 0; a full-rank Gaussian reaches -0.55), expected at least "
        f"{thresholds['min_flow_elbo']}: is it trained long enough, with two autoregressive layers and a permutation?")
    mass = float(np.mean(np.exp(np.asarray(got["log_q_points"], np.float64) - _banana_log_p(points, curvature,
                                                                                             noise_scale))))
    low, high = thresholds["flow_mass_range"]
    assert low <= mass <= high, (
        f"E_p[q(z) / p(z)] over exact draws from the posterior is {mass:.3f}, expected {low}-{high}: q.log_prob "
        "should be a normalized density")
    spread = float(draws[:, 0].std())
    assert spread >= thresholds["min_flow_z1_sd"], (
        f"the flow's draws of z1 have standard deviation {spread:.3f} (the posterior's is 1; a Gaussian fitted by "
        f"the ELBO shrinks to 0.48), expected at least {thresholds['min_flow_z1_sd']}")
