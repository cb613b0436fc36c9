"""Hidden tests for A23 Q5: NUTS with tfp.mcmc against closed forms, with R-hat and ESS."""

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


def _mcse_z(samples, ess, mean, cov):
    n_total = samples.shape[0] * samples.shape[1]
    ess = np.minimum(np.asarray(ess, np.float64), n_total)   # TFP's ESS can exceed the draw count (antithetic chains)
    est = samples.reshape(-1, samples.shape[-1]).mean(axis=0)
    return (est - mean) / np.sqrt(np.diag(cov) / ess), ess


@pytest.mark.points(4)
def test_posterior_mean_within_k_standard_errors_of_the_closed_form(blr_run, thresholds):
    p, out = blr_run
    samples = _samples(out, (500, CHAINS, 3))
    z, ess = _mcse_z(samples, out["tfp_ess"], p["mean"], p["cov"])
    k = thresholds["max_mcse_z"]
    assert np.all(np.abs(z) <= k), (
        f"the posterior means of the NUTS draws are {np.round(z, 2).tolist()} Monte Carlo standard errors "
        f"(sd / sqrt(ESS), ESS {np.round(ess).tolist()}) from the conjugate closed form; allowed {k}")
    ratio = samples.reshape(-1, 3).var(axis=0) / np.diag(p["cov"])
    tol = thresholds["max_var_rel_error"]
    assert np.all(np.abs(ratio - 1) <= tol), (
        f"posterior variance of the draws / closed form = {np.round(ratio, 3).tolist()} (allowed {tol:.0%} off)")


@pytest.mark.points(2)
def test_reported_rhat_and_ess_are_tfp_diagnostics_of_the_draws(blr_run, thresholds):
    _, out = blr_run
    calls = {"ess": "effective_sample_size(samples, cross_chain_dims=1)",
             "rhat": "potential_scale_reduction(samples, independent_chain_ndims=1, split_chains=True)"}
    for key, call in calls.items():
        assert key in out, f"run_nuts should report {key!r}"
        checks.assert_tensor(out[key], np.asarray(out[f"tfp_{key}"]), expect="tensor", rtol=2e-3, atol=1e-4,
                             name=f"run_nuts(...)[{key!r}] (TFP's diagnostic of the returned draws: {call})")
    rhat, ess = np.asarray(out["tfp_rhat"]), np.asarray(out["tfp_ess"])
    assert np.all(rhat < thresholds["max_rhat"]), (
        f"split R-hat {np.round(rhat, 4).tolist()} should be < {thresholds['max_rhat']}")
    assert np.all(ess > thresholds["min_ess"]), (
        f"ESS {np.round(ess).tolist()} of 2000 draws should exceed {thresholds['min_ess']}: is the step size adapted?")


@pytest.mark.points(2)
def test_nuts_adapts_to_a_badly_scaled_correlated_gaussian(student, thresholds):
    init = np.random.default_rng(77).normal(size=(CHAINS, 2)).astype(np.float32)
    out = student.probe("nuts_gaussian", GAUSS_LOC, GAUSS_COV, init, 500, 300, [21, 22])
    samples = _samples(out, (500, CHAINS, 2))
    z, ess = _mcse_z(samples, out["tfp_ess"], GAUSS_LOC, GAUSS_COV)
    assert np.all(np.abs(z) <= thresholds["max_mcse_z"]), (
        f"means of the draws are {np.round(z, 2).tolist()} MCSE from the true mean {GAUSS_LOC.tolist()}")
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
