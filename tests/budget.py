"""The suite's time budget: prints the total and a projection to thirty assignments, and fails above the budget.

CI stops a run at 90 minutes and the budget for the whole suite is 60 at thirty assignments. The projection takes
the sweep's measured time per assignment (every test parametrized by an assignment) and the rest of the suite as it
is; a total over ``TFGRADE_SUITE_BUDGET_MIN`` (default 80) fails the run, so the budget cannot erode silently.
"""

from __future__ import annotations

import os
import re
import time

import pytest

BUDGET_MIN = float(os.environ.get("TFGRADE_SUITE_BUDGET_MIN", "80"))
TARGET_MIN = 60.0
COURSE_SIZE = 30
_ASSIGNMENT = re.compile(r"\b(a\d\d_[a-z0-9_]+?)(?=[\]-])")

_started = time.monotonic()
_durations: dict[str, float] = {}


def pytest_sessionstart(session):
    global _started
    _started = time.monotonic()


def pytest_runtest_logreport(report):
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def summary() -> dict:
    """The measured total, the sweep's share per assignment, and the projection to a full course."""
    total = time.monotonic() - _started
    per_assignment: dict[str, float] = {}
    for nodeid, seconds in _durations.items():
        match = _ASSIGNMENT.search(nodeid)
        if match:
            per_assignment[match.group(1)] = per_assignment.get(match.group(1), 0.0) + seconds
    sweep = sum(per_assignment.values())
    rest = max(total - sweep, 0.0)
    mean = sweep / len(per_assignment) if per_assignment else 0.0
    return {"total_s": total, "sweep_s": sweep, "rest_s": rest, "assignments": len(per_assignment),
            "per_assignment_s": per_assignment, "projected_s": rest + mean * COURSE_SIZE}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if (time.monotonic() - _started) / 60 > BUDGET_MIN and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures = summary()
    write = terminalreporter.write_line
    terminalreporter.section("time budget")
    for assignment, seconds in sorted(figures["per_assignment_s"].items()):
        write(f"  {assignment:<36} {seconds / 60:6.1f} min")
    write(f"suite total {figures['total_s'] / 60:.1f} min: sweep {figures['sweep_s'] / 60:.1f} min over "
          f"{figures['assignments']} assignments, the rest {figures['rest_s'] / 60:.1f} min")
    if figures["assignments"]:
        projected = figures["projected_s"] / 60
        write(f"projected at {COURSE_SIZE} assignments: {projected:.1f} min (target {TARGET_MIN:g}, "
              f"budget {BUDGET_MIN:g})" + ("  WARNING: over the target" if projected > TARGET_MIN else ""))
    if figures["total_s"] / 60 > BUDGET_MIN:
        write(f"FAILED: the suite took {figures['total_s'] / 60:.1f} min, over the {BUDGET_MIN:g} min budget "
              "(TFGRADE_SUITE_BUDGET_MIN); make it faster before adding to it", red=True, bold=True)
