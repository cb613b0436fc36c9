"""Hidden tests for A22 Q3: TFMA-style sliced metrics and fairness indicators, checked against scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from graders import checks

pytestmark = pytest.mark.question("q3")


def _data(rng, n=400):
    sex = rng.choice(["F", "M"], size=n)
    age = rng.choice(["young", "middle", "old"], size=n, p=[0.45, 0.45, 0.10])
    region = rng.choice(["north", "south"], size=n)
    logits = rng.normal(0, 1, size=n) + 0.6 * (sex == "M") - 0.4 * (age == "old")
    labels = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(int)
    scores = np.round(1 / (1 + np.exp(-(logits + rng.normal(0, 1.2, size=n)))), 2)  # rounded: ties on purpose
    return labels, scores, {"sex": sex.tolist(), "age": age.tolist(), "region": region.tolist()}


def _metrics(y, s, threshold=0.5):
    pred = (s >= threshold).astype(int)
    return {"example_count": int(len(y)), "accuracy": accuracy_score(y, pred),
            "precision": precision_score(y, pred, zero_division=0.0),
            "recall": recall_score(y, pred, zero_division=0.0),
            "auc": float(roc_auc_score(y, s)) if len(set(y.tolist())) == 2 else None}


@pytest.mark.points(3)
def test_binary_metrics_match_sklearn(student, rng):
    labels, scores, _ = _data(rng, 300)
    threshold = float(rng.choice([0.3, 0.5, 0.62]))
    got = student.call("binary_metrics", labels.tolist(), scores.tolist(), threshold)
    checks.assert_value(got, _metrics(labels, scores, threshold), rtol=1e-9, atol=1e-12,
                        name=f"binary_metrics(..., threshold={threshold}) (AUC counts tied scores one half, as "
                             "sklearn.metrics.roc_auc_score)")
    one_class = student.call("binary_metrics", [1, 1, 1], [0.2, 0.7, 0.9], 0.5)
    assert one_class.get("auc", "missing") is None, "auc must be None for a slice with a single class"
    checks.assert_value(one_class["recall"], 2 / 3, rtol=1e-9, name="recall with one class")
    none_pred = student.call("binary_metrics", [0, 1, 0], [0.1, 0.2, 0.3], 0.5)
    checks.assert_value(none_pred["precision"], 0.0, name="precision with no positive prediction")


@pytest.mark.points(4)
def test_slices_keys_counts_and_metrics(student, rng):
    labels, scores, features = _data(rng)
    specs = [[], ["sex"], ["sex", "age"]]
    min_size = 25
    got = student.call("evaluate_slices", labels.tolist(), scores.tolist(), features, specs, 0.5, min_size)
    want = {"Overall": _metrics(labels, scores)}
    sex, age = np.array(features["sex"]), np.array(features["age"])
    for s in ("F", "M"):
        want[f"sex:{s}"] = _metrics(labels[sex == s], scores[sex == s])
        for a in ("young", "middle", "old"):
            mask = (sex == s) & (age == a)
            if mask.sum() >= min_size:
                want[f"sex:{s},age:{a}"] = _metrics(labels[mask], scores[mask])
    assert isinstance(got, dict), "evaluate_slices must return a dict of slice key -> metrics"
    checks.assert_value(sorted(got), sorted(want),
                        name=f"slice keys ('Overall', 'sex:F', 'sex:F,age:old', ...; slices under {min_size} "
                             "examples left out)")
    checks.assert_value(got, want, rtol=1e-9, atol=1e-12, name="per-slice metrics")


@pytest.mark.points(3)
def test_fairness_metrics(student, rng):
    labels, scores, features = _data(rng)
    groups = features["age"]
    got = student.call("fairness_metrics", labels.tolist(), scores.tolist(), groups, 0.5)
    pred = (scores >= 0.5).astype(int)
    g = np.array(groups)
    per = {}
    for name in ("young", "middle", "old"):
        m = g == name
        per[name] = {"selection_rate": float(pred[m].mean()), "tpr": float(pred[m & (labels == 1)].mean()),
                     "fpr": float(pred[m & (labels == 0)].mean())}

    def spread(key):
        return max(v[key] for v in per.values()) - min(v[key] for v in per.values())

    want = {"per_group": per, "demographic_parity_difference": spread("selection_rate"),
            "equalized_odds_difference": max(spread("tpr"), spread("fpr"))}
    checks.assert_value(got, want, rtol=1e-9, atol=1e-12,
                        name="fairness_metrics (demographic parity = spread of selection rates; equalized odds = "
                             "the larger of the TPR and FPR spreads)")
    # Both groups catch every positive (equal TPR) but group b also flags every negative: the FPR gap decides.
    fpr_case = student.call("fairness_metrics", [1, 0, 0, 1, 0, 0], [0.9, 0.1, 0.2, 0.8, 0.7, 0.6], list("aaabbb"))
    checks.assert_value(fpr_case["equalized_odds_difference"], 1.0,
                        name="equalized_odds_difference when only the false-positive rates differ (0 vs 1)")
