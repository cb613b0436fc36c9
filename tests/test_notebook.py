import json

import nbformat
import pytest

from graders import notebook


def test_invalid_json_is_named(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(notebook.InvalidNotebook, match="not valid JSON"):
        notebook.read_notebook(path)


def test_giant_notebook_is_refused_before_parsing(tmp_path):
    path = tmp_path / "giant.ipynb"
    with open(path, "wb") as handle:
        handle.truncate(notebook.MAX_NOTEBOOK_BYTES + 1)
    with pytest.raises(notebook.InvalidNotebook, match="larger than"):
        notebook.read_notebook(path)


def test_non_notebook_json_is_refused():
    with pytest.raises(notebook.InvalidNotebook, match="no list of cells"):
        notebook.read_notebook(json.dumps({"hello": 1}).encode())
    with pytest.raises(notebook.InvalidNotebook, match="version 4"):
        notebook.read_notebook(json.dumps({"cells": [], "nbformat": 3}).encode())


def test_locked_cells_are_restored_and_test_cells_never_run(mini):
    source = notebook.read_notebook(mini.source_notebook)
    tampered = notebook.read_notebook(mini.source_notebook)
    for cell in tampered.cells:
        gid = notebook.grade_id(cell)
        if gid == "setup":
            cell.source = "import os\nos._exit(1)"
        if gid == "q1":
            cell.source = "print('100 passed')"
            cell.metadata["nbgrader"]["points"] = 1000
    tampered.cells.append(nbformat.v4.new_code_cell("extra = 1"))
    cells = notebook.executable_cells(tampered, source)
    texts = [c.source for c in cells]
    assert not any("_exit" in t for t in texts), "the locked setup cell must come from the source notebook"
    assert not any("grader.check" in t or "passed" in t for t in texts), "test cells never run"
    assert not any("otter" in t for t in texts), "the otter setup cell is only for students"
    assert texts[-1] == "extra = 1" and cells[-1].question == "q2"
    assert [c.question for c in cells if "def scaled_sum" in c.source] == ["q1"]
