"""The suite's time budget: prints the total and a projection to thirty assignments, and fails above the budget.

CI stops a run at 90 minutes and the budget for the whole suite is 60 at thirty assignments. What grows with the
course is the *backbone*: the tests parametrized over every assignment, and the sweep's gradings behind them
(``tests/sweep.py``). An assignment's cost is

- its sweep jobs' wall time divided by ``SWEEP_JOBS`` (the jobs run that many at once on the two cores), plus
- its backbone tests' own time, less the time they spent waiting for a sweep result (already counted above).

Tests that name one assignment without being parametrized over all of them (the red team's a01 cases, the five
regrades) are fixed costs, like the engine's tests: they stay in "the rest". The projection is the rest plus the mean
assignment cost times thirty. ``TFGRADE_BUDGET_REPORT=<file>`` writes all of it as JSON, every sweep job and test
with its seconds, to find what to make faster. A total over ``TFGRADE_SUITE_BUDGET_MIN`` (default 80) fails the
run, so the budget cannot erode silently.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

BUDGET_MIN = float(os.environ.get("TFGRADE_SUITE_BUDGET_MIN", "80"))
TARGET_MIN = 60.0
COURSE_SIZE = 30

_started = time.monotonic()
_durations: dict[str, float] = {}
_waited: dict[str, float] = {}  # nodeid -> seconds spent blocked on the sweep
_backbone: dict[str, str] = {}  # nodeid -> assignment, for tests parametrized over every assignment


def _assignment_of(item) -> str | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    value = params.get("assignment") or params.get("assignment_id")
    return value if isinstance(value, str) else None


def backbone(items) -> dict[str, str]:
    """The items of test functions parametrized over every assignment the session names, with their assignment."""
    covered: dict[tuple, set[str]] = {}
    for item in items:
        if aid := _assignment_of(item):
            covered.setdefault((item.nodeid.split("::")[0], item.originalname), set()).add(aid)
    everyone = set().union(*covered.values()) if covered else set()
    return {item.nodeid: _assignment_of(item) for item in items if _assignment_of(item)
            and len(everyone) > 1 and covered[(item.nodeid.split("::")[0], item.originalname)] == everyone}


def pytest_sessionstart(session):
    global _started
    _started = time.monotonic()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    _backbone.clear()
    _backbone.update(backbone(items))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    from tests import sweep

    before = sweep.waited_s()
    yield
    _waited[item.nodeid] = _waited.get(item.nodeid, 0.0) + sweep.waited_s() - before


def pytest_runtest_logreport(report):
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def summary(job_seconds: dict[str, float] | None = None, jobs: int | None = None) -> dict:
    """The measured total, each assignment's cost, the fixed rest and the projection to a full course."""
    from tests import sweep

    job_seconds = sweep.job_seconds() if job_seconds is None else job_seconds
    jobs = jobs or sweep.JOBS
    total = time.monotonic() - _started
    per_assignment = {aid: seconds / jobs for aid, seconds in job_seconds.items()}
    for nodeid, aid in _backbone.items():
        own = max(_durations.get(nodeid, 0.0) - _waited.get(nodeid, 0.0), 0.0)
        per_assignment[aid] = per_assignment.get(aid, 0.0) + own
    scaling = sum(per_assignment.values())
    rest = max(total - scaling, 0.0)
    mean = scaling / len(per_assignment) if per_assignment else 0.0
    modules: dict[str, float] = {}
    for nodeid, seconds in _durations.items():
        if nodeid not in _backbone:
            module = nodeid.split("::")[0]
            modules[module] = modules.get(module, 0.0) + seconds
    return {"total_s": total, "sweep_s": scaling, "rest_s": rest, "assignments": len(per_assignment),
            "per_assignment_s": per_assignment, "projected_s": rest + mean * COURSE_SIZE, "rest_modules_s": modules}


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
    write(f"suite total {figures['total_s'] / 60:.1f} min: {figures['sweep_s'] / 60:.1f} min grow with the course "
          f"({figures['assignments']} assignments: sweep jobs / SWEEP_JOBS + backbone tests' own time), "
          f"the rest {figures['rest_s'] / 60:.1f} min")
    biggest = sorted(figures["rest_modules_s"].items(), key=lambda kv: -kv[1])[:8]
    if biggest:
        write("the rest's largest modules: " + ", ".join(f"{m} {s / 60:.1f} min" for m, s in biggest))
    from tests import sweep

    slowest = sweep.slowest_jobs(8)
    if slowest:
        write("the sweep's longest jobs: " + ", ".join(f"{job} {seconds:.0f} s" for job, seconds in slowest))
    if figures["assignments"]:
        projected = figures["projected_s"] / 60
        write(f"projected at {COURSE_SIZE} assignments: {projected:.1f} min (target {TARGET_MIN:g}, "
              f"budget {BUDGET_MIN:g})" + ("  WARNING: over the target" if projected > TARGET_MIN else ""))
    if report := os.environ.get("TFGRADE_BUDGET_REPORT"):
        jobs = dict(sweep.slowest_jobs(len(sweep.job_seconds()) * 1000))
        Path(report).write_text(json.dumps({**figures, "sweep_jobs_s": jobs, "tests_s": _durations}, indent=1))
    if figures["total_s"] / 60 > BUDGET_MIN:
        write(f"FAILED: the suite took {figures['total_s'] / 60:.1f} min, over the {BUDGET_MIN:g} min budget "
              "(TFGRADE_SUITE_BUDGET_MIN); make it faster before adding to it", red=True, bold=True)
