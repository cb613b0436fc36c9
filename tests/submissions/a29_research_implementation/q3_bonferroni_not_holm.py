# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, B007, E501  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# Bonferroni's correction instead of Holm's step-down.
# %% [q3]
def required_n(effect_size, alpha=0.05, power=0.8, ratio=1.0):
    """Smallest group-1 size n1 (n2 = ratio * n1) at which a two-sided two-sample t-test reaches `power`.

    Power uses the noncentral t distribution (df = n1 + n2 - 2, noncentrality d * sqrt(n1 * n2 / (n1 + n2))).
    Solve for a real n1, then round up. Write it with scipy.stats (statsmodels' solve_power is what the grader uses).
    """
    def power_at(n1):
        n2 = ratio * n1
        df = n1 + n2 - 2
        nc = effect_size * math.sqrt(n1 * n2 / (n1 + n2))
        crit = scipy.stats.t.ppf(1 - alpha / 2, df)
        return scipy.stats.nct.sf(crit, df, nc) + scipy.stats.nct.cdf(-crit, df, nc)

    high = 4.0
    while power_at(high) < power:
        high *= 2.0
    n1 = scipy.optimize.brentq(lambda n: power_at(n) - power, 2.0 + 1e-10, high, xtol=1e-10)
    return int(math.ceil(n1))


def compare_paired(scores_a, scores_b, test="t"):
    """Paired comparison of two methods scored on the same seeds or datasets.

    test="t": the paired t-test; test="wilcoxon": the Wilcoxon signed-rank test (SciPy's defaults).
    Returns {"statistic": float, "pvalue": float, "mean_diff": mean(a - b)}.
    """
    a = np.asarray(scores_a, np.float64)
    b = np.asarray(scores_b, np.float64)
    if test == "t":
        res = scipy.stats.ttest_rel(a, b)
    elif test == "wilcoxon":
        res = scipy.stats.wilcoxon(a, b)
    else:
        raise ValueError(f"unknown test {test!r}")
    return {"statistic": float(res.statistic), "pvalue": float(res.pvalue), "mean_diff": float(np.mean(a - b))}


def holm(pvals, alpha=0.05):
    """Holm's step-down correction: {"reject": list[bool], "adjusted": list[float]} in the input order."""
    p = np.asarray(pvals, np.float64)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted_sorted = np.minimum(1.0, m * p[order])
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return {"reject": [bool(v) for v in adjusted <= alpha], "adjusted": [float(v) for v in adjusted]}


def ablation(train_eval_fn, components, seeds, alpha=0.05):
    """An ablation study: the full system and the system without each component, on every seed.

    `train_eval_fn(enabled: list[str], seed: int) -> float` (higher is better) is called exactly once per
    (configuration, seed). Returns rows (dicts): first {"config": "full", "mean", "sd"} then one per component
    {"config": "-name", "mean", "sd", "delta" (its mean minus the full mean), "pvalue" (paired t-test against the
    full system over the seeds), "significant" (Holm-corrected over the components at alpha)}, sorted by delta
    ascending (the most harmful removal first). sd uses ddof=1.
    """
    components = list(components)
    seeds = list(seeds)
    full = np.array([train_eval_fn(list(components), s) for s in seeds], np.float64)
    rows = []
    for c in components:
        enabled = [k for k in components if k != c]
        scores = np.array([train_eval_fn(enabled, s) for s in seeds], np.float64)
        rows.append({"config": f"-{c}", "mean": float(scores.mean()), "sd": float(scores.std(ddof=1)),
                     "delta": float(scores.mean() - full.mean()),
                     "pvalue": float(scipy.stats.ttest_rel(scores, full).pvalue)})
    reject = holm([r["pvalue"] for r in rows], alpha)["reject"]
    for r, flag in zip(rows, reject, strict=True):
        r["significant"] = flag
    rows.sort(key=lambda r: r["delta"])
    return [{"config": "full", "mean": float(full.mean()), "sd": float(full.std(ddof=1))}] + rows
