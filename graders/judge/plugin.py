"""The judge's pytest plugin: fixtures for hidden tests, question and points markers, and the result file.

Loaded with ``-p graders.judge.plugin --tfgrade-job JOB.json``. The job file names the assignment and the cells of
both workers; the plugin writes ``results.json`` next to it. Messages come from exceptions only, never from test
source: assertion rewriting is off, so a hidden test's text cannot leak into feedback.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from graders import source_policy, wire
from graders.checks import CheckFailed
from graders.judge.remote import Cell, Remote, StudentOutputs
from graders.judge.replay import ReplayingRemote
from graders.judge.worker_process import WorkerConfig
from graders.sandbox import Limits
from graders.store import JsonStore

MAX_MESSAGE_CHARS = 1500


class GradingError(RuntimeError):
    """Grading itself could not be done (sandbox unavailable, reference broken); not the student's fault."""


class ReferenceFailure(GradingError):
    """The reference worker failed a call: the hidden test or the reference is broken."""


def pytest_addoption(parser):
    parser.addoption("--tfgrade-job", help="job file written by graders.grade")


def pytest_configure(config):
    config.addinivalue_line("markers", "question(id): the question a hidden test belongs to")
    config.addinivalue_line("markers", "points(weight): the test's weight inside its question (default 1)")
    job_path = config.getoption("--tfgrade-job")
    if job_path:
        config.pluginmanager.register(Judge(Path(job_path)), "tfgrade-judge")


class _ReferenceRemote(ReplayingRemote):
    """The reference worker: a failure there is the course's bug, never the student's.

    With a store of reference answers (a batch), it replays them and starts no worker until one is missing.
    """

    student_outputs: StudentOutputs | None = None

    def _request(self, header, args=(), kwargs=None):
        try:
            return super()._request(header, args, kwargs)
        except wire.RemoteError as exc:
            if self.student_outputs is not None and self.student_outputs.carries(args, kwargs):
                raise CheckFailed(f"the reference could not use what your code returned ({exc.reason}: "
                                  f"{str(exc)[:500]})") from None
            raise ReferenceFailure(f"the reference failed ({exc.reason}): {exc}") from None


