import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from graders import authoring, submissions
from graders.autograde import Batch
from graders.course import load_assignment

ROOT = Path(__file__).resolve().parent.parent
MINI_COURSE = Path(__file__).resolve().parent / "mini_course"

BIN = Path(sys.executable).parent
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
def sweep(request, tmp_path_factory):
    """The sweep's gradings for every collected test, started in the background in the order they are needed.

    Stored reference answers are shared per assignment, so the sweep also proves that replayed answers grade exactly
    as a live reference does (the reference must still score full marks and every fixture its expected outcome).
    """
    from tests.sweep import Sweep, planned_keys

    runner = Sweep(tmp_path_factory.mktemp("sweep"))
    for key in planned_keys(request.session.items, runner):
        runner.submit(key, runner.job(key))
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def mini(mini_course):
    return load_assignment("a00_mini", mini_course)


@pytest.fixture
def course_env(mini_course, monkeypatch):
    monkeypatch.setenv("TFGRADE_COURSE", str(mini_course))
    return mini_course


def pytest_configure(config):
    from tests import budget

    config.pluginmanager.register(budget, "tfgrade-suite-budget")


def pytest_report_header(config):
    return f"bwrap: {shutil.which('bwrap') or 'missing'}; uid {os.geteuid()}"


WRONG_Q1 = "def scaled_sum(x, factor):\n    return tf.reduce_sum(x)\n"


def make_course(base: Path, n: int) -> Path:
    """A copy of the mini course with ``n`` submissions in a fixed mix: correct, blank, q1 wrong, repeated."""
    course = base / "course"
    subprocess.run(["cp", "-r", str(ROOT / "tests" / "mini_course"), str(course)], check=True)
    subprocess.run(["cp", str(ROOT / "nbgrader_config.py"), str(course)], check=True)
    assignment = load_assignment("a00_mini", course)
    assignment.source_notebook.write_text(authoring.render(authoring.build_source_notebook(assignment)))
    proc = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", "a00_mini", "--force"], cwd=course,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    mix = [submissions.with_sections(assignment), submissions.blank(assignment),
           submissions.with_sections(assignment, {"q1": WRONG_Q1})]
    for k in range(n):
        folder = course / "gradebook" / "submitted" / f"s{k:02d}" / "a00_mini"
        folder.mkdir(parents=True)
        nbformat.write(mix[k % len(mix)], folder / "a00_mini.ipynb")
    return course


def assignment_course(base: Path, assignment) -> Path:
    """A course of one real assignment (source, reference, hidden tests, our nbgrader config), with its release."""
    course = base / "course"
    shutil.copytree(assignment.source_dir, course / "assignments" / assignment.id)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    (course / "reference").mkdir()
    shutil.copy(assignment.reference_module, course / "reference")
    shutil.copytree(assignment.hidden_tests, course / "hidden_tests" / assignment.id)
    proc = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment.id, "--force"], cwd=course,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return course


EXPECTED = {0: 10.0, 1: 0.0, 2: 6.0}  # q1 is worth 4 of the mini course's 10 points; a wrong q1 keeps q2's 6


def exported(course: Path) -> dict[str, float]:
    subprocess.run([str(BIN / "nbgrader"), "export", "--to", str(course / "grades.csv")], cwd=course, check=True,
                   capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    with open(course / "grades.csv") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def batch_course(tmp_path_factory):
    """A mini course whose six submissions ``tfgrade autograde`` has graded into its gradebook (two at a time)."""
    course = make_course(tmp_path_factory.mktemp("batch"), 6)
    summary = Batch("a00_mini", course=course, jobs=2).run()
    return course, summary
