"""Grading one notebook: run the judge over the assignment's hidden tests and fold the outcome."""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graders import authoring, notebook, notebook_scan, scoring
from graders.course import Assignment, load_assignment
from graders.judge import launcher
from graders.judge.plugin import GradingError
from graders.store import JsonStore, digest

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
    reference: dict = field(default_factory=dict)  # how the reference answered: started, replayed, stored
    reused: bool = False  # read back from stored results instead of graded now

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

    @classmethod
    def from_json(cls, data: dict) -> GradeResult:
        """The inverse of ``to_json``; raises KeyError or TypeError on a record that is not one."""
        questions = {qid: scoring.from_dict(q) for qid, q in data["questions"].items()}
        return cls(data["assignment"], data["notebook"], questions, bool(data["sandboxed"]),
                   float(data["duration_s"]), list(data["errors"]))


def grade_notebook(submission, assignment_id: str | Assignment, *, sandboxed: bool = True,
                   name: str | None = None, results: JsonStore | None = None,
                   reference_answers: Path | None = None, questions: list[str] | None = None,
                   stop_after_failure: Iterable[str] = (),
                   test_costs: Mapping[str, float] | None = None) -> GradeResult:
    """Grades a notebook (path, bytes, dict or NotebookNode) against the assignment's hidden tests.

    Args:
        submission: The notebook.
        assignment_id: The assignment (id or loaded).
        sandboxed: Run the workers under bubblewrap.
        name: The label of the notebook in the result.
        results: Stored grades, keyed by what a grade depends on (the assignment's fingerprint and the cells that
            run): a notebook already graded is read back, and a new grade is stored.
        reference_answers: A folder of stored reference answers to replay (see ``graders.judge.replay``).
        questions: Grade only these questions (the result has only them); for authors calibrating one question.
        stop_after_failure: Questions whose remaining hidden tests are skipped (and count as failed) once one fails:
            their score then says only whether it is below full marks. For the project's wrong-submission fixtures
            and mutants, never for a student's grade.
        test_costs: Seconds each hidden test took before (``"q1::test_name"``, from an earlier grading's
            ``duration_s``): a ``stop_after_failure`` question runs its cheapest tests first, so a failure that a
            quick test finds does not wait for the slow ones. Only those questions are reordered.

    Raises:
        GradingError: grading itself could not be done. A broken submission is not an error: it scores zero with a
            named reason.
    """
    started = time.monotonic()
    assignment = assignment_id if isinstance(assignment_id, Assignment) else load_assignment(assignment_id)
    label = name or (str(submission) if isinstance(submission, (str, Path)) else "<notebook>")
    graded = assignment
    if questions:
        unknown = sorted(set(questions) - {q.id for q in assignment.questions})
        if unknown:
            raise ValueError(f"{assignment.id} has no question {', '.join(unknown)}")
        graded = dataclasses.replace(assignment, questions=tuple(q for q in assignment.questions if q.id in questions))
    source = notebook.read_notebook(assignment.source_notebook)
    try:
        submitted = notebook.read_notebook(submission)
    except notebook.InvalidNotebook as exc:
        return GradeResult(assignment.id, label, scoring.zero(graded, "invalid_notebook", str(exc)), sandboxed,
                           time.monotonic() - started)
    cells = notebook.executable_cells(submitted, source)
    stop_after_failure = sorted(set(stop_after_failure))
    key = results_key(graded, cells, sandboxed, stop_after_failure) if results is not None else None
    stored = results.get(key) if key else None
    if stored is not None:
        try:
            return dataclasses.replace(GradeResult.from_json(stored), notebook=label, reused=True)
        except (KeyError, TypeError, ValueError):
            pass  # not a result: grade afresh
    with tempfile.TemporaryDirectory(prefix="tfgrade-job-") as job_dir:
        raw = run_judge(assignment, cells, Path(job_dir), sandboxed=sandboxed, reference_answers=reference_answers,
                        questions=[q.id for q in graded.questions], stop_after_failure=stop_after_failure,
                        test_costs=test_costs)
    failures: dict[str, list] = {}
    for cell in cells:
        outcome = raw["cells"].get(str(cell.index))
        if outcome and not outcome.get("ok") and cell.question:
            kind = raw["killed_by"].get(str(cell.index), outcome.get("kind"))
            failures.setdefault(cell.question, []).append(
                (kind, f"cell {cell.index + 1}: {outcome.get('message') or kind}"))
    questions = scoring.fold(graded, raw["tests"], failures)
    changes = notebook_scan.global_changes(cells, authoring.reference_cells(assignment))
    scoring.annotate(questions, [change.note() for change in changes])
    result = GradeResult(assignment.id, label, questions, sandboxed, time.monotonic() - started, raw["errors"],
                         reference=raw.get("reference", {}))
    if key:
        results.put(key, result.to_json())
    return result


