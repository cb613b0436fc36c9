# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# Percentiles by nearest rank instead of linear interpolation, and the throughput window includes its start.
# %% [q6]
def latency_summary(samples_ms) -> dict:
    """Summary of latencies in ms.

    Returns ``{"count", "mean", "max", "p50", "p90", "p95", "p99"}``: percentiles by ``np.percentile`` (method
    ``"linear"``); floats except ``count``.
    """
    a = np.asarray(samples_ms, dtype=np.float64)
    out = {"count": int(a.size), "mean": float(a.mean()), "max": float(a.max())}
    for q in (50, 90, 95, 99):
        out[f"p{q}"] = float(np.percentile(a, q, method="nearest"))
    return out


def windowed_throughput(event_ts, now: float, window_s: float) -> float:
    """Events per second over the window ``now - window_s < ts <= now``."""
    ts = np.asarray(event_ts, dtype=np.float64)
    return float(np.count_nonzero((ts >= now - window_s) & (ts <= now)) / window_s)


def mcnemar_test(y, pred_a, pred_b, exact: bool = True) -> tuple:
    """McNemar's test of two classifiers on the same examples, as ``statsmodels``' ``mcnemar``.

    ``b`` = examples A gets right and B wrong, ``c`` = the reverse. Exact: statistic ``min(b, c)``, p-value the
    two-sided binomial test of ``b`` in ``b + c`` trials at 1/2 (1.0 when ``b + c == 0``). Otherwise the chi-square
    statistic with continuity correction ``(|b - c| - 1)^2 / (b + c)`` and its p-value with one degree of freedom.
    Returns ``(statistic, p_value)`` as floats.
    """
    y, a, b_ = np.asarray(y), np.asarray(pred_a), np.asarray(pred_b)
    right_a, right_b = a == y, b_ == y
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    if exact:
        if b + c == 0:
            return float(min(b, c)), 1.0
        return float(min(b, c)), float(scipy.stats.binomtest(b, b + c, 0.5).pvalue)
    stat = (abs(b - c) - 1) ** 2 / (b + c)
    return float(stat), float(scipy.stats.chi2.sf(stat, 1))


def paired_bootstrap(y, pred_a, pred_b, n_boot: int = 2000, seed: int = 0, alpha: float = 0.05) -> dict:
    """Paired bootstrap of the accuracy difference A - B.

    ``rng = np.random.default_rng(seed)``; ``idx = rng.integers(0, n, size=(n_boot, n))``: resample the same
    examples for both models; ``diffs = acc_a[idx] - acc_b[idx]`` row means (``acc_*`` the 0/1 correctness
    vectors). Returns ``{"diff": accuracy(A) - accuracy(B), "lo", "hi": np.percentile(diffs, [100 * alpha / 2,
    100 * (1 - alpha / 2)]), "p_value": min(1, 2 * min(mean(diffs <= 0), mean(diffs >= 0)))}``.
    """
    y = np.asarray(y)
    right_a = (np.asarray(pred_a) == y).astype(np.float64)
    right_b = (np.asarray(pred_b) == y).astype(np.float64)
    n = len(y)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    diffs = right_a[idx].mean(axis=1) - right_b[idx].mean(axis=1)
    lo, hi = np.percentile(diffs, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    p = min(1.0, 2 * min(float(np.mean(diffs <= 0)), float(np.mean(diffs >= 0))))
    return {"diff": float(right_a.mean() - right_b.mean()), "lo": float(lo), "hi": float(hi), "p_value": p}
