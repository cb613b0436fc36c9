"""Building submissions from the source notebook: the correct one, a blank one, or one with some sections replaced.

Used by the wrong-submission fixtures of the tests, the demo and the benchmarks, so that every fabricated submission
goes through the same notebook structure a student would hand in.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat

from graders.authoring import _SECTION, reference_sections
from graders.course import Assignment
from graders.notebook import grade_id, read_notebook

_EXPECT = re.compile(r"^# expect: (\{.*\})\s*$", re.MULTILINE)


def load_variant(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Reads a wrong-submission fixture: ``# expect: {...}`` and ``# %% [qK]`` replacement sections.

    Returns:
        ``(sections, expectations)``: replacement source per question, and the expected outcome per question
        (``full``, ``zero``, ``partial`` or ``below_full``; questions not named are expected to be ``full``).
    """
    text = Path(path).read_text()
    match = _EXPECT.search(text)
    expectations = ast.literal_eval(match.group(1)) if match else {}
    parts = _SECTION.split(text)
    sections = {name: body.strip("\n") + "\n" for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    return sections, expectations


def with_sections(assignment: Assignment, sections: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The release notebook as a student hands it in.

    Every solution cell is filled with the reference's section, except the questions in ``sections``, which get that
    code instead.
    """
    answers = dict(reference_sections(assignment), **(sections or {}))
    notebook = copy.deepcopy(read_notebook(assignment.release_notebook))
    for cell in notebook.cells:
        gid = grade_id(cell) or ""
        question = gid.removesuffix("_solution")
        if gid.endswith("_solution") and question in answers:
            cell.source = answers[question].rstrip("\n")
    return notebook


def blank(assignment: Assignment) -> nbformat.NotebookNode:
    """The unmodified release notebook, as a student who did nothing would submit it."""
    return read_notebook(assignment.release_notebook)


def meets(score: float, max_score: float, expectation: str) -> bool:
    """Whether a question's score matches an expectation word of a fixture."""
    return {"full": abs(score - max_score) < 1e-9, "zero": score == 0, "partial": 0 < score < max_score,
            "below_full": score < max_score - 1e-9}[expectation]
