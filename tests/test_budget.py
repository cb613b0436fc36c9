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


def test_the_projection_scales_the_sweep_per_assignment_and_keeps_the_rest(monkeypatch):
    from tests import budget

    monkeypatch.setattr(budget, "_durations", {
        "tests/test_assignments.py::test_x[a01_tensorflow_fundamentals]": 60.0,
        "tests/test_assignments.py::test_y[a02_core_tensor_operations-q1_fixture]": 120.0,
        "tests/test_engine.py::test_z": 100.0})
    monkeypatch.setattr(budget, "_started", budget.time.monotonic() - 300.0)
    figures = budget.summary()
    assert figures["assignments"] == 2 and figures["sweep_s"] == 180.0
    assert abs(figures["rest_s"] - 120.0) < 1.0  # the session's time that no sweep test took
    assert abs(figures["projected_s"] - (120.0 + 90.0 * 30)) < 1.0