class Judge:
    """Holds the two workers for the session and records every test's outcome."""

    def __init__(self, job_path: Path):
        self.job_path = job_path
        self.job = json.loads(job_path.read_text())
        budget = self.job["budget"]
        config = WorkerConfig(assignment=self.job["assignment"], sandboxed=self.job["sandboxed"],
                              limits=Limits(memory_mb=int(budget["memory_mb"])), probes=self.job.get("probes"))
        timeouts = {"cell_timeout": float(budget["cell_timeout_s"]), "call_timeout": float(budget["call_timeout_s"]),
                    "scratch_mb": int(budget.get("scratch_mb", 0))}
        self.config, self.timeouts = config, timeouts
        answers = self.job.get("reference_answers")
        self.remotes = {
            "student": Remote("student", config, [Cell(**c) for c in self.job["student_cells"]], **timeouts),
            "reference": _ReferenceRemote("reference", config, [Cell(**c) for c in self.job["reference_cells"]],
                                          answers=JsonStore(Path(answers)) if answers else None, **timeouts),
        }
        student = self.remotes["student"]
        student.course_cells = self.remotes["reference"].cells
        student.tampering = source_policy.tampering(student.cells, student.course_cells)
        student.outputs = self.remotes["reference"].student_outputs = StudentOutputs()
        self.start_errors: dict[str, BaseException] = {}
        self.results: list[dict] = []
        self.errors: list[str] = []
        # Questions whose remaining tests are skipped once one fails: their score is then only "below full marks",
        # which is all a wrong-submission fixture or a mutant asks (the sweep and ``tfgrade mutants`` set it).
        self.stop_after_failure = set(self.job.get("stop_after_failure") or ())
        self.failed: set[str] = set()
        self._starters = {role: threading.Thread(target=self._start, args=(role,), daemon=True)
                          for role in self.remotes}

    def _start(self, role: str) -> None:
        try:
            self.remotes[role].start()
        except BaseException as exc:  # recorded and re-raised in the test that needs the worker
            self.start_errors[role] = exc

    def remote(self, role: str) -> Remote:
        starter = self._starters[role]
        if role == "reference" and self.remotes[role].answers is not None and starter.ident is None:
            return self.remotes[role]  # replays stored answers; starts its worker on the first miss
        if starter.ident is None:
            starter.start()
        starter.join()
        error = self.start_errors.get(role)
        if error is not None and not self.remotes[role].started:
            if role == "reference" or not isinstance(error, wire.RemoteError):
                raise GradingError(f"the {role} worker could not start: {error}")
            raise error
        return self.remotes[role]

    # -- hooks --------------------------------------------------------------------------------------------------

    def pytest_sessionstart(self, session):
        reference = self.remotes["reference"]
        # The reference starts beside the student (the import cost overlaps) unless its answers are replayed: then
        # only the judge that leads the priming of a new store needs it from the start.
        eager = reference.answers is None or reference.priming.begin() == "leader"
        for role, starter in self._starters.items():
            if role == "student" or eager:
                starter.start()

    def pytest_collection_modifyitems(self, session, config, items):
        questions = set(self.job["thresholds"])
        for item in items:
            marker = item.get_closest_marker("question")
            if marker is None or marker.args[0] not in questions:
                raise pytest.UsageError(
                    f"{item.nodeid}: needs @pytest.mark.question(id) with one of {sorted(questions)}")
        only = self.job.get("questions")
        if only:
            dropped = [i for i in items if i.get_closest_marker("question").args[0] not in only]
            items[:] = [i for i in items if i.get_closest_marker("question").args[0] in only]
            config.hook.pytest_deselected(items=dropped)
        costs = self.job.get("test_costs") or {}
        if costs and self.stop_after_failure:
            items[:] = _cheapest_first(items, costs, self.stop_after_failure)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        question = item.get_closest_marker("question").args[0]
        if question in self.stop_after_failure and question in self.failed:
            pytest.skip(f"not run: {question} already failed a test, and this grading asks only whether it does")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self._record(item, report, call)

    def _record(self, item, report, call) -> None:
        weight = item.get_closest_marker("points")
        entry = {"name": item.originalname or item.name, "nodeid": item.nodeid,
                 "question": item.get_closest_marker("question").args[0],
                 "weight": float(weight.args[0]) if weight else 1.0,
                 "passed": report.passed, "reason": None, "message": "",
                 "duration_s": round(report.duration, 3)}
        if call.excinfo is not None and not report.passed:
            exc = call.excinfo.value
            if isinstance(exc, GradingError):
                self.errors.append(f"{item.nodeid}: {exc}")
                entry["reason"] = "grading_error"
            elif isinstance(exc, wire.RemoteError):
                entry["reason"] = exc.reason
            entry["message"] = _message(exc)
            if isinstance(exc, CheckFailed) and exc.values:
                entry["values"] = str(exc.values)[:MAX_MESSAGE_CHARS]
        elif report.skipped:
            entry["message"] = "skipped"
        if not report.passed:
            self.failed.add(entry["question"])
        self.results.append(entry)

    def pytest_sessionfinish(self, session, exitstatus):
        for remote in self.remotes.values():
            remote.close()
        student = self.remotes["student"]
        payload = {"tests": self.results, "errors": self.errors, "exitstatus": int(exitstatus),
                   "cells": {str(k): v for k, v in student.cell_results.items()},
                   "killed_by": {str(k): v for k, v in student.killed_by.items()},
                   "restarts": student.restarts,
                   "reference": {"started": self.remotes["reference"].started,
                                 "replayed": self.remotes["reference"].replayed,
                                 "stored": self.remotes["reference"].stored,
                                 "followed": self.remotes["reference"].followed}}
        (self.job_path.parent / "results.json").write_text(json.dumps(payload))

    # -- fixtures -------------------------------------------------------------------------------------------------

    @pytest.fixture(scope="session")
    def student(self) -> Remote:
        return self.remote("student")

    @pytest.fixture(scope="session")
    def reference(self) -> Remote:
        return self.remote("reference")

    @pytest.fixture(scope="session")
    def inspector(self) -> Remote:
        """A worker that runs only course code, for the student's artefacts (``graders.judge.inspector``)."""
        if "inspector" not in self.remotes:
            timeouts = dict(self.timeouts, scratch_mb=0)  # never the student's scratch folder
            self.remotes["inspector"] = Remote("inspector", self.config, [], **timeouts)
        return self.remotes["inspector"]

    @pytest.fixture
    def rng(self, request) -> np.random.Generator:
        return np.random.default_rng(self._seed(request))

    @pytest.fixture
    def thresholds(self, request) -> dict:
        return dict(self.job["thresholds"][request.node.get_closest_marker("question").args[0]])

    @pytest.fixture(autouse=True)
    def _same_seed_in_both_workers(self, request):
        seed = self._seed(request) % 2**31
        question = request.node.get_closest_marker("question").args[0]
        self.remotes["student"].outputs.clear()
        for remote in self.remotes.values():
            remote.reseed(seed)
            remote.question = question

    def _seed(self, request) -> int:
        digest = hashlib.sha256(f"{self.job['assignment']}::{request.node.nodeid}".encode()).digest()
        return int.from_bytes(digest[:8], "big")


def _cheapest_first(items: list, costs: dict, questions: set[str]) -> list:
    """Each listed question's tests by their known cost, cheapest first, inside their own file.

    A file's tests stay together, so its module-scoped fixtures are built once; every other test keeps its place.
    """
    def question(item) -> str:
        return item.get_closest_marker("question").args[0]

    blocks: list[list] = []
    for item in items:
        if blocks and blocks[-1][0].path == item.path:
            blocks[-1].append(item)
        else:
            blocks.append([item])
    ordered = []
    for block in blocks:
        if question(block[0]) in questions:
            block = sorted(block, key=lambda i: costs.get(f"{question(i)}::{i.originalname or i.name}", 0.0))
        ordered += block
    return ordered


def _message(exc: BaseException) -> str:
    if isinstance(exc, AssertionError):
        text = str(exc) or "a check failed"
    elif isinstance(exc, wire.RemoteError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_MESSAGE_CHARS]
