"""Notebook-level attacks: each takes the notebook a student would hand in and returns what the attacker hands in.

A function returns a NotebookNode, or raw bytes when the attack is on the file itself.
"""

import nbformat

from graders.notebook import grade_id

PATCH_COMPARISONS = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                     "np.testing.assert_allclose = lambda *a, **k: None\n")


def _cell(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def locked_setup_cell(nb):
    setup = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked"))
    setup.source += "\n" + PATCH_COMPARISONS
    return nb


def grade_cell_edited(nb):
    _cell(nb, "q5").source = "print('All test cases passed!')\n10.0"
    return nb


def points_raised(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "points" in meta:
            meta["points"] = 600
    return nb


def cell_types_changed(nb):
    solution = _cell(nb, "q5_solution")
    solution.cell_type = "markdown"
    solution.pop("outputs", None)
    solution.pop("execution_count", None)
    markdown = next(c for c in nb.cells if c.cell_type == "markdown" and c is not solution)
    markdown.cell_type = "code"
    markdown.source = PATCH_COMPARISONS
    markdown.outputs, markdown.execution_count = [], None
    return nb


def grade_cells_deleted(nb):
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")
                or c.metadata.get("nbgrader", {}).get("solution")]
    return nb


def duplicate_grade_ids(nb):
    setup = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked"))
    twin = nbformat.v4.new_code_cell(PATCH_COMPARISONS, metadata={"nbgrader": dict(setup.metadata["nbgrader"])})
    nb.cells.insert(nb.cells.index(_cell(nb, "q5_solution")), twin)
    nb.cells.insert(len(nb.cells), nbformat.v4.new_code_cell(
        "saturating_cast = lambda x, d: x\n", metadata={"nbgrader": dict(_cell(nb, "q5").metadata["nbgrader"])}))
    return nb


def kernelspec(nb):
    nb.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    nb.metadata["language_info"] = {"name": "bash"}
    return nb


def invalid_json(nb):
    return nbformat.writes(nb).encode()[:-200] + b"\x00\xff{{{"


def giant_json(nb):
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * (40 << 20)))
    return nbformat.writes(nb).encode()
