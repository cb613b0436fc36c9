"""Hidden tests for A21 Q4: VAR by least squares against statsmodels, forecasts, a sparse VAR by ISTA.

The ground truth is ``statsmodels.tsa.api.VAR(Y).fit(p, trend="n")`` run in the judge on a VAR the judge
simulates; the sparse VAR's iterates are compared with the reference's and its support with the simulation's.
"""

import numpy as np
import pytest
from statsmodels.tsa.api import VAR

from graders import checks, source_policy

pytestmark = pytest.mark.question("q4")

FORBIDDEN = ["statsmodels.tsa.vector_ar.var_model.VAR.fit", "statsmodels.tsa.vector_ar.var_model.VAR.__init__",
             "statsmodels.regression.linear_model.OLS.fit", "numpy.linalg.lstsq", "scipy.linalg.lstsq"]


def _own_code(student, fn, why):
    """The judge reads the code ``fn`` reaches (never the student's word): a library shortcut earns no points."""
    if getattr(student, "role", "") != "student" or getattr(student, "cells", None) is None:
        return
    hits = source_policy.forbidden_uses(student.cells, fn, FORBIDDEN, student.course_cells, student.question)
    if hits:
        raise checks.CheckFailed(f"{fn} uses {'; '.join(hit.message() for hit in hits[:5])}, which this question "
                                 f"asks you not to use: {why}")


def _simulate(rng, coefs, T, scale=1.0):
    p, k, _ = coefs.shape
    Y = np.zeros((T + 50, k))
    for t in range(p, T + 50):
        Y[t] = sum(coefs[lag] @ Y[t - 1 - lag] for lag in range(p)) + scale * rng.normal(size=k)
    return Y[50:]


def _dense_var(rng, k=3, p=2):
    coefs = rng.uniform(-0.3, 0.3, size=(p, k, k))
    coefs[0] += 0.3 * np.eye(k)
    return coefs


def _sparse_var(rng, k=6):
    A = np.zeros((1, k, k))
    A[0][np.diag_indices(k)] = rng.uniform(0.4, 0.6, size=k) * rng.choice([-1, 1], size=k)
    off = [(i, j) for i in range(k) for j in range(k) if i != j]
    for idx in rng.choice(len(off), 4, replace=False):
        A[0][off[idx]] = rng.uniform(0.3, 0.45) * rng.choice([-1, 1])
    return A


@pytest.mark.points(2)
def test_design_matrix_lags(student, rng):
    Y = rng.normal(size=(15, 3))
    X, Z = student.call("var_design", Y, 3)
    want_X = np.stack([np.concatenate([Y[t - 1], Y[t - 2], Y[t - 3]]) for t in range(3, 15)])
    checks.assert_tensor(X, want_X, expect="any", atol=0, name="X (rows [y_{t-1}, ..., y_{t-p}])")
    checks.assert_tensor(Z, Y[3:], expect="any", atol=0, name="Z (rows y_t)")


@pytest.mark.points(3)
def test_var_least_squares_matches_statsmodels(student, rng):
    coefs = _dense_var(rng)
    Y = _simulate(rng, coefs, 250)
    res = VAR(Y).fit(2, trend="n")
    _own_code(student, "fit_var", "estimate the VAR with TensorFlow")
    got = student.call("fit_var", Y, 2)
    checks.assert_tensor(got["coefs"], res.coefs, expect="any", dtype="float64", rtol=1e-8, atol=1e-10,
                         name="VAR coefficients [p, k, k] (A_1 .. A_p; statsmodels trend='n')")
    checks.assert_tensor(got["sigma_u"], np.asarray(res.sigma_u), expect="any", rtol=1e-8, atol=1e-10,
                         name="residual covariance sigma_u (divide by T - p - k p)")


