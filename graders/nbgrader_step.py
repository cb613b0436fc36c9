"""Our grading step for nbgrader: it takes the place of nbgrader's in-kernel ``Execute`` preprocessor.

nbgrader stays the ledger: it sanitizes the submission (restoring locked and grade cells from its database), then this
step grades the notebook in the sandbox and writes each question's score into its grade cell as a single
``execute_result`` (nbgrader's partial-credit convention), with the per-test feedback as text before it. nbgrader's
``SaveAutoGrades`` then records the scores. Nothing the submission printed survives: every output here is ours.
"""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from graders import report
from graders.course import load_assignment
from graders.grade import grade_notebook
from graders.notebook import grade_id


class SandboxedGrade(NbGraderPreprocessor):
    """Grades the notebook with the hidden tests and writes the scores into the grade cells."""

    sandbox = Bool(True, help="Run submissions under bubblewrap (turn off only for trusted code).").tag(config=True)
    course_root = Unicode("", help="The course repository (manifests, reference, hidden tests).").tag(config=True)

    def preprocess(self, nb, resources):
        from pathlib import Path

        info = resources.get("nbgrader", {})
        assignment = load_assignment(info["assignment"], Path(self.course_root) if self.course_root else None)
        label = f"{info.get('student', '?')}/{info['assignment']}/{info.get('notebook', '?')}"
        result = grade_notebook(nbformat.from_dict(nb), assignment, sandboxed=self.sandbox, name=label)
        self.log.info("%s: %g / %g in %.1f s", label, result.score, result.max_score, result.duration_s)
        for cell in nb.cells:
            question = result.questions.get(grade_id(cell) or "")
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or question is None or not meta.get("grade"):
                continue
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=report.feedback(question)),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(question.score))},
                                       execution_count=None),
            ]
        return nb, resources
