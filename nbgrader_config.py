"""nbgrader configuration of the course: nbgrader is the ledger, ``graders`` does the grading.

Run nbgrader from the repository root. The gradebook is SQLite under ``gradebook/`` unless ``TFGRADE_DB_URL`` names
another database (for example ``postgresql://user@host/course``).
"""

import os
import sys
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from graders import gradebook_db
from graders.collect import LmsCollector
from graders.nbgrader_step import SandboxedGrade

ROOT = Path(__file__).resolve().parent
# nbgrader creates the gradebook by running the `alembic` command; find it beside this interpreter even when the venv
# is not activated.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "tensorflow-course"
c.CourseDirectory.source_directory = "assignments"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "gradebook/submitted"
c.CourseDirectory.autograded_directory = "gradebook/autograded"
c.CourseDirectory.feedback_directory = "gradebook/feedback"
(ROOT / "gradebook").mkdir(exist_ok=True)
gradebook_db.install()  # WAL; reads hold no lock; writes BEGIN IMMEDIATE: formgrader and graders side by side
c.CourseDirectory.db_url = os.environ.get("TFGRADE_DB_URL", f"sqlite:///{ROOT / 'gradebook' / 'gradebook.db'}")
# Late penalties (docs/instructors.md): a submission is late when its timestamp.txt is past the assignment's due date
# (`nbgrader db assignment add ID --duedate=...`). "none" records how late it was; "zero" scores a late notebook zero.
c.LateSubmissionPlugin.penalty_method = "none"
# The exchange shared by `nbgrader release_assignment`, `fetch_assignment`, `submit` and `collect` (nbgrader's default
# place unless TFGRADE_EXCHANGE names another; it must exist and be writable by everyone: docs/instructors.md).
c.Exchange.root = os.environ.get("TFGRADE_EXCHANGE", "/srv/nbgrader/exchange")
# `nbgrader zip_collect`: the student id from the LMS's folder or prefix (`--LmsCollector.layout=folders|moodle|canvas`,
# or nbgrader's `--FileNameCollectorPlugin.named_regexp=...`), checked to be a plain name; docs/instructors.md.
c.ZipCollectApp.collector_plugin = LmsCollector
# The manifest (points, budgets, thresholds) is the grader's, not the student's.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "manifest.toml"]

# Our sandboxed grading step replaces nbgrader's in-kernel Execute; the rest of the pipeline is nbgrader's own.
c.Autograde.autograde_preprocessors = [
    SandboxedGrade,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.SandboxedGrade.course_root = str(ROOT)
c.SandboxedGrade.sandbox = os.environ.get("TFGRADE_NO_SANDBOX") != "1"
