"""What an instructor's class report reads: nbgrader's gradebook, the batch ledger and the stored grades.

- nbgrader's gradebook (the ledger of record): each student's score per question, the late penalty;
- the batch ledger under ``gradebook/.tfgrade/ledger/<ID>/`` (``graders.autograde``): each student's state, the
  reasons of questions scored with one, what could not be recorded and why;
- the stored grades under ``gradebook/.tfgrade/results/`` (``graders.grade``): per hidden test, passed or not, its
  message and duration, and the whole grading time. A student's stored grade is found by the same key grading used,
  so a grade made by another version of the engine or tests is not found (the report says how many).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from graders import source_policy
from graders.autograde import Batch, Submission
from graders.grade import GradeResult
from graders.notebook import InvalidNotebook, executable_cells, read_notebook
from graders.notebook_scan import global_changes


@dataclass
class StudentRow:
    """One student's submission of the assignment, as the records tell it."""

    student: str
    path: Path
    sha256: str = ""
    state: str = "not graded"  # recorded, graded, failed, not graded
    score: float | None = None  # from the gradebook, before the late penalty
    late_penalty: float = 0.0
    questions: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    error: str = ""
    note: str = ""
    result: GradeResult | None = None
    global_changes: list[str] = field(default_factory=list)  # notebook-wide settings its cells make
    policy_hits: list[str] = field(default_factory=list)  # tampering tools its cells name (graders.source_policy)


@dataclass
class ClassData:
    """Everything the report shows about one assignment's class."""

    assignment: object  # graders.course.Assignment
    rows: list[StudentRow]

    @property
    def graded(self) -> list[StudentRow]:
        return [r for r in self.rows if r.score is not None]

    def failed_tests(self) -> list[tuple[str, str, int, list[tuple[str, int]]]]:
        """``(question, test, times failed, [(message's first line, count), ...])``, most often failed first."""
        counts: Counter = Counter()
        messages: dict[tuple[str, str], Counter] = {}
        for row in self.rows:
            for qid, question in (row.result.questions.items() if row.result else ()):
                for test in question.tests:
                    if not test.passed:
                        counts[(qid, test.name)] += 1
                        first = next((line.strip() for line in test.message.splitlines() if line.strip()), "")
                        messages.setdefault((qid, test.name), Counter())[first[:200]] += 1
        return [(qid, name, n, messages[(qid, name)].most_common(3)) for (qid, name), n in counts.most_common()]

    def reasons(self) -> dict[str, list[tuple[str, str]]]:
        """``{reason: [(student, question), ...]}`` for every question scored with a reason."""
        found: dict[str, list[tuple[str, str]]] = {}
        for row in self.rows:
            for qid, reason in sorted(row.reasons.items()):
                found.setdefault(reason, []).append((row.student, qid))
        return dict(sorted(found.items()))

    def identical(self) -> list[list[str]]:
        """Groups of students who handed in byte-identical notebooks."""
        groups: dict[str, list[str]] = {}
        for row in self.rows:
            if row.sha256:
                groups.setdefault(row.sha256, []).append(row.student)
        return [sorted(g) for g in groups.values() if len(g) > 1]


def collect(assignment_id: str, course: Path | None = None) -> ClassData:
    """Reads the gradebook, the ledger and the stored grades of an assignment's submissions."""
    from nbgrader.api import Gradebook, MissingEntry

    batch = Batch(assignment_id, course=course, progress=False)
    assignment = batch.assignment
    source = read_notebook(assignment.source_notebook)
    reference = None
    rows = []
    api = batch.gradebook()
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        for submission in batch.submissions():
            row = StudentRow(submission.student, submission.path)
            try:
                data = submission.path.read_bytes()
                row.sha256 = hashlib.sha256(data).hexdigest()
            except OSError:
                data = b""
            entry = batch.ledger.get(batch._ledger_key(submission.student)) or {}
            if entry.get("student") == submission.student:
                row.state = entry.get("state", row.state)
                row.reasons = dict(entry.get("reasons", {}))
                row.error = entry.get("error", "")
                row.note = entry.get("recorded_without_nbgrader", "")
            try:
                recorded = gradebook.find_submission(assignment.id, submission.student)
                row.score = float(recorded.score)
                row.late_penalty = float(recorded.late_submission_penalty or 0.0)
                row.questions = {g.name: float(g.score) for nb in recorded.notebooks for g in nb.grades}
            except MissingEntry:
                pass
            key = batch.result_key(Submission(submission.student, submission.path))
            stored = batch.results.get(key) if key else None
            if stored is not None:
                try:
                    row.result = GradeResult.from_json(stored)
                except (KeyError, TypeError, ValueError):
                    row.result = None
            try:
                cells = executable_cells(read_notebook(data), source) if data else []
            except InvalidNotebook:
                cells = []
            if reference is None:
                from graders.authoring import reference_cells

                reference = reference_cells(assignment)
            row.global_changes = [f"cell {c.cell}: {c.call}" for c in global_changes(cells, reference)]
            row.policy_hits = [hit.message() for hit in source_policy.tampering(cells, reference)]
            rows.append(row)
    return ClassData(assignment, rows)
