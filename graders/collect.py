"""``nbgrader zip_collect`` for LMS downloads: the student id from the LMS's part of the path, not the student's.

nbgrader's ``FileNameCollectorPlugin`` matches one regular expression against each extracted file. A pattern that takes
the id from the uploaded file's own name lets a student file under someone else's id (an upload named
``bob_a01.ipynb``), an id of ``.`` or ``..`` writes outside the per-student folders, and a second notebook for one id
aborts the whole class's collection. ``LmsCollector`` (``nbgrader_config.py`` selects it) knows the layouts of the
documented LMSs (docs/instructors.md):

- ``folders``: one folder per student, named by its id (``<id>/<anything>.ipynb``);
- ``moodle``: Moodle's "download all submissions" (``<Full Name>_<id>_assignsubmission_file_/<anything>.ipynb``);
- ``canvas``: Canvas's flat download (``<login>[_LATE]_<canvas id>_<file id>_<anything>.ipynb``);
- ``regexp``: nbgrader's own ``named_regexp``, for any other LMS (the instructor's pattern, checked the same way).

The notebook is filed under the assignment's notebook name whatever the student called it. An id that is not a plain
name is refused, and a second notebook for an id is skipped with an error naming both files (unless the pattern
gives timestamps, when nbgrader keeps the newer), so one bad file never stops the others.
"""

from __future__ import annotations

import os
import re

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from traitlets import Enum

PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
_LAYOUTS = {
    "folders": re.compile(r"^(?P<student_id>[^/]+)/[^/]+\.ipynb$"),
    "moodle": re.compile(r"^[^/]*_(?P<student_id>\d+)_assignsubmission_file_/[^/]+\.ipynb$"),
    "canvas": re.compile(r"^(?P<student_id>[^/_]+)(?:_LATE)?_\d+_\d+_[^/]*\.ipynb$"),
}


class LmsCollector(FileNameCollectorPlugin):
    """Takes each submission's student id from the LMS's folder or prefix, and files it under the notebook's name."""

    layout = Enum(["folders", "moodle", "canvas", "regexp"], default_value=None, allow_none=True,
                  help="How the LMS download names submissions (see graders/collect.py); by default `regexp` when "
                       "named_regexp is set, else `folders`.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen: dict[str, str] = {}

    def _notebook_name(self) -> str | None:
        coursedir = getattr(self.parent, "coursedir", None)
        assignment = getattr(coursedir, "assignment_id", "") if coursedir else ""
        return f"{assignment}.ipynb" if assignment else None

    def collect(self, submitted_file: str) -> dict | None:
        """The ``student_id`` and ``file_id`` of one extracted file, or None to skip it (with the reason logged)."""
        layout = self.layout or ("regexp" if self.named_regexp else "folders")
        info = super().collect(submitted_file) if layout == "regexp" else self._match_layout(submitted_file, layout)
        if not info:
            return None
        student = info.get("student_id") or ""
        if not PLAIN_ID.fullmatch(student) or ".." in student:
            self.log.error("Skipped %s: the student id %r is not a plain name", submitted_file, student)
            return None
        if layout != "regexp":
            info["file_id"] = self._notebook_name() or info.get("file_id") or os.path.basename(submitted_file)
        if student in self._seen and not info.get("timestamp"):
            self.log.error("Skipped %s: a second notebook for %s (collected: %s); check which one counts",
                           submitted_file, student, self._seen[student])
            return None
        self._seen.setdefault(student, submitted_file)
        return info

    def _match_layout(self, submitted_file: str, layout: str) -> dict | None:
        # Match below the archive's extraction folder: extracted/<archive>/<LMS layout>.
        parts = submitted_file.replace(os.sep, "/").split("/")
        pattern = _LAYOUTS[layout]
        for start in range(len(parts) - 1, -1, -1):
            tail = "/".join(parts[start:])
            match = pattern.match(tail)
            if match:
                return {"student_id": match.group("student_id"), "file_id": parts[-1]}
            if tail.count("/") >= 2:
                break
        self.log.warning("Skipped %s: not a notebook in the %s layout", submitted_file, layout)
        return None
