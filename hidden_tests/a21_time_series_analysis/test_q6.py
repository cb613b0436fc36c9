"""Hidden tests for A21 Q6: GARCH(1,1) by maximum likelihood, VaR and expected shortfall, the Kupiec test.

Returns are simulated in the judge. The variance filter and the likelihood are recomputed with a NumPy recursion;
the fit is compared with the judge's own optimum of the same likelihood (scipy.optimize, in the judge only) and
with the ``arch`` package's estimates; VaR/ES and the Kupiec statistic with scipy.stats.
"""

import math

import numpy as np
import pytest
from scipy import optimize, stats

from graders import checks, source_policy

pytestmark = pytest.mark.question("q6")

FORBIDDEN = ["arch.arch_model", "arch.univariate.base.ARCHModel.fit", "scipy.optimize.minimize",
             "scipy.optimize.least_squares", "scipy.optimize.fmin_l_bfgs_b"]


def _own_code(student, fn, why):
    """The judge reads the code ``fn`` reaches (never the student's word): a library shortcut earns no points."""
    if getattr(student, "role", "") != "student" or getattr(student, "cells", None) is None:
        return
    hits = source_policy.forbidden_uses(student.cells, fn, FORBIDDEN, student.course_cells, student.question)
    if hits:
        raise checks.CheckFailed(f"{fn} uses {'; '.join(hit.message() for hit in hits[:5])}, which this question "
                                 f"asks you not to use: {why}")


def simulate(rng, n, omega, alpha, beta):
    r = np.zeros(n)
    s2 = omega / (1 - alpha - beta)
    for t in range(n):
        r[t] = math.sqrt(s2) * rng.normal()
        s2 = omega + alpha * r[t] ** 2 + beta * s2
    return r


def np_variance(params, r):
    omega, alpha, beta = params
    s = np.empty(len(r) + 1)
    s[0] = np.mean(r ** 2)
    for t in range(1, len(r) + 1):
        s[t] = omega + alpha * r[t - 1] ** 2 + beta * s[t - 1]
    return s


def np_nll(params, r):
    s = np_variance(params, r)[:-1]
    return 0.5 * float(np.sum(np.log(2 * np.pi) + np.log(s) + r ** 2 / s))


def judge_mle(r):
    res = optimize.minimize(lambda p: np_nll(p, r), x0=[0.1 * np.var(r), 0.1, 0.8], method="L-BFGS-B",
                            bounds=[(1e-6, None), (0.0, 1.0), (0.0, 1.0)])
    return res.x, res.fun


@pytest.mark.points(2)
def test_variance_filter_and_nll_match_recursion(student, rng):
    r = simulate(rng, 400, 0.05, 0.1, 0.85)
    for params in ([0.05, 0.1, 0.85], [0.2, 0.25, 0.5], [0.01, 0.03, 0.96]):
        got = student.call("garch11_variance", np.array(params), r)
        checks.assert_tensor(got, np_variance(params, r), expect="any", dtype="float64", rtol=1e-6,
                             name=f"garch11_variance{tuple(params)} (n + 1 values, sigma2_1 = mean(r ** 2))")
        got = student.call("garch11_nll", np.array(params), r)
        checks.assert_tensor(got, np.float64(np_nll(params, r)), expect="any", dtype="float64", rtol=1e-7,
                             name=f"garch11_nll{tuple(params)}")


@pytest.mark.points(2)
def test_nll_gradient(student, reference, rng):
    r = simulate(rng, 300, 0.1, 0.12, 0.8)
    checks.assert_gradients(student, reference, "garch11_nll", [np.array([0.1, 0.12, 0.8]), r], wrt=(0,),
                            rtol=1e-5, atol=1e-6)


@pytest.mark.points(4)
def test_fit_reaches_the_maximum_likelihood(student, rng, thresholds):
    from arch import arch_model

    truth = (rng.uniform(0.03, 0.08), rng.uniform(0.06, 0.12), 0.0)
    truth = (truth[0], truth[1], rng.uniform(0.8, 0.92 - truth[1]))
    _own_code(student, "fit_garch11", "maximise the likelihood with TensorFlow and an optimizer you step yourself")
    r = simulate(rng, 1500, *truth)
    got = student.call("fit_garch11", r)
    params = np.array([got["omega"], got["alpha"], got["beta"]], np.float64)
    if not (params[0] > 0 and params[1] >= 0 and params[2] >= 0 and params[1] + params[2] < 1):
        raise checks.CheckFailed("the estimates break omega > 0, alpha, beta >= 0, alpha + beta < 1")
    best, best_nll = judge_mle(r)
    gap = np_nll(params, r) - best_nll
    if gap > thresholds["max_nll_gap"]:
        raise checks.CheckFailed(f"your estimates' negative log-likelihood is {gap:.3f} above the maximum-likelihood "
                                 f"optimum (allowed {thresholds['max_nll_gap']}): optimise longer or reparameterise",
                                 values={"params": params.tolist(), "mle": best.tolist()})
    checks.assert_tensor(params, best, expect="any", atol=0.02, rtol=0.0,
                         name="(omega, alpha, beta) against the judge's maximum-likelihood estimate")
    # The arch package starts its recursion differently (a backcast), so it agrees to a looser tolerance.
    ref = arch_model(r, mean="Zero", vol="GARCH", p=1, q=1).fit(disp="off").params.to_numpy()
    checks.assert_tensor(params, ref, expect="any", atol=0.03, rtol=0.0,
                         name="(omega, alpha, beta) against the arch package's estimate")