def results_key(assignment: Assignment, cells, sandboxed: bool, stop_after_failure=()) -> str:
    """What a grade depends on: the assignment (tests, reference, engine) and exactly the code that runs."""
    parts = [assignment.fingerprint(), str(sandboxed), ",".join(q.id for q in assignment.questions),
             json.dumps([vars(c) for c in cells], sort_keys=True)]
    return digest(*parts, *(["stop after failure: " + ",".join(stop_after_failure)] if stop_after_failure else []))


def run_judge(assignment: Assignment, cells, job_dir: Path, *, sandboxed: bool,
              reference_answers: Path | None = None, questions: list[str] | None = None,
              stop_after_failure: list[str] | None = None, test_costs: Mapping[str, float] | None = None) -> dict:
    """Runs the hidden suite in a separate trusted pytest process and returns its raw results."""
    job = {
        "assignment": assignment.id, "sandboxed": sandboxed,
        "probes": str(assignment.probes) if assignment.probes.is_file() else None,
        "budget": {"cell_timeout_s": assignment.budget.cell_timeout_s,
                   "call_timeout_s": assignment.budget.call_timeout_s, "memory_mb": assignment.budget.memory_mb,
                   "scratch_mb": assignment.budget.scratch_mb},
        "thresholds": {q.id: q.thresholds for q in assignment.questions},
        "student_cells": [vars(c) for c in cells],
        "reference_cells": [vars(c) for c in authoring.reference_cells(assignment)],
        "reference_answers": str(reference_answers) if reference_answers else None,
        "questions": questions,
        "stop_after_failure": stop_after_failure or [],
        "test_costs": dict(test_costs or {}) if stop_after_failure else {},
    }
    job_path = job_dir / "job.json"
    job_path.write_text(json.dumps(job))
    argv = ["-c", str(JUDGE_INI), "--rootdir", str(assignment.hidden_tests), "-p", "graders.judge.plugin",
            "--tfgrade-job", str(job_path), str(assignment.hidden_tests)]
    output = job_dir / "judge.log"
    judge = launcher.start_judge(argv, str(assignment.root), str(output), suite_imports(assignment.hidden_tests))
    if judge.wait(assignment.budget.judge_timeout_s) is None:
        judge.kill()
        raise GradingError(f"the judge ran past {assignment.budget.judge_timeout_s:g} s") from None
    if judge.error:
        raise GradingError(f"the judge could not run: {judge.error}")
    results_path = job_dir / "results.json"
    if not results_path.is_file():
        raise GradingError(f"the judge ended without results (exit {judge.returncode}):\n{_tail(output)}")
    raw = json.loads(results_path.read_text())
    if raw["exitstatus"] not in (0, 1):
        raise GradingError(f"the judge could not run the hidden tests (exit {raw['exitstatus']}):\n{_tail(output)}")
    if raw["errors"]:
        raise GradingError("; ".join(raw["errors"])[:4000])
    return raw


_IMPORT = re.compile(r"^(?:from|import)\s+([\w.]+)", re.MULTILINE)


def suite_imports(folder: Path) -> tuple[str, ...]:
    """The modules a hidden suite's test files import at their top (for the judge server to load ahead)."""
    modules: dict[str, None] = {}
    for path in sorted(folder.glob("test_*.py")):
        try:
            modules.update(dict.fromkeys(_IMPORT.findall(path.read_text())))
        except OSError:
            continue
    return tuple(modules)


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""
