import os
import shutil
from pathlib import Path

import pytest

from graders import authoring
from graders.course import load_assignment

ROOT = Path(__file__).resolve().parent.parent
MINI_COURSE = Path(__file__).resolve().parent / "mini_course"

requires_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")


@pytest.fixture(scope="session")
def mini_course(tmp_path_factory) -> Path:
    """A copy of the two-question engine-test course with its source notebook built."""
    root = tmp_path_factory.mktemp("mini") / "course"
    shutil.copytree(MINI_COURSE, root)
    assignment = load_assignment("a00_mini", root)
    assignment.source_notebook.write_text(authoring.render(authoring.build_source_notebook(assignment)))
    return root


@pytest.fixture(scope="session")
def mini(mini_course):
    return load_assignment("a00_mini", mini_course)


@pytest.fixture
def course_env(mini_course, monkeypatch):
    monkeypatch.setenv("TFGRADE_COURSE", str(mini_course))
    return mini_course


def pytest_report_header(config):
    return f"bwrap: {shutil.which('bwrap') or 'missing'}; uid {os.geteuid()}"
