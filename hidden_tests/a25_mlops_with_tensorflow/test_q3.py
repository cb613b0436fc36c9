"""Hidden tests for A25 Q3: drift tests against SciPy and statsmodels, and delayed-label quality monitoring."""

import numpy as np
import pytest
import scipy.stats
from statsmodels.stats.multitest import multipletests

from graders import checks

pytestmark = pytest.mark.question("q3")


def _psi(ref, cur, bins=10):
    edges = np.quantile(ref, np.linspace(0, 1, bins + 1))[1:-1]
    p = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=bins) / len(ref)
    q = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=bins) / len(cur)
    p, q = np.clip(p, 1e-4, None), np.clip(q, 1e-4, None)
    return float(np.sum((q - p) * np.log(q / p)))


def _data(rng, n_ref=400, n_cur=300, drifted=("num_3", "cat_1")):
    ref, cur = {}, {}
    for j in range(8):
        name = f"num_{j}"
        ref[name] = rng.gamma(2.0 + j, 1.0, size=n_ref).round(2)
        shift = 1.2 if name in drifted else 0.0
        cur[name] = rng.gamma(2.0 + j, 1.0, size=n_cur).round(2) + shift
    for j in range(4):
        name = f"cat_{j}"
        cats = ["a", "b", "c", "d"]
        p = np.array([0.4, 0.3, 0.2, 0.1])
        ref[name] = rng.choice(cats, size=n_ref, p=p)
        q = np.array([0.15, 0.25, 0.3, 0.3]) if name in drifted else p
        cur[name] = rng.choice(cats + (["e"] if name in drifted else []), size=n_cur,
                               p=np.append(q * 0.95, 0.05) if name in drifted else q)
    ref["plan"] = rng.choice(["basic", "premium"], size=n_ref, p=[0.7, 0.3])  # 2 x 2: Yates would apply
    cur["plan"] = rng.choice(["basic", "premium"], size=n_cur, p=[0.7, 0.3])
    return ({k: v.tolist() for k, v in ref.items()}, {k: v.tolist() for k, v in cur.items()},
            [f"cat_{j}" for j in range(4)] + ["plan"])


def _want(ref, cur, categorical, alpha):
    out = {}
    for name, r in ref.items():
        c = cur[name]
        if name in categorical:
            cats = sorted(set(r) | set(c))
            table = np.array([[r.count(k) for k in cats], [c.count(k) for k in cats]])
            res = scipy.stats.chi2_contingency(table, correction=False)
            out[name] = {"test": "chi2", "statistic": float(res.statistic), "p_value": float(res.pvalue)}
        else:
            res = scipy.stats.ks_2samp(r, c)
            out[name] = {"test": "ks", "statistic": float(res.statistic), "p_value": float(res.pvalue),
                         "wasserstein": float(scipy.stats.wasserstein_distance(r, c)), "psi": _psi(r, c)}
    names = list(out)
    adjusted = multipletests([out[n]["p_value"] for n in names], method="fdr_bh")[1]
    for name, p in zip(names, adjusted, strict=True):
        out[name]["p_adjusted"] = float(p)
        out[name]["drifted"] = bool(p < alpha)
    return out


@pytest.mark.points(2)
def test_psi_and_benjamini_hochberg(student, rng):
    ref, cur = rng.normal(size=500), rng.normal(0.3, 1.2, size=350)
    checks.assert_value(student.call("population_stability_index", ref.tolist(), cur.tolist()), _psi(ref, cur),
                        rtol=1e-9, name="population_stability_index (10 quantile bins of the reference)")
    checks.assert_value(student.call("population_stability_index", ref.tolist(), cur.tolist(), 4),
                        _psi(ref, cur, 4), rtol=1e-9, name="population_stability_index with bins=4")
    p = (rng.random(15) ** 3).tolist()
    p[3] = p[7]  # a tie
    got = student.call("benjamini_hochberg", p)
    checks.assert_value(list(got), multipletests(p, method="fdr_bh")[1].tolist(), rtol=1e-12,
                        name="benjamini_hochberg (statsmodels multipletests(method='fdr_bh'))")


