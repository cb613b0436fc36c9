"""Grading one notebook: run the judge over the assignment's hidden tests and fold the outcome."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from graders import authoring, notebook, scoring
from graders.course import Assignment, load_assignment
from graders.judge.plugin import GradingError

JUDGE_INI = Path(__file__).resolve().parent / "judge" / "pytest.ini"


@dataclass
class GradeResult:
    """The outcome of grading one notebook; ``to_json()`` is the machine-readable form CI reads."""

    assignment: str
    notebook: str
    questions: dict[str, scoring.QuestionResult]
    sandboxed: bool
    duration_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(q.score for q in self.questions.values()), 4)

    @property
    def max_score(self) -> float:
        return round(sum(q.max_score for q in self.questions.values()), 4)

    def to_json(self) -> dict:
        return {"assignment": self.assignment, "notebook": self.notebook, "score": self.score,
                "max_score": self.max_score, "sandboxed": self.sandboxed, "duration_s": round(self.duration_s, 2),
                "errors": self.errors,
                "questions": {qid: scoring.as_dict(q) for qid, q in self.questions.items()}}


def grade_notebook(submission, assignment_id: str | Assignment, *, sandboxed: bool = True,
                   name: str | None = None) -> GradeResult:
    """Grades a notebook (path, bytes, dict or NotebookNode) against the assignment's hidden tests.

    Raises:
        GradingError: grading itself could not be done. A broken submission is not an error: it scores zero with a
            named reason.
    """
    started = time.monotonic()
    assignment = assignment_id if isinstance(assignment_id, Assignment) else load_assignment(assignment_id)
    label = name or (str(submission) if isinstance(submission, (str, Path)) else "<notebook>")
    source = notebook.read_notebook(assignment.source_notebook)
    try:
        submitted = notebook.read_notebook(submission)
    except notebook.InvalidNotebook as exc:
        return GradeResult(assignment.id, label, scoring.zero(assignment, "invalid_notebook", str(exc)), sandboxed,
                           time.monotonic() - started)
    cells = notebook.executable_cells(submitted, source)
    with tempfile.TemporaryDirectory(prefix="tfgrade-job-") as job_dir:
        raw = run_judge(assignment, cells, Path(job_dir), sandboxed=sandboxed)
    failures: dict[str, list] = {}
    for cell in cells:
        outcome = raw["cells"].get(str(cell.index))
        if outcome and not outcome.get("ok") and cell.question:
            kind = raw["killed_by"].get(str(cell.index), outcome.get("kind"))
            failures.setdefault(cell.question, []).append(
                (kind, f"cell {cell.index + 1}: {outcome.get('message') or kind}"))
    questions = scoring.fold(assignment, raw["tests"], failures)
    return GradeResult(assignment.id, label, questions, sandboxed, time.monotonic() - started, raw["errors"])


def run_judge(assignment: Assignment, cells, job_dir: Path, *, sandboxed: bool) -> dict:
    """Runs the hidden suite in a separate trusted pytest process and returns its raw results."""
    job = {
        "assignment": assignment.id, "sandboxed": sandboxed,
        "budget": {"cell_timeout_s": assignment.budget.cell_timeout_s,
                   "call_timeout_s": assignment.budget.call_timeout_s, "memory_mb": assignment.budget.memory_mb,
                   "scratch_mb": assignment.budget.scratch_mb},
        "thresholds": {q.id: q.thresholds for q in assignment.questions},
        "student_cells": [vars(c) for c in cells],
        "reference_cells": [vars(c) for c in authoring.reference_cells(assignment)],
    }
    job_path = job_dir / "job.json"
    job_path.write_text(json.dumps(job))
    argv = [sys.executable, "-m", "pytest", "-c", str(JUDGE_INI), "--rootdir", str(assignment.hidden_tests),
            "-p", "graders.judge.plugin", "--tfgrade-job", str(job_path), str(assignment.hidden_tests)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TF_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")])
    try:
        proc = subprocess.run(argv, cwd=assignment.root, env=env, capture_output=True, text=True,
                              timeout=assignment.budget.judge_timeout_s)
    except subprocess.TimeoutExpired:
        raise GradingError(f"the judge ran past {assignment.budget.judge_timeout_s:g} s") from None
    results_path = job_dir / "results.json"
    if not results_path.is_file():
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise GradingError(f"the judge ended without results (exit {proc.returncode}):\n{tail}")
    raw = json.loads(results_path.read_text())
    if raw["exitstatus"] not in (0, 1):
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise GradingError(f"the judge could not run the hidden tests (exit {raw['exitstatus']}):\n{tail}")
    if raw["errors"]:
        raise GradingError("; ".join(raw["errors"])[:4000])
    return raw
