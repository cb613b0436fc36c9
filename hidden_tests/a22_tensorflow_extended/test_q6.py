"""Hidden tests for A22 Q6: CI for ML: TFMA-style model validation, blessing recorded in ML Metadata and the
latest-blessed-model baseline."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")

HIGHER = {"direction": "HIGHER_IS_BETTER"}
LOWER = {"direction": "LOWER_IS_BETTER"}


@pytest.mark.points(4)
def test_check_thresholds_decision_table(student):
    cases = [
        # (candidate, baseline, thresholds, passes, failing metrics)
        ({"auc": 0.81}, None, {"auc": {"lower_bound": 0.8}}, True, []),
        ({"auc": 0.79}, None, {"auc": {"lower_bound": 0.8}}, False, ["auc"]),
        ({"auc": 0.8}, None, {"auc": {"lower_bound": 0.8}}, True, []),
        ({"loss": 0.3}, None, {"loss": {"upper_bound": 0.25}}, False, ["loss"]),
        ({"loss": 0.25}, None, {"loss": {"upper_bound": 0.25}}, True, []),
        ({"auc": 0.70}, None, {"auc": {"change": {**HIGHER, "absolute": 0.0}}}, True, []),
        ({"auc": 0.80}, {"auc": 0.82}, {"auc": {"change": {**HIGHER, "absolute": -0.01}}}, False, ["auc"]),
        ({"auc": 0.815}, {"auc": 0.82}, {"auc": {"change": {**HIGHER, "absolute": -0.01}}}, True, []),
        ({"auc": 0.83}, {"auc": 0.80}, {"auc": {"change": {**HIGHER, "relative": 0.05}}}, False, ["auc"]),
        ({"auc": 0.85}, {"auc": 0.80}, {"auc": {"change": {**HIGHER, "relative": 0.05}}}, True, []),
        ({"loss": 0.42}, {"loss": 0.40}, {"loss": {"change": {**LOWER, "absolute": 0.01}}}, False, ["loss"]),
        ({"loss": 0.405}, {"loss": 0.40}, {"loss": {"change": {**LOWER, "absolute": 0.01}}}, True, []),
        ({"loss": 0.35}, {"loss": 0.40}, {"loss": {"change": {**LOWER, "relative": -0.1}}}, True, []),
        ({"loss": 0.37}, {"loss": 0.40}, {"loss": {"change": {**LOWER, "relative": -0.1}}}, False, ["loss"]),
        ({"auc": 0.9, "loss": 0.5}, {"auc": 0.85, "loss": 0.3},
         {"auc": {"lower_bound": 0.95, "change": {**HIGHER, "absolute": 0.0}}, "loss": {"upper_bound": 0.4}},
         False, ["auc", "loss"]),
        ({"auc": 0.9}, None, {"auc": {"lower_bound": 0.5}, "recall": {"lower_bound": 0.5}}, False, ["recall"]),
    ]
    for candidate, baseline, thresholds, passes, failing in cases:
        got = student.call("check_thresholds", candidate, baseline, thresholds)
        assert isinstance(got, (list, tuple)) and len(got) == 2, "check_thresholds returns (passed, failures)"
        ok, failures = got
        call = f"check_thresholds({candidate}, {baseline}, {thresholds})"
        assert ok is passes, f"{call} should {'pass' if passes else 'fail'}"
        named = [str(f).split(":")[0] for f in failures]
        assert sorted(set(named)) == failing, (
            f"{call}: the failures should name {failing} (each message starts with 'metric:'), got {failures}")


@pytest.mark.points(3)
def test_blessing_is_recorded_in_mlmd(student):
    thresholds = {"auc": {"lower_bound": 0.7, "change": {**HIGHER, "absolute": -0.01}}}
    rounds = [{"metrics": {"auc": 0.80}, "thresholds": thresholds, "anomalies": 0},
              {"metrics": {"auc": 0.75}, "thresholds": thresholds, "anomalies": 0}]
    got = student.probe("ci_scenario", rounds)["rounds"]
    first, second = got
    assert first["blessed"] is True and second["blessed"] is False, (
        "the first model (no baseline, AUC 0.80 >= 0.7) is blessed; the second (0.75, 0.05 below the blessed "
        "baseline) is not")
    for k, r in enumerate(got):
        b = r["blessing"]
        assert b is not None, "evaluate_and_bless must return the id of the ModelBlessing artifact it stored"
        checks.assert_value(b["type"], ["ModelBlessing"], name="the blessing artifact's type")
        checks.assert_value(b["producer_types"], ["Evaluator"], name="the execution that output the blessing")
        checks.assert_value(b["producer_states"], ["COMPLETE"], name="last_known_state of the Evaluator execution")
        want = {"blessed": int(r["blessed"]), "current_model_id": k}
        if k:
            want["baseline_model_id"] = 0
        checks.assert_value(b["custom_properties"], want,
                            name=f"custom_properties of round {k}'s blessing (model ids shown as rounds)")
        inputs = [[["model", 0], k]] + ([[["baseline_model", 0], 0]] if k else [])
        checks.assert_value(b["inputs"], sorted(inputs), name=f"INPUT events of round {k}'s Evaluator")
        assert b["state"] == "LIVE" and b["in_context"] and b["execution_in_context"], (
            "the blessing must be LIVE, attributed to the run context, and its execution associated with it")


@pytest.mark.points(3)
def test_latest_blessed_model_drives_the_gate(student):
    thresholds = {"auc": {"lower_bound": 0.7, "change": {**HIGHER, "absolute": -0.005}}}
    aucs = [0.65, 0.78, 0.80, 0.76, 0.83, 0.85]
    anomalies = [0, 0, 0, 0, 2, 0]
    rounds = [{"metrics": {"auc": a}, "thresholds": thresholds, "anomalies": n}
              for a, n in zip(aucs, anomalies, strict=True)]
    got = student.probe("ci_scenario", rounds)
    blessed = [r["blessed"] for r in got["rounds"]]
    baselines = [r["baseline_round"] for r in got["rounds"]]
    checks.assert_value(baselines, [None, None, 1, 2, 2, 2],
                        name="baseline of each round (latest_blessed_model: the newest model with blessed == 1)")
    checks.assert_value(blessed, [False, True, True, False, False, True],
                        name="blessed per round (0.65 < 0.7; 0.76 falls 0.04 below its baseline; round 4 has data "
                             "anomalies)")
    assert got["rounds"][4]["reasons"] and str(got["rounds"][4]["reasons"][0]).startswith("data"), (
        "with data anomalies the first reason should start with 'data'")
    assert got["final"] == 5, "after the last round the latest blessed model is round 5's"
    empty = student.probe("ci_scenario", [{"metrics": {"auc": 0.5}, "thresholds": thresholds, "anomalies": 0}])
    assert empty["rounds"][0]["baseline_round"] is None and empty["final"] is None, (
        "latest_blessed_model must return None when no model is blessed")
