"""The suite's time-budget guard: it prints the total and fails a run that is over the budget."""

import os
import subprocess
import sys

from tests.conftest import ROOT

SLEEPY = "import time\n\ndef test_a_little_work():\n    time.sleep(0.2)\n"


def _run(tmp_path, budget_min: str):
    (tmp_path / "test_sleepy.py").write_text(SLEEPY)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.budget", str(tmp_path / "test_sleepy.py"),
                           "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, TFGRADE_SUITE_BUDGET_MIN=budget_min))


def test_a_run_within_the_budget_passes_and_prints_its_total(tmp_path):
    proc = _run(tmp_path, "80")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "suite total" in proc.stdout and "FAILED: the suite took" not in proc.stdout


def test_a_run_over_the_budget_fails_even_when_every_test_passed(tmp_path):
    proc = _run(tmp_path, "0.001")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "1 passed" in proc.stdout and "FAILED: the suite took" in proc.stdout


def test_the_projection_scales_each_assignments_cost_and_keeps_the_rest(monkeypatch):
    from tests import budget

    # a backbone test: 60 s, of which 50 s waiting for the sweep (counted in the jobs); the red team's a01 case and
    # the engine's test are fixed costs
    monkeypatch.setattr(budget, "_durations", {
        "tests/test_assignments.py::test_x[a01_tensorflow_fundamentals]": 60.0,
        "tests/test_assignments.py::test_x[a02_core_tensor_operations]": 20.0,
        "tests/test_red_team.py::test_cheat[a01_tensorflow_fundamentals-sleep]": 100.0,
        "tests/test_engine.py::test_z": 100.0})
    monkeypatch.setattr(budget, "_waited", {"tests/test_assignments.py::test_x[a01_tensorflow_fundamentals]": 50.0})
    monkeypatch.setattr(budget, "_backbone", {
        "tests/test_assignments.py::test_x[a01_tensorflow_fundamentals]": "a01_tensorflow_fundamentals",
        "tests/test_assignments.py::test_x[a02_core_tensor_operations]": "a02_core_tensor_operations"})
    monkeypatch.setattr(budget, "_started", budget.time.monotonic() - 600.0)
    figures = budget.summary({"a01_tensorflow_fundamentals": 200.0, "a02_core_tensor_operations": 100.0}, jobs=2)
    assert figures["per_assignment_s"] == {"a01_tensorflow_fundamentals": 110.0, "a02_core_tensor_operations": 70.0}
    assert abs(figures["rest_s"] - 420.0) < 1.0
    assert abs(figures["projected_s"] - (420.0 + 90.0 * 30)) < 1.0


def test_only_tests_parametrized_over_every_assignment_are_the_backbone():
    from types import SimpleNamespace

    from tests import budget

    def item(path, name, **params):
        ids = "-".join(params.values())
        return SimpleNamespace(nodeid=f"{path}::{name}[{ids}]", originalname=name,
                               callspec=SimpleNamespace(params=params))

    items = [item("tests/test_assignments.py", "test_x", assignment="a01"),
             item("tests/test_assignments.py", "test_x", assignment="a02"),
             item("tests/test_red_team.py", "test_cheat", assignment_id="a01", case="sleep"),
             SimpleNamespace(nodeid="tests/test_engine.py::test_z", originalname="test_z")]
    assert budget.backbone(items) == {"tests/test_assignments.py::test_x[a01]": "a01",
                                      "tests/test_assignments.py::test_x[a02]": "a02"}
