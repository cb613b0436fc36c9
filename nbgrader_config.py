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
gradebook_db.install()  # WAL, a busy timeout and BEGIN IMMEDIATE: concurrent graders lose no grade on SQLite
c.CourseDirectory.db_url = os.environ.get("TFGRADE_DB_URL", f"sqlite:///{ROOT / 'gradebook' / 'gradebook.db'}")
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