@pytest.mark.points(2)
def test_var_forecast_matches_statsmodels(student, rng):
    coefs = _dense_var(rng, k=2, p=3)
    Y = _simulate(rng, coefs, 120)
    res = VAR(Y).fit(3, trend="n")
    _own_code(student, "var_forecast", "estimate the VAR with TensorFlow")
    got = student.call("var_forecast", Y, res.coefs, 6)
    checks.assert_tensor(got, res.forecast(Y[-3:], 6), expect="any", rtol=1e-9, atol=1e-12,
                         name="6-step iterated forecast")


@pytest.mark.points(2)
def test_sparse_var_iterates_match_reference(student, reference, rng):
    _own_code(student, "fit_sparse_var", "write the proximal gradient iterations yourself")
    A = _sparse_var(rng, k=4)
    Y = _simulate(rng, A, 150)
    for lam, steps in [(0.05, 7), (0.2, 30)]:
        got = student.call("fit_sparse_var", Y, 2, lam, steps=steps)
        want = reference.call("fit_sparse_var", Y, 2, lam, steps=steps)
        checks.assert_tensor(got, want, expect="any", rtol=1e-7, atol=1e-10,
                             name=f"ISTA coefficients after {steps} steps with lam={lam} (start at 0, step 1/L, "
                                  "soft-threshold at eta * lam)")
    # Without the penalty and with enough steps, ISTA is gradient descent to the least-squares solution.
    got = student.call("fit_sparse_var", Y, 1, 0.0, steps=400)
    checks.assert_tensor(got, VAR(Y).fit(1, trend="n").coefs, expect="any", rtol=1e-4, atol=1e-5,
                         name="fit_sparse_var with lam=0 after 400 steps (should reach least squares)")


@pytest.mark.points(2)
def test_sparse_var_recovers_support(student, rng, thresholds):
    A = _sparse_var(rng)
    Y = _simulate(rng, A, 400)
    got = np.asarray(student.call("fit_sparse_var", Y, 1, 0.2, steps=300))
    if got.shape != A.shape:
        raise checks.CheckFailed(f"fit_sparse_var returned shape {got.shape}, expected (p, k, k)")
    est, true = np.abs(got[0]) > 1e-8, A[0] != 0
    tp = int(np.sum(est & true))
    f1 = 2 * tp / max(int(est.sum()) + int(true.sum()), 1)
    if f1 < thresholds["min_support_f1"]:
        raise checks.CheckFailed(f"the non-zero pattern of your sparse VAR has F1 {f1:.2f} against the simulated "
                                 f"VAR's (needs {thresholds['min_support_f1']}): soft-thresholding sets small "
                                 "coefficients exactly to zero", values={"f1": f1})


@pytest.mark.points(1)
def test_no_var_library(student, rng):
    coefs = _dense_var(rng)
    Y = _simulate(rng, coefs, 100)
    got = student.call("fit_var", Y, 2)
    checks.assert_tensor(got["coefs"], VAR(Y).fit(2, trend="n").coefs, expect="any", rtol=1e-8, atol=1e-10,
                         name="VAR coefficients")
    student.call("fit_sparse_var", Y, 1, 0.1, steps=5)
    student.probe("import_libraries", "scipy.linalg")  # loaded with TensorFlow already
    forbidden = [name for name in FORBIDDEN if not name.startswith("statsmodels.")]
    # Importing statsmodels costs a second: only a worker whose code loaded it (to call it) pays for its names;
    # without it loaded, nothing of it can have run.
    if student.probe("library_loaded", "statsmodels"):
        student.probe("import_libraries", "statsmodels.tsa.vector_ar.var_model", "statsmodels.regression.linear_model")
        forbidden = FORBIDDEN
    checks.assert_no_forbidden_calls(student, "fit_var", [Y, 2], forbidden,
                                     why="estimate the VAR with TensorFlow (tf.linalg.lstsq or the normal equations)")
    checks.assert_no_forbidden_calls(student, "fit_sparse_var", [Y, 1, 0.1], forbidden, kwargs={"steps": 5},
                                     why="write the proximal gradient iterations yourself")
