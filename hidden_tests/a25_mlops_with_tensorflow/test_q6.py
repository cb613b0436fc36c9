"""Hidden tests for A25 Q6: latency percentiles and throughput, McNemar's test against statsmodels, and the paired
bootstrap recomputed here from its specification."""

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from graders import checks

pytestmark = pytest.mark.question("q6")


@pytest.mark.points(2)
def test_latency_summary_and_throughput(student, rng):
    samples = np.concatenate([rng.lognormal(2.0, 0.4, size=997), [250.0, 400.0, 900.0]])
    rng.shuffle(samples)
    want = {"count": 1000, "mean": float(samples.mean()), "max": 900.0}
    want.update({f"p{q}": float(np.percentile(samples, q)) for q in (50, 90, 95, 99)})
    checks.assert_value(student.call("latency_summary", samples.tolist()), want, rtol=1e-12,
                        name="latency_summary (np.percentile, linear interpolation)")
    small = [5.0, 1.0, 3.0, 2.0]
    checks.assert_value(student.call("latency_summary", small)["p90"], float(np.percentile(small, 90)), rtol=1e-12,
                        name="p90 of [5, 1, 3, 2] (interpolated between order statistics)")
    ts = np.sort(rng.uniform(0, 100, size=500))
    for now, window in ((100.0, 10.0), (50.0, 25.0), (ts[200], 5.0)):
        want_t = float(np.count_nonzero((ts > now - window) & (ts <= now)) / window)
        checks.assert_value(student.call("windowed_throughput", ts.tolist(), float(now), window), want_t, rtol=1e-12,
                            name=f"windowed_throughput(now={now:.3f}, window_s={window}) (now - window < ts <= now)")


def _pair(rng, n, acc_a, acc_b, classes=3):
    y = rng.integers(0, classes, size=n)
    a = np.where(rng.random(n) < acc_a, y, (y + rng.integers(1, classes, size=n)) % classes)
    b = np.where(rng.random(n) < acc_b, y, (y + rng.integers(1, classes, size=n)) % classes)
    return y, a, b


def _table(y, a, b):
    ra, rb = a == y, b == y
    return [[int(np.sum(ra & rb)), int(np.sum(ra & ~rb))], [int(np.sum(~ra & rb)), int(np.sum(~ra & ~rb))]]


@pytest.mark.points(3)
def test_mcnemar_matches_statsmodels(student, rng):
    for n, acc_a, acc_b in ((60, 0.8, 0.7), (400, 0.85, 0.8), (1500, 0.9, 0.9)):
        y, a, b = _pair(rng, n, acc_a, acc_b)
        table = _table(y, a, b)
        for exact in (True, False):
            want = mcnemar(table, exact=exact, correction=True)
            got = student.call("mcnemar_test", y.tolist(), a.tolist(), b.tolist(), exact)
            assert isinstance(got, (list, tuple)) and len(got) == 2, "mcnemar_test returns (statistic, p_value)"
            checks.assert_value([float(got[0]), float(got[1])], [float(want.statistic), float(want.pvalue)],
                                rtol=1e-10, name=f"mcnemar_test(n={n}, exact={exact}) vs statsmodels")
    y = np.array([0, 1, 1, 0])
    checks.assert_value(list(student.call("mcnemar_test", y.tolist(), y.tolist(), y.tolist(), True)), [0.0, 1.0],
                        name="mcnemar_test when the models never disagree")


def _bootstrap(y, a, b, n_boot, seed, alpha):
    ra, rb = (a == y).astype(float), (b == y).astype(float)
    idx = np.random.default_rng(seed).integers(0, len(y), size=(n_boot, len(y)))
    diffs = ra[idx].mean(axis=1) - rb[idx].mean(axis=1)
    lo, hi = np.percentile(diffs, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    p = min(1.0, 2 * min(float(np.mean(diffs <= 0)), float(np.mean(diffs >= 0))))
    return {"diff": float(ra.mean() - rb.mean()), "lo": float(lo), "hi": float(hi), "p_value": p}


@pytest.mark.points(3)
def test_paired_bootstrap_follows_the_spec(student, rng):
    for n, acc_a, acc_b, n_boot, alpha in ((300, 0.8, 0.74, 1000, 0.05), (120, 0.7, 0.7, 600, 0.1)):
        y, a, b = _pair(rng, n, acc_a, acc_b)
        seed = int(rng.integers(0, 1000))
        got = student.call("paired_bootstrap", y.tolist(), a.tolist(), b.tolist(), n_boot, seed, alpha)
        checks.assert_value(got, _bootstrap(y, a, b, n_boot, seed, alpha), rtol=1e-12, atol=1e-15,
                            name=f"paired_bootstrap(n={n}, n_boot={n_boot}, seed={seed}, alpha={alpha})")


@pytest.mark.points(2)
def test_paired_bootstrap_is_paired(student, rng):
    # B is A with 4% of its correct answers flipped: a small but certain difference that only pairing resolves.
    n = 500
    y = rng.integers(0, 2, size=n)
    a = np.where(rng.random(n) < 0.6, y, 1 - y)
    b = a.copy()
    flip = np.flatnonzero(a == y)[: n // 25]
    b[flip] = 1 - b[flip]
    got = student.call("paired_bootstrap", y.tolist(), a.tolist(), b.tolist(), 800, 5, 0.05)
    assert got["lo"] > 0, ("the paired interval of accuracy(A) - accuracy(B) must exclude 0 when B differs from A only "
                           "by errors: resample the same examples for both models")
    assert got["p_value"] < 0.01, "the paired bootstrap p-value must be small for a certain difference"
    exact = student.call("mcnemar_test", y.tolist(), a.tolist(), b.tolist(), True)
    assert exact[1] < 1e-4, "McNemar's test must find the difference too (b = 20, c = 0)"
