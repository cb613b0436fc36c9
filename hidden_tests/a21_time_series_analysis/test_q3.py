"""Hidden tests for A21 Q3: DTW with a band, the warping path, soft-DTW values and gradients.

The ground truth is the judge's NumPy dynamic programme (DTW) and Cuturi and Blondel's forward and backward
recursions (soft-DTW value and gradient). tslearn agrees with both (its soft_dtw and dtw ** 2, checked when this
suite was written: |difference| < 1e-12), but its first numba compile costs about 6 s, so it is not called
per grading; the student must not call it either.
"""

import numpy as np
import pytest

from graders import checks, source_policy

pytestmark = pytest.mark.question("q3")

FORBIDDEN = ["tslearn.metrics.dtw", "tslearn.metrics.soft_dtw", "tslearn.metrics.dtw_path",
             "tslearn.metrics.soft_dtw_alignment", "tslearn.metrics.cdist_dtw", "tslearn.metrics.cdist_soft_dtw",
             "tslearn.metrics.SoftDTW.__init__"]


def _own_code(student, fn, why):
    """The judge reads the code ``fn`` reaches (never the student's word): a library shortcut earns no points."""
    if getattr(student, "role", "") != "student" or getattr(student, "cells", None) is None:
        return
    hits = source_policy.forbidden_uses(student.cells, fn, FORBIDDEN, student.course_cells, student.question)
    if hits:
        raise checks.CheckFailed(f"{fn} uses {'; '.join(hit.message() for hit in hits[:5])}, which this question "
                                 f"asks you not to use: {why}")


def np_dtw(a, b, window=None):
    n, m = len(a), len(b)
    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if window is not None and abs(i - j) > window:
                continue
            D[i, j] = cost[i - 1, j - 1] + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    return D[n, m]


def np_soft_dtw(a, b, gamma):
    """Value and gradient with respect to ``a`` (Cuturi and Blondel 2017, algorithms 1 and 2)."""
    n, m = len(a), len(b)
    C = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    R = np.full((n + 2, m + 2), np.inf)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            r = -np.array([R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]]) / gamma
            mx = r.max()
            R[i, j] = C[i - 1, j - 1] - gamma * (mx + np.log(np.exp(r - mx).sum()))
    value = R[n, m]
    Cp = np.zeros((n + 2, m + 2))
    Cp[1:n + 1, 1:m + 1] = C
    E = np.zeros((n + 2, m + 2))
    R[:, m + 1] = -np.inf
    R[n + 1, :] = -np.inf
    R[n + 1, m + 1] = R[n, m]
    E[n + 1, m + 1] = 1.0
    for j in range(m, 0, -1):
        for i in range(n, 0, -1):
            a_ = np.exp((R[i + 1, j] - R[i, j] - Cp[i + 1, j]) / gamma)
            b_ = np.exp((R[i, j + 1] - R[i, j] - Cp[i, j + 1]) / gamma)
            c_ = np.exp((R[i + 1, j + 1] - R[i, j] - Cp[i + 1, j + 1]) / gamma)
            E[i, j] = E[i + 1, j] * a_ + E[i, j + 1] * b_ + E[i + 1, j + 1] * c_
    E = E[1:n + 1, 1:m + 1]
    grad = 2 * (E.sum(1)[:, None] * a - E @ b)
    return value, grad


def _pair(rng, n, m, d=2):
    """A warped, noisy copy: b follows a's shape at another pace, so the optimal path is far from diagonal."""
    t = np.linspace(0, 1, n)
    a = np.stack([np.sin(6 * t + k) for k in range(d)], 1) + 0.1 * rng.normal(size=(n, d))
    u = np.linspace(0, 1, m) ** rng.uniform(0.6, 1.6)
    b = np.stack([np.sin(6 * u + k) for k in range(d)], 1) + 0.1 * rng.normal(size=(m, d))
    return a, b


@pytest.mark.points(2)
def test_dtw_matches_dynamic_programme(student, rng):
    _own_code(student, "dtw", "write the dynamic programme yourself")
    for n, m in [(14, 9), (7, 11), (10, 10)]:
        a, b = _pair(rng, n, m)
        got = student.call("dtw", a, b)
        checks.assert_tensor(got, np.float64(np_dtw(a, b)), expect="any", dtype="float64", rtol=1e-9,
                             name=f"dtw of a {n}-step and an {m}-step series (squared Euclidean cost, no sqrt)")
    a, _ = _pair(rng, 9, 9)
    checks.assert_tensor(student.call("dtw", a, a), np.float64(0.0), expect="any", atol=1e-12,
                         name="dtw(a, a)")


