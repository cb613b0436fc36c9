"""Hidden tests for A29 Q3: power analysis, paired tests, Holm and an ablation, checked with statsmodels/SciPy."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower

from graders import checks

pytestmark = pytest.mark.question("q3")

_spec = importlib.util.spec_from_file_location("a29_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)


@pytest.mark.points(3)
def test_required_n_matches_statsmodels(student, rng):
    cases = [(0.5, 0.05, 0.8, 1.0), (float(rng.uniform(0.2, 1.2)), 0.05, 0.9, 1.0),
             (float(rng.uniform(0.3, 0.9)), 0.01, 0.8, 2.0), (float(rng.uniform(0.6, 1.5)), 0.1, 0.7, 0.5),
             (float(rng.uniform(0.1, 0.3)), 0.05, 0.15, 1.0)]   # low power: the lower rejection tail matters
    for d, alpha, power, ratio in cases:
        got = student.call("required_n", d, alpha=alpha, power=power, ratio=ratio)
        want = math.ceil(TTestIndPower().solve_power(effect_size=d, alpha=alpha, power=power, ratio=ratio,
                                                     alternative="two-sided"))
        assert isinstance(got, int), "required_n must return an int"
        assert got == want, f"required_n(d={d:.3f}, alpha={alpha}, power={power}, ratio={ratio}) is wrong"


@pytest.mark.points(1)
def test_required_n_does_not_call_statsmodels(student):
    want = math.ceil(TTestIndPower().solve_power(effect_size=0.4, alpha=0.05, power=0.8, ratio=1.0))
    assert student.call("required_n", 0.4) == want, "required_n(0.4) is wrong"
    assert student.probe("import_statsmodels_power")
    checks.assert_no_forbidden_calls(student, "required_n", [0.4], forbidden=[
        "statsmodels.stats.power.TTestIndPower.solve_power", "statsmodels.stats.power.tt_ind_solve_power",
        "statsmodels.stats.power.TTestIndPower.power"])


@pytest.mark.points(2)
def test_paired_tests_match_scipy(student, rng):
    a = rng.normal(0.7, 0.05, size=12)
    b = a - rng.normal(0.01, 0.02, size=12)
    got = student.call("compare_paired", a, b, test="t")
    want = scipy.stats.ttest_rel(a, b)
    checks.assert_value(got, {"statistic": float(want.statistic), "pvalue": float(want.pvalue),
                              "mean_diff": float(np.mean(a - b))}, rtol=1e-10, name="compare_paired t")
    got = student.call("compare_paired", a, b, test="wilcoxon")
    want = scipy.stats.wilcoxon(a, b)
    checks.assert_value(got, {"statistic": float(want.statistic), "pvalue": float(want.pvalue),
                              "mean_diff": float(np.mean(a - b))}, rtol=1e-10, name="compare_paired wilcoxon")


@pytest.mark.points(2)
def test_holm_matches_statsmodels(student, rng):
    for alpha in (0.05, 0.1):
        p = np.concatenate([rng.uniform(0, 0.02, 4), rng.uniform(0, 1, 8), [0.01, 0.01]])
        rng.shuffle(p)
        got = student.call("holm", p.tolist(), alpha=alpha)
        reject, adjusted, _, _ = multipletests(p, alpha=alpha, method="holm")
        checks.assert_value(got, {"reject": [bool(v) for v in reject], "adjusted": [float(v) for v in adjusted]},
                            rtol=1e-10, name="holm")


def _expected_rows(components, seeds, effects, noise_seed):
    score = probes.planted_score
    full = np.array([score(components, s, effects, noise_seed) for s in seeds])
    rows = []
    for c in components:
        kept = [k for k in components if k != c]
        sc = np.array([score(kept, s, effects, noise_seed) for s in seeds])
        rows.append({"config": f"-{c}", "mean": sc.mean(), "sd": sc.std(ddof=1), "delta": sc.mean() - full.mean(),
                     "pvalue": float(scipy.stats.ttest_rel(sc, full).pvalue)})
    reject = multipletests([r["pvalue"] for r in rows], alpha=0.05, method="holm")[0]
    for r, flag in zip(rows, reject, strict=True):
        r["significant"] = bool(flag)
    rows.sort(key=lambda r: r["delta"])
    return [{"config": "full", "mean": full.mean(), "sd": full.std(ddof=1)}] + rows


@pytest.mark.points(3)
def test_ablation_on_a_planted_task(student, rng):
    components = ["attention", "augment", "warmup", "label_smoothing"]
    effects = {"attention": 0.2, "augment": 0.04, "warmup": 0.0, "label_smoothing": 0.001}
    seeds = [int(s) for s in rng.choice(1000, size=6, replace=False)]
    noise_seed = int(rng.integers(0, 2**31))
    got = student.probe("planted_ablation", components, seeds, effects, noise_seed)
    calls = got["calls"]
    assert len(calls) == (1 + len(components)) * len(seeds), (
        "train_eval_fn must be called exactly once per configuration and seed")
    configs = {(tuple(e), s) for e, s in calls}
    assert len(configs) == len(calls), "a configuration was evaluated twice on one seed"
    assert {s for _, s in calls} == set(seeds), "every configuration must be run on the given seeds (paired)"
    want = _expected_rows(components, seeds, effects, noise_seed)
    rows = got["rows"]
    assert [r["config"] for r in rows] == [r["config"] for r in want], (
        "rows must be the full system first, then the components sorted by delta (most harmful removal first)")
    checks.assert_value(rows, want, rtol=1e-7, name="ablation rows")
    assert rows[1]["config"] == "-attention" and rows[1]["significant"], "the essential component must come first"
    assert not [r for r in rows if r["config"] == "-warmup"][0]["significant"], (
        "removing a component that does nothing must not be significant")