@pytest.mark.points(3)
def test_feature_drift_matches_scipy(student, rng):
    ref, cur, categorical = _data(rng)
    got = student.call("feature_drift", ref, cur, categorical, 0.01)
    want = _want(ref, cur, categorical, 0.01)
    assert isinstance(got, dict), "feature_drift returns a dict of feature -> result"
    checks.assert_value(sorted(got), sorted(want), name="features in the result")
    for name in want:
        checks.assert_value(got[name], want[name], rtol=1e-9, atol=1e-300, name=f"feature_drift[{name!r}]")
    # An alpha between a feature's raw and adjusted p-value: only the BH-adjusted one may decide the flag.
    name = max(want, key=lambda k: want[k]["p_adjusted"] / max(want[k]["p_value"], 1e-300))
    alpha = float(np.sqrt(want[name]["p_value"] * want[name]["p_adjusted"]))
    got = student.call("feature_drift", ref, cur, categorical, alpha)
    checks.assert_value({k: v["drifted"] for k, v in got.items()},
                        {k: v["p_adjusted"] < alpha for k, v in want.items()},
                        name=f"drifted flags with alpha={alpha:.3g} (from the Benjamini-Hochberg adjusted p-values)")


@pytest.mark.points(2)
def test_exactly_the_drifted_features_are_flagged(student, rng):
    hits = 0
    for rep in range(6):
        drifted = (f"num_{rep % 8}", f"cat_{rep % 4}")
        ref, cur, categorical = _data(rng, drifted=drifted)
        got = student.call("feature_drift", ref, cur, categorical, 0.01)
        flagged = sorted(k for k, v in got.items() if v["drifted"] is True)
        hits += flagged == sorted(drifted)
    assert hits >= 5, f"the two drifted features (and only those) were flagged in {hits} of 6 repetitions"


def _stream(rng, n=120):
    preds, labels, t = [], [], 0.0
    for k in range(n):
        t += float(rng.exponential(1.0))
        rid = f"req-{k:04d}"
        pred = int(rng.integers(0, 3))
        preds.append([rid, pred, t])
        u = rng.random()
        if u < 0.75:
            label = pred if rng.random() < 0.7 else int((pred + 1) % 3)
            labels.append([rid, label, t + float(rng.exponential(20.0))])
            if u < 0.1:  # a duplicate, later, with another label: the first one wins
                labels.append([rid, int((label + 1) % 3), labels[-1][2] + 1.0])
    labels.append(["unknown-id", 1, t + 1.0])
    labels.sort(key=lambda r: r[2])
    return preds, labels


def _window(preds, labels, now, window_s):
    first = {}
    for rid, label, ts in labels:
        first.setdefault(rid, (label, ts))
    n, correct, delays = 0, 0, []
    for rid, pred, ts in preds:
        if now - window_s < ts <= now:
            n += 1
            if rid in first and first[rid][1] <= now:
                correct += first[rid][0] == pred
                delays.append(first[rid][1] - ts)
    k = len(delays)
    return {"n_predictions": n, "n_labeled": k, "label_coverage": k / n if n else 0.0,
            "accuracy": correct / k if k else None, "mean_label_delay_s": float(np.mean(delays)) if k else None}


@pytest.mark.points(3)
def test_delayed_labels(student, rng):
    preds, labels = _stream(rng)
    monitor = student.call("DelayedLabelMonitor")
    for rid, pred, ts in preds:
        monitor.call("log_prediction", rid, pred, ts)
    accepted = [monitor.call("log_label", rid, label, ts) for rid, label, ts in labels]
    seen, want_accepted = set(), []
    known = {p[0] for p in preds}
    for rid, _l, _t in labels:
        want_accepted.append(rid in known and rid not in seen)
        seen.add(rid)
    checks.assert_value(accepted, want_accepted, name="log_label's return values (False for an unknown request or "
                        "a second label)")
    end = preds[-1][2]
    for now, window_s in ((end * 0.5, 30.0), (end, 60.0), (end + 15.0, 40.0), (end + 500.0, 1e6), (-5.0, 10.0)):
        got = monitor.call("window_metrics", now, window_s)
        checks.assert_value(got, _window(preds, labels, now, window_s), rtol=1e-9,
                            name=f"window_metrics(now={now:.1f}, window_s={window_s})")
    checks.assert_raises(monitor.call, "log_prediction", preds[0][0], 0, end, exc_type="ValueError")
    edge = student.call("DelayedLabelMonitor")
    for k, ts in enumerate((10.0, 20.0, 30.0)):
        edge.call("log_prediction", f"e{k}", 1, ts)
        edge.call("log_label", f"e{k}", 1, ts + 1.0)
    checks.assert_value(edge.call("window_metrics", 31.0, 21.0)["n_predictions"], 2,
                        name="n_predictions at the window's edges (now - window_s < ts <= now: the start is excluded)")
