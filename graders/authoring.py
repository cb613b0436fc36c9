"""Building an assignment's source notebook from its reference module and manifest.

The reference module is the one source of truth for every solution: each ``# %% [qK]`` section becomes that
question's solution cell verbatim, so the notebook's solution and ``reference/`` cannot drift.
"""

from __future__ import annotations

import re

import nbformat

from graders.course import Assignment
from graders.judge.remote import Cell
from graders.notebook import OTTER_INIT_ID

_SECTION = re.compile(r"^# %% \[(\w+)\]\s*$", re.MULTILINE)
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

# The notebook's first code cell (locked; the grader never runs it). It quiets TensorFlow's C++ start-up logging
# before anything imports TensorFlow, and reports each check so that nbgrader's Validate (which fails a grade cell
# with stderr output, and takes any other result for full credit) says exactly what the public tests found.
OTTER_INIT = '''# Initialize Otter: grader.check("qK") runs the public tests of question K.
import contextlib
import io
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keeps TensorFlow's C++ start-up lines (cuInit, oneDNN) quiet
import otter
from IPython.display import display


class PublicChecks(otter.Notebook):
    """otter's checks, reported so that nbgrader's Validate agrees with them.

    The result is displayed, not returned. A check that fails says so on stderr, so Validate counts the question as
    failed; one that passes leaves nothing on stderr: whatever else was written there while the tests ran (a
    library's warning) is shown as ordinary output, so it cannot fail a correct answer.
    """

    def check(self, question, global_env=None):
        captured = io.StringIO()
        with contextlib.redirect_stderr(captured):
            result = super().check(question, global_env or sys._getframe(1).f_globals)
        print(captured.getvalue(), end="")
        failed = [case.test_case.name for case in result.test_case_results if not case.passed]
        if failed:
            print(f"{question}: public tests failed: {', '.join(failed)} (details below)", file=sys.stderr)
        display(result)


grader = PublicChecks()'''


def reference_sections(assignment: Assignment) -> dict[str, str]:
    """The reference module split at its ``# %% [name]`` markers, in order: ``setup`` then ``q1`` ... ."""
    text = assignment.reference_module.read_text()
    parts = _SECTION.split(text)
    sections = {name: body.strip("\n") + "\n" for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    expected = ["setup"] + [q.id for q in assignment.questions]
    if list(sections) != expected:
        raise ValueError(f"{assignment.reference_module}: sections are {list(sections)}, expected {expected}")
    return sections


def reference_cells(assignment: Assignment) -> list[Cell]:
    """The reference worker's cells: the same sections the source notebook holds, in the same order."""
    return [Cell(index=i, source=body, question=None if name == "setup" else name)
            for i, (name, body) in enumerate(reference_sections(assignment).items())]


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _points(value: float):
    return int(value) if float(value).is_integer() else value


def build_source_notebook(assignment: Assignment) -> nbformat.NotebookNode:
    """The instructor notebook, with nbgrader markup, generated from the reference and the manifest."""
    sections = reference_sections(assignment)
    new_md, new_code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    total = _points(assignment.max_score)
    cells = [
        new_md(f"# {assignment.title}\n\n{assignment.intro.strip()}\n\n"
               f"This assignment has {len(assignment.questions)} questions worth {total} points. Run the "
               "`grader.check(\"qK\")` cell under each question to run its public tests; hidden tests decide the "
               "grade.",
               metadata=_meta("intro", locked=True), id="intro"),
        new_code(OTTER_INIT, metadata=_meta(OTTER_INIT_ID, locked=True), id=OTTER_INIT_ID),
        new_code(sections["setup"].rstrip("\n"), metadata=_meta("setup", locked=True), id="setup"),
    ]
    for number, question in enumerate(assignment.questions, start=1):
        qid = question.id
        cells += [
            new_md(f"## Question {number}: {question.title} ({_points(question.points)} points)\n\n"
                   f"{question.prompt.strip()}", metadata=_meta(f"{qid}_prompt", locked=True), id=f"{qid}_prompt"),
            new_code(sections[qid].rstrip("\n"), metadata=_meta(f"{qid}_solution", solution=True),
                     id=f"{qid}_solution"),
            new_code(f'grader.check("{qid}")', metadata=_meta(qid, grade=True, locked=True,
                                                               points=_points(question.points)), id=qid),
        ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {"kernelspec": KERNELSPEC,
                         "language_info": {"name": "python", "version": "3.11"}}
    return notebook


def render(notebook: nbformat.NotebookNode) -> str:
    """The notebook as the exact text committed to the repository."""
    return nbformat.writes(notebook) + "\n"
