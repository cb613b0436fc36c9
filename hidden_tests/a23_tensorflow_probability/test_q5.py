"""Hidden tests for A23 Q5: NUTS with tfp.mcmc against closed forms and quadrature, with R-hat and ESS.

ESS and R-hat are computed from the returned draws in the reference worker (course code only), never taken from
the student's report; the logistic-regression posterior is skewed, so a Gaussian at the mode (Laplace) misses it.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

CHAINS = 4


def _blr_problem():
    rng = np.random.default_rng(5150)
    X = rng.normal(size=(50, 3)).astype(np.float32)
    prior_scale, noise = 1.0, 0.5
    y = (X @ np.array([1.0, -0.5, 0.25]) + noise * rng.normal(size=50)).astype(np.float32)
    X64 = X.astype(np.float64)
    cov = np.linalg.inv(X64.T @ X64 / noise ** 2 + np.eye(3) / prior_scale ** 2)
    mean = cov @ X64.T @ y.astype(np.float64) / noise ** 2
    init = rng.normal(size=(CHAINS, 3)).astype(np.float32)
    return {"X": X, "y": y, "prior_scale": prior_scale, "noise": noise, "mean": mean, "cov": cov, "init": init}


GAUSS_LOC = np.array([1.0, -2.0])
GAUSS_SD = np.array([0.2, 3.0])
GAUSS_COV = np.outer(GAUSS_SD, GAUSS_SD) * np.array([[1.0, 0.8], [0.8, 1.0]])


def _logistic_problem():
    rng = np.random.default_rng(5250)
    x = rng.normal(size=20).astype(np.float32)
    X = np.stack([np.ones_like(x), x], axis=1)
    y = (rng.random(20) < 1 / (1 + np.exp(-(0.5 + 2.0 * x)))).astype(np.float32)
    init = rng.normal(size=(CHAINS, 2)).astype(np.float32)
    return {"X": X, "y": y, "prior_scale": 2.0, "init": init}


def _quadrature_moments(X, y, prior_scale):
    """Posterior mean and standard deviation of (intercept, slope) on a fine grid: exact to far below the MCSE."""
    a, b = np.linspace(-6, 8, 701), np.linspace(-4, 14, 901)
    A, B = np.meshgrid(a, b, indexing="ij")
    logits = A[..., None] * X[:, 0] + B[..., None] * X[:, 1]
    log_post = (y * logits - np.logaddexp(0, logits)).sum(-1) - (A ** 2 + B ** 2) / (2 * prior_scale ** 2)
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    mean = np.array([(w * A).sum(), (w * B).sum()])
    sd = np.sqrt([(w * (A - mean[0]) ** 2).sum(), (w * (B - mean[1]) ** 2).sum()])
    return mean, sd


def _diagnostics(reference, samples):
    """TFP's ESS and split R-hat of the student's draws, computed in the reference worker."""
    got = reference.probe("diagnostics", samples.astype(np.float32))
    return np.asarray(got["ess"]), np.asarray(got["rhat"])


@pytest.fixture(scope="module")
def blr_run(student):
    p = _blr_problem()
    out = student.probe("nuts_blr", p["X"], p["y"], p["prior_scale"], p["noise"], p["init"], 500, 300, [11, 12])
    return p, out


def _samples(out, shape):
    assert isinstance(out, dict) and "samples" in out, "run_nuts should return a dict with the key 'samples'"
    checks.assert_tensor(out["samples"], np.zeros(shape, np.float32), expect="tensor", dtype="float32", atol=np.inf,
                         name="run_nuts(...)['samples'] (num_results, chains, D)")
    return np.asarray(out["samples"], np.float64)


def _mcse_z(samples, ess, mean, sd):
    n_total = samples.shape[0] * samples.shape[1]
    ess = np.minimum(np.asarray(ess, np.float64), n_total)   # TFP's ESS can exceed the draw count (antithetic chains)
    est = samples.reshape(-1, samples.shape[-1]).mean(axis=0)
    return (est - mean) / (sd / np.sqrt(ess)), ess


@pytest.mark.points(4)
def test_posterior_mean_within_k_standard_errors_of_the_closed_form(blr_run, reference, thresholds):
    p, out = blr_run
    samples = _samples(out, (500, CHAINS, 3))
    z, ess = _mcse_z(samples, _diagnostics(reference, samples)[0], p["mean"], np.sqrt(np.diag(p["cov"])))
    k = thresholds["max_mcse_z"]
    assert np.all(np.abs(z) <= k), (
        f"the posterior means of the NUTS draws are {np.round(z, 2).tolist()} Monte Carlo standard errors "
        f"(sd / sqrt(ESS), ESS {np.round(ess).tolist()}) from the conjugate closed form; allowed {k}")
    ratio = samples.reshape(-1, 3).var(axis=0) / np.diag(p["cov"])
    tol = thresholds["max_var_rel_error"]
    assert np.all(np.abs(ratio - 1) <= tol), (
        f"posterior variance of the draws / closed form = {np.round(ratio, 3).tolist()} (allowed {tol:.0%} off)")


@pytest.mark.points(3)
def test_skewed_logistic_posterior_matches_quadrature(student, reference, thresholds):
    p = _logistic_problem()
    out = student.probe("nuts_logistic", p["X"], p["y"], p["prior_scale"], p["init"], 500, 300, [31, 32])
    samples = _samples(out, (500, CHAINS, 2))
    mean, sd = _quadrature_moments(p["X"], p["y"], p["prior_scale"])
    z, ess = _mcse_z(samples, _diagnostics(reference, samples)[0], mean, sd)
    k = thresholds["max_mcse_z"]
    assert np.all(np.abs(z) <= k), (
        f"on a Bayesian logistic regression (20 points, Normal(0, 2) priors) the means of the NUTS draws are "
        f"{np.round(z, 2).tolist()} Monte Carlo standard errors from the posterior mean computed by quadrature; "
        f"allowed {k}. The posterior is skewed: draws from a Gaussian around the mode do not have its mean")
    ratio = samples.reshape(-1, 2).var(axis=0) / sd ** 2
    tol = thresholds["max_var_rel_error"]
    assert np.all(np.abs(ratio - 1) <= tol), (
        f"posterior variance of the draws / quadrature = {np.round(ratio, 3).tolist()} (allowed {tol:.0%} off)")


@pytest.mark.points(2)
def test_reported_rhat_and_ess_are_tfp_diagnostics_of_the_draws(blr_run, reference, thresholds):
    _, out = blr_run
    samples = _samples(out, (500, CHAINS, 3))
    ess, rhat = _diagnostics(reference, samples)
    calls = {"ess": ("effective_sample_size(samples, cross_chain_dims=1)", ess),
             "rhat": ("potential_scale_reduction(samples, independent_chain_ndims=1, split_chains=True)", rhat)}
    for key, (call, trusted) in calls.items():
        assert key in out, f"run_nuts should report {key!r}"
        checks.assert_tensor(out[key], trusted, expect="tensor", rtol=2e-3, atol=1e-4,
                             name=f"run_nuts(...)[{key!r}] (TFP's diagnostic of the returned draws: {call})")
    assert np.all(rhat < thresholds["max_rhat"]), (
        f"split R-hat {np.round(rhat, 4).tolist()} should be < {thresholds['max_rhat']}")
    assert np.all(ess > thresholds["min_ess"]), (
        f"ESS {np.round(ess).tolist()} of 2000 draws should exceed {thresholds['min_ess']}: is the step size adapted?")


@pytest.mark.points(2)
def test_nuts_adapts_to_a_badly_scaled_correlated_gaussian(student, reference, thresholds):
    init = np.random.default_rng(77).normal(size=(CHAINS, 2)).astype(np.float32)
    out = student.probe("nuts_gaussian", GAUSS_LOC, GAUSS_COV, init, 500, 300, [21, 22])
    samples = _samples(out, (500, CHAINS, 2))
    ess, _ = _diagnostics(reference, samples)
    z, ess = _mcse_z(samples, ess, GAUSS_LOC, GAUSS_SD)
    assert np.all(np.abs(z) <= thresholds["max_mcse_z"]), (
        f"means of the draws are {np.round(z, 2).tolist()} MCSE from the true mean {GAUSS_LOC.tolist()}")
    assert np.all(ess >= thresholds["min_gaussian_ess"]), (
        f"ESS of the draws {np.round(ess).tolist()} (of 2000) on a Gaussian with scales 0.2 and 3: adapt the step "
        f"size during burn-in (at least {thresholds['min_gaussian_ess']} expected)")
    # What run_nuts reports about its own transitions must agree with an adapted sampler too.
    assert int(out.get("divergences", -1)) == 0, f"expected no divergent transitions, got {out.get('divergences')}"
    low, high = thresholds["accept_rate_range"]
    assert low <= float(out.get("accept_rate", -1)) <= high, (
        f"the mean acceptance probability {out.get('accept_rate')} should be near the dual-averaging target 0.75 "
        f"(in [{low}, {high}])")
    assert abs(float(out.get("step_size", 0.1)) - 0.1) > 1e-3, "the step size should be adapted, not stay at 0.1"


def test_seeds_control_the_draws(student):
    p = _blr_problem()
    runs = [student.probe("nuts_blr", p["X"], p["y"], p["prior_scale"], p["noise"], p["init"][:2], 100, 100, seed)
            for seed in ([1, 2], [1, 2], [3, 4])]
    sa, sb, sc = (_samples(o, (100, 2, 3)) for o in runs)
    assert np.array_equal(sa, sb), "the same seed should give the same draws (pass seed to tfp.mcmc.sample_chain)"
    assert not np.allclose(sa, sc), "different seeds should give different draws"
    assert not np.allclose(sa[:, 0], sa[:, 1]), "different chains should give different draws"
