"""Our grading step for nbgrader: it takes the place of nbgrader's in-kernel ``Execute`` preprocessor.

nbgrader stays the ledger: it sanitizes the submission (restoring locked and grade cells from its database), then this
step grades the notebook in the sandbox and writes each question's score into its grade cell as a single
``execute_result`` (nbgrader's partial-credit convention), with the per-test feedback as text before it. nbgrader's
``SaveAutoGrades`` then records the scores. Nothing the submission printed survives: every output here is ours.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from graders import report
from graders.course import load_assignment
from graders.grade import grade_notebook
from graders.notebook import grade_id, read_notebook
from graders.store import JsonStore


class SandboxedGrade(NbGraderPreprocessor):
    """Grades the notebook with the hidden tests and writes the scores into the grade cells."""

    sandbox = Bool(True, help="Run submissions under bubblewrap (turn off only for trusted code).").tag(config=True)
    course_root = Unicode("", help="The course repository (manifests, reference, hidden tests).").tag(config=True)
    results_store = Unicode("", help="A folder of stored grades (tfgrade autograde fills it): a notebook graded "
                                     "there already is read back, not graded again.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment = load_assignment(info["assignment"], Path(self.course_root) if self.course_root else None)
        label = f"{info.get('student', '?')}/{info['assignment']}/{info.get('notebook', '?')}"
        store = JsonStore(Path(self.results_store)) if self.results_store else None
        result = grade_notebook(nbformat.from_dict(nb), assignment, sandboxed=self.sandbox, name=label, results=store)
        how = "stored grade" if result.reused else f"graded in {result.duration_s:.1f} s"
        self.log.info("%s: %g / %g (%s)", label, result.score, result.max_score, how)
        restored = restore_grade_cells(nb, read_notebook(assignment.source_notebook))
        if restored:
            self.log.warning("%s: the submission had lost the grade cells %s; restored from the source notebook",
                             label, ", ".join(restored))
        for cell in nb.cells:
            question = result.questions.get(grade_id(cell) or "")
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or question is None or not meta.get("grade"):
                continue
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=report.feedback(
                    question, values=assignment.feedback == "values")),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(question.score))},
                                       execution_count=None),
            ]
        return nb, resources


def restore_grade_cells(nb, source) -> list[str]:
    """Puts back the grade cells a submission deleted, so that nbgrader records every question's score.

    Scores come from the manifest's questions, not from the notebook's cells; without its grade cell a question's
    score would have nowhere to go in the gradebook. Each cell returns after the cell that precedes it in the source
    notebook (or at the end). Returns the restored grade ids.
    """
    present = {grade_id(c) for c in nb.cells}
    restored, previous = [], None
    for cell in source.cells:
        gid = grade_id(cell)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if gid and meta.get("grade") and gid not in present:
            anchor = next((k for k, c in enumerate(nb.cells) if previous and grade_id(c) == previous), None)
            fresh = dict(cell, outputs=[], execution_count=None) if cell.cell_type == "code" else cell
            copy = nbformat.from_dict(fresh)
            nb.cells.insert(len(nb.cells) if anchor is None else anchor + 1, copy)
            restored.append(gid)
        previous = gid or previous
    return restored
