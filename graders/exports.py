"""Grade exports: nbgrader export plugins (per-question CSV, Canvas gradebook CSV) and Gradescope's results.json.

The plugins read nbgrader's gradebook, so they work after ``nbgrader autograde`` and after ``tfgrade autograde`` alike::

    nbgrader export --exporter=graders.exports.PerQuestionCsv --to=per-question.csv
    nbgrader export --exporter=graders.exports.CanvasCsv --to=canvas.csv
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _selected(rows, wanted, attribute: str) -> list:
    """The gradebook rows (assignments or students) named in ``wanted``; all of them when it is empty."""
    wanted = {str(w) for w in wanted}
    return [row for row in rows if not wanted or getattr(row, attribute) in wanted]


class PerQuestionCsv(ExportPlugin):
    """One row per student, assignment and question: the question's score, its maximum and the late penalty.

    A student with no submission gets rows of zeros, as nbgrader's own CSV export gives them a zero total.
    """

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades-per-question.csv"
        self.log.info("Exporting per-question grades to %s", dest)
        with open(dest, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["assignment", "student_id", "notebook", "question", "score", "max_score",
                             "submission_timestamp"])
            for assignment in _selected(gradebook.assignments, self.assignment, "name"):
                for student in _selected(gradebook.students, self.student, "id"):
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        for notebook in assignment.notebooks:
                            for cell in notebook.grade_cells:
                                writer.writerow([assignment.name, student.id, notebook.name, cell.name, 0.0,
                                                 cell.max_score, ""])
                        continue
                    for notebook in submission.notebooks:
                        for grade in sorted(notebook.grades, key=lambda g: g.name):
                            writer.writerow([assignment.name, student.id, notebook.name, grade.name, grade.score,
                                             grade.max_score, submission.timestamp or ""])


class CanvasCsv(ExportPlugin):
    """A gradebook CSV that Canvas imports: one row per student, one column per assignment.

    Students are matched on "SIS User ID" (the nbgrader student id). The second row gives each assignment's
    "Points Possible". Assignment columns are named by the nbgrader assignment name; on import Canvas offers to create
    the assignments it does not know, or to map them to existing ones.
    """

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "canvas.csv"
        self.log.info("Exporting a Canvas gradebook to %s", dest)
        assignments = _selected(gradebook.assignments, self.assignment, "name")
        with open(dest, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CANVAS_IDENTITY + [a.name for a in assignments])
            writer.writerow(["Points Possible", "", "", "", ""] + [f"{a.max_score:g}" for a in assignments])
            for student in _selected(gradebook.students, self.student, "id"):
                name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
                row = [name, "", student.id, student.id, ""]
                for assignment in assignments:
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.append("")  # no submission: left blank, Canvas shows it as missing, not as zero
                        continue
                    penalty = submission.late_submission_penalty or 0.0
                    row.append(f"{round(max(0.0, submission.score - penalty), 2):g}")
                writer.writerow(row)


GRADESCOPE_VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")


def write_gradescope(result, path: Path, visibility: str = "after_published", *, values: bool = False) -> None:
    """Gradescope's autograder ``results.json``: the total, one entry per hidden test, feedback text per question.

    Args:
        result: The ``GradeResult``.
        path: Where to write it.
        visibility: When students see the hidden tests' names and messages (Gradescope's ``visibility``: ``hidden``,
            ``after_due_date``, ``after_published`` or ``visible``). The total score is shown as Gradescope shows it.
        values: Also show the expected values behind failed checks (the manifest's ``feedback = "values"``).
    """
    if visibility not in GRADESCOPE_VISIBILITY:
        raise ValueError(f"visibility must be one of {', '.join(GRADESCOPE_VISIBILITY)}, not {visibility!r}")
    tests = []
    for qid, question in result.questions.items():
        if not question.tests:
            tests.append({"name": f"{qid}: graded", "score": 0.0, "max_score": question.max_score,
                          "status": "failed", "visibility": visibility,
                          "output": "\n".join([question.reason or "not graded", *question.cell_errors])})
        for test in question.tests:
            entry = {"name": f"{qid}: {test.name}", "score": test.points if test.passed else 0.0,
                     "max_score": test.points, "status": "passed" if test.passed else "failed",
                     "visibility": visibility}
            if not test.passed:
                entry["output"] = "\n".join(filter(None, [question.reason, test.message,
                                                          test.values if values else ""]))
            tests.append(entry)
    payload = {"score": result.score, "execution_time": round(result.duration_s, 2), "visibility": visibility,
               "stdout_visibility": "hidden", "tests": tests,
               "output": f"{result.assignment}: {round(result.score, 2):g} / {round(result.max_score, 2):g}"
                         f"{'' if result.sandboxed else ' (NOT SANDBOXED)'}"}
    Path(path).write_text(json.dumps(payload, indent=2) + "\n")