@pytest.mark.points(2)
def test_var_and_es_closed_forms(student, rng):
    sigma2 = rng.uniform(0.5, 4.0, size=5)
    for level in (0.99, 0.975):
        var, es = student.call("gaussian_var_es", sigma2, level)
        z = stats.norm.ppf(level)
        checks.assert_tensor(var, np.sqrt(sigma2) * z, expect="any", rtol=1e-9, name=f"Gaussian VaR at {level}")
        checks.assert_tensor(es, np.sqrt(sigma2) * stats.norm.pdf(z) / (1 - level), expect="any", rtol=1e-9,
                             name=f"Gaussian ES at {level}")
    r = rng.standard_t(4, size=523)
    for level in (0.99, 0.95):
        losses = np.sort(-r)[::-1]
        k = math.ceil(len(r) * (1 - level))
        var, es = student.call("historical_var_es", r, level)
        checks.assert_tensor(np.float64(var), np.float64(losses[k - 1]), expect="any", rtol=1e-12,
                             name=f"historical VaR at {level} (the k-th largest loss, k = ceil(n (1 - level)))")
        checks.assert_tensor(np.float64(es), np.float64(losses[:k].mean()), expect="any", rtol=1e-12,
                             name=f"historical ES at {level} (mean of the k largest losses)")


def _kupiec(x, n, level):
    p, phat = 1 - level, x / n
    ll0 = (n - x) * math.log(1 - p) + x * math.log(p)
    ll1 = (n - x) * math.log(1 - phat) if x < n else 0.0
    ll1 += x * math.log(phat) if x > 0 else 0.0
    lr = max(-2 * (ll0 - ll1), 0.0)
    return lr, float(stats.chi2.sf(lr, 1))


@pytest.mark.points(2)
def test_kupiec_statistic_and_p_value(student):
    for x, n, level in [(17, 750, 0.99), (3, 500, 0.99), (0, 250, 0.99), (31, 400, 0.95), (20, 1000, 0.975),
                         (25, 1000, 0.975), (50, 1000, 0.95)]:
        lr, pv = student.call("kupiec_pof", x, n, level)
        want_lr, want_pv = _kupiec(x, n, level)
        checks.assert_tensor(np.float64(lr), np.float64(want_lr), expect="any", rtol=1e-9, atol=1e-12,
                             name=f"Kupiec LR for {x} violations in {n} days at level {level}")
        checks.assert_tensor(np.float64(pv), np.float64(want_pv), expect="any", rtol=1e-9, atol=1e-12,
                             name=f"Kupiec p-value for {x} violations in {n} days at level {level}")


@pytest.mark.points(2)
def test_backtest_of_garch_var(student, rng):
    params = (0.05, 0.08, 0.9)
    r = simulate(rng, 1000, *params)
    got = student.call("garch_var_backtest", np.array(params), r, 0.99)
    var = np.sqrt(np_variance(params, r)[:-1]) * stats.norm.ppf(0.99)
    checks.assert_tensor(got["var"], var, expect="any", rtol=1e-6, name="one-step-ahead VaR series")
    viol = -r > var
    if not np.array_equal(np.asarray(got["violations"], bool), viol):
        raise checks.CheckFailed("violations differ (a violation is a loss -r_t above that day's VaR)")
    lr, pv = _kupiec(int(viol.sum()), len(r), 0.99)
    checks.assert_tensor(np.array([got["lr"], got["p_value"]], np.float64), np.array([lr, pv]), expect="any",
                         rtol=1e-6, atol=1e-10, name="Kupiec (LR, p-value) of the backtest")


@pytest.mark.points(1)
def test_no_fitting_library(student, rng):
    r = simulate(rng, 600, 0.05, 0.1, 0.85)
    got = student.call("fit_garch11", r, steps=100)
    best, _ = judge_mle(r)
    checks.assert_tensor(np.array([got["omega"], got["alpha"], got["beta"]]), best, expect="any", atol=0.05,
                         rtol=0.0, name="(omega, alpha, beta) on a shorter series")
    # Importing arch and scipy.optimize costs a second: only a worker whose code loaded one (to call it) pays for
    # the full check; without them loaded, nothing of theirs can have run.
    if student.probe("library_loaded", "arch", "scipy.optimize"):
        student.probe("import_libraries", "arch", "arch.univariate.base", "scipy.optimize")
        checks.assert_no_forbidden_calls(student, "fit_garch11", [r], FORBIDDEN, kwargs={"steps": 20},
                                         why="maximise the likelihood with TensorFlow and an optimizer you step "
                                             "yourself")