@pytest.mark.points(2)
def test_dtw_sakoe_chiba_band(student, rng):
    _own_code(student, "dtw", "write the dynamic programme yourself")
    a, b = _pair(rng, 13, 11)
    for w in (2, 4):
        got = student.call("dtw", a, b, window=w)
        checks.assert_tensor(got, np.float64(np_dtw(a, b, w)), expect="any", rtol=1e-9,
                             name=f"dtw with window={w} (cells with |i - j| > window are excluded)")


@pytest.mark.points(2)
def test_dtw_path_is_valid_and_optimal(student, rng):
    a, b = _pair(rng, 12, 8)
    _own_code(student, "dtw_path", "write the dynamic programme yourself")
    path, cost = student.call("dtw_path", a, b)
    path = [tuple(int(v) for v in p) for p in path]
    if not path or path[0] != (0, 0) or path[-1] != (11, 7):
        raise checks.CheckFailed("the path must start at (0, 0) and end at (n-1, m-1)")
    for (i0, j0), (i1, j1) in zip(path, path[1:], strict=False):
        if (i1 - i0, j1 - j0) not in {(1, 0), (0, 1), (1, 1)}:
            raise checks.CheckFailed(f"the path steps from {(i0, j0)} to {(i1, j1)}: steps must be (1,0), (0,1) "
                                     "or (1,1)")
    along = sum(float(((a[i] - b[j]) ** 2).sum()) for i, j in path)
    want = np_dtw(a, b)
    checks.assert_tensor(np.float64(along), np.float64(want), expect="any", rtol=1e-9,
                         name="the local costs summed along your path (it must be an optimal path)")
    checks.assert_tensor(np.float64(cost), np.float64(want), expect="any", rtol=1e-12,
                         name="the returned cost (in float64)")


@pytest.mark.points(2)
def test_soft_dtw_values_and_limit(student, rng):
    _own_code(student, "soft_dtw", "write the dynamic programme yourself")
    a, b = _pair(rng, 10, 8)
    for gamma in (1.0, 0.1):
        want, _ = np_soft_dtw(a, b, gamma)
        got = student.call("soft_dtw", a, b, gamma=gamma)
        checks.assert_tensor(got, np.float64(want), expect="tensor", dtype="float64", rtol=1e-8,
                             name=f"soft_dtw with gamma={gamma}")
    got = float(student.call("soft_dtw", a, b, gamma=1e-3))
    hard = np_dtw(a, b)
    if not abs(got - hard) <= 1e-2 * hard:
        raise checks.CheckFailed("soft_dtw with gamma=1e-3 should approach dtw (stabilise the log-sum-exp)")


@pytest.mark.points(3)
def test_soft_dtw_gradient(student, reference, rng):
    a, b = _pair(rng, 9, 7)
    for gamma in (0.5, 2.0):
        (got,) = student.harness("gradient", "soft_dtw", [a, b], wrt=(0,), kwargs={"gamma": gamma})
        _, want = np_soft_dtw(a, b, gamma)
        if got is None:
            raise checks.CheckFailed("soft_dtw has no gradient with respect to a: compute it with TensorFlow ops "
                                     "on tensors (no .numpy(), no float())")
        checks.assert_tensor(got, want, expect="any", rtol=1e-6, atol=1e-8,
                             name=f"gradient of soft_dtw with respect to a (gamma={gamma})")
    checks.assert_gradients(student, reference, "soft_dtw", [a, b], wrt=(1,), rtol=1e-6, atol=1e-8,
                            kwargs={"gamma": 1.0})


@pytest.mark.points(1)
def test_no_dtw_library(student, rng):
    a, b = _pair(rng, 8, 6)
    checks.assert_tensor(student.call("soft_dtw", a, b, gamma=1.0), np.float64(np_soft_dtw(a, b, 1.0)[0]),
                         expect="tensor", rtol=1e-8, name="soft_dtw")
    student.call("dtw", a, b)
    student.call("dtw_path", a, b)
    # Importing tslearn costs seconds: only a worker whose code loaded it (to call it) pays for the full check.
    if student.probe("library_loaded", "tslearn"):
        student.probe("import_libraries", "tslearn.metrics")
        for fn, args in [("soft_dtw", [a, b]), ("dtw", [a, b]), ("dtw_path", [a, b])]:
            checks.assert_no_forbidden_calls(student, fn, args, FORBIDDEN, why="write the dynamic programme yourself")
