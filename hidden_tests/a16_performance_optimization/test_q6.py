"""Hidden tests for A16 Q6: a local AutoML search (Pareto front, budget, exported model with preprocessing)."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q6")

_REPORTS = {}


def _dominated(p, q, maximize):
    better_eq = all((a >= b) if m else (a <= b) for a, b, m in zip(q, p, maximize, strict=True))
    strictly = any((a > b) if m else (a < b) for a, b, m in zip(q, p, maximize, strict=True))
    return better_eq and strictly


def _front(points, maximize):
    return [i for i, p in enumerate(points) if not any(_dominated(p, q, maximize) for q in points)]


@pytest.mark.points(3)
def test_pareto_front(student, rng):
    for maximize, n in (((True, False), 30), ((False, False), 25), ((True, True, False), 40), ((True, False), 1)):
        points = [tuple(float(v) for v in rng.integers(0, 6, size=len(maximize))) for _ in range(n)]
        if n > 3:
            points.insert(2, points[_front(points, maximize)[-1]])  # a duplicate of a point on the front
        got = student.call("pareto_front", points, maximize)
        checks.assert_value([int(i) for i in got], _front(points, maximize),
                            name=f"pareto_front(points, maximize={maximize}) (indices, increasing; equal points "
                                 "do not dominate each other)")


def _raw_like(x, y, train, seed):
    """Breast-cancer rows mixed so that none can be looked up, on the raw features' scales (0.001 to 4000).

    The most class-separating mixed features get the smallest spreads and every feature a large offset, as in raw
    measurements where the informative ones are tiny beside the big ones: a model that does not normalise its input
    inside itself learns mostly from the large, uninformative ones.
    """
    mixed = disguise(x, fit=x[train], seed=seed).astype(np.float64)
    fit, labels = mixed[train], y[train]
    separation = np.abs(fit[labels == 1].mean(0) - fit[labels == 0].mean(0)) / fit.std(0)
    raw = x[train]
    by_spread = np.argsort(raw.std(0))
    spreads, offsets = raw.std(0)[by_spread], np.abs(raw.mean(0))[by_spread] + 2 * raw.std(0)[by_spread]
    scaled = np.empty_like(mixed)
    for rank, feature in enumerate(np.argsort(-separation)):
        scaled[:, feature] = (mixed[:, feature] - fit[:, feature].mean()) / fit[:, feature].std() * spreads[rank]
        scaled[:, feature] += offsets[rank]
    return scaled.astype(np.float32)


def _automl(student, thresholds):
    key = id(student)
    if key not in _REPORTS:
        data = load_breast_cancer()
        order = np.random.default_rng(0).permutation(len(data.target))
        train, test = order[:400], order[400:]
        x = _raw_like(data.data, data.target, train, seed=1606)
        report = student.probe("automl_report", x[train], data.target[train], x[test], thresholds["time_budget_s"])
        _REPORTS[key] = (report, data.target[test])
    return _REPORTS[key]


@pytest.mark.points(3)
def test_automl_best_model_accuracy_on_raw_features(student, thresholds):
    report, y_test = _automl(student, thresholds)
    checks.assert_accuracy(np.asarray(report["pred"]), y_test, thresholds["min_automl_accuracy"],
                           name="held-out accuracy of the AutoML model on raw breast-cancer features (0.001 to "
                                "4000: the preprocessing must be inside the model)")


@pytest.mark.points(2)
def test_automl_leaderboard_and_pareto(student, thresholds):
    report, _ = _automl(student, thresholds)
    board = report["leaderboard"]
    assert len(board) >= 3, f"the leaderboard has {len(board)} candidates, at least 3 expected"
    assert len(report["fits"]) == len(board), (
        f"the leaderboard lists {len(board)} candidates, but Model.fit was called {len(report['fits'])} times: train "
        "each candidate once with model.fit and list each one trained")
    for entry in board:
        assert {"name", "val_accuracy", "params"} <= set(entry), f"leaderboard entry {entry} lacks keys"
    accs = [float(e["val_accuracy"]) for e in board]
    assert accs == sorted(accs, reverse=True), f"the leaderboard is not sorted best first: {accs}"
    points = [(float(e["val_accuracy"]), float(e["params"])) for e in board]
    checks.assert_value(report["pareto"], _front(points, (True, False)),
                        name="the Pareto front (accuracy up, parameters down) of the leaderboard")


@pytest.mark.points(1)
def test_automl_model_survives_save_and_reload(student, thresholds):
    report, _ = _automl(student, thresholds)
    checks.assert_tensor(report["reloaded"], report["logits"], rtol=1e-4, atol=1e-4,
                         name="outputs of the best model after a .keras save and reload")


@pytest.mark.points(1)
def test_automl_stops_when_the_budget_is_spent(student):
    data = load_breast_cancer()
    order = np.random.default_rng(1).permutation(len(data.target))[:200]
    x = _raw_like(data.data[order], data.target[order], np.arange(len(order)), seed=1616)
    got = student.probe("automl_spent_budget", x, data.target[order])
    assert got["fits"] == 3 and got["leaderboard"] == 3, (
        f"run_local_automl(time_budget_s=0.001) called Model.fit {got['fits']} times and listed {got['leaderboard']} "
        "candidates: with the budget already spent it should train the 3 it must and then stop (check the elapsed "
        "time before starting each further candidate)")


@pytest.mark.points(1)
def test_automl_starts_no_candidate_after_the_budget(student, thresholds):
    report, _ = _automl(student, thresholds)
    budget, fits = thresholds["time_budget_s"], report["fits"]
    assert len(fits) >= 3, f"Model.fit was called {len(fits)} times; at least 3 candidates must be trained"
    # Building the next candidate between the clock check and its fit takes a moment, hence the slack.
    late = [round(begun, 2) for begun, _ in fits[3:] if begun > budget + thresholds["budget_slack_s"]]
    assert not late, (
        f"candidates started training {late} s after the call began, past the {budget:g} s budget: check the "
        "elapsed time before starting each further candidate and stop once it exceeds time_budget_s")
