"""Reading submissions defensively and deciding which of their cells run.

Points and questions come from the assignment, never from the submission: locked cells are restored from the source
notebook by ``grade_id``, test cells never run, and whatever metadata a student edited is ignored for scoring.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from graders.judge.remote import Cell

MAX_NOTEBOOK_BYTES = 32 << 20
OTTER_INIT_ID = "otter_init"
_QUESTION_ID = re.compile(r"^(q\d+)(?:_|$)")


class InvalidNotebook(ValueError):
    """The submission is not a notebook we can read."""


def read_notebook(source: Path | str | bytes | dict) -> nbformat.NotebookNode:
    """Reads a notebook from a path, bytes or a dict, with a size cap; raises InvalidNotebook with the reason."""
    if isinstance(source, dict):
        # The same cap as for a file: a notebook that nbgrader has already parsed is no exception.
        if len(json.dumps(source)) > MAX_NOTEBOOK_BYTES:
            raise InvalidNotebook(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
        return nbformat.from_dict(source)
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                raise InvalidNotebook(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
            source = path.read_bytes()
        except OSError as exc:
            raise InvalidNotebook(f"the notebook cannot be read: {exc.strerror}") from None
    if len(source) > MAX_NOTEBOOK_BYTES:
        raise InvalidNotebook(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
    try:
        data = json.loads(source)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidNotebook(f"the notebook is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidNotebook("the file is not a Jupyter notebook (no list of cells)")
    if data.get("nbformat") != 4:
        raise InvalidNotebook(f"unsupported notebook format {data.get('nbformat')!r}; expected version 4")
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            raise InvalidNotebook("a cell is not a JSON object")
        cell["source"] = _text(cell.get("source", ""))  # on disk a source may be a list of lines
    return nbformat.from_dict(data)


def grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    value = meta.get("grade_id") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def executable_cells(submission, source) -> list[Cell]:
    """The submission's code cells to run, with locked cells restored from ``source`` and test cells left out.

    Each cell is tagged with the question whose part of the notebook it sits in, so that a cell that crashes or hangs
    is charged to that question.
    """
    locked, skipped = {}, {OTTER_INIT_ID}
    for cell in source.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        if _is_test_cell(cell):
            skipped.add(gid)
        elif cell.get("metadata", {}).get("nbgrader", {}).get("locked"):
            locked[gid] = _text(cell.source)
    cells, question = [], None
    for index, cell in enumerate(submission.cells):
        gid = grade_id(cell)
        match = _QUESTION_ID.match(gid or "")
        if match:
            question = match.group(1)
        if cell.get("cell_type") != "code" or gid in skipped:
            continue
        text = locked.get(gid, _text(cell.get("source", "")))
        if text.strip():
            cells.append(Cell(index=index, source=text, question=question))
    return cells
