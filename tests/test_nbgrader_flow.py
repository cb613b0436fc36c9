"""The instructor's flow through real nbgrader on a temporary course: release, submit, autograde, feedback, export."""

import csv
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from graders.notebook import grade_id, read_notebook
from tests.conftest import ROOT, requires_bwrap

pytestmark = requires_bwrap
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([NBGRADER, *args], cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def graded_course(mini_course, tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(mini_course, course)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", "a00_mini", "--force")
    release = course / "release" / "a00_mini" / "a00_mini.ipynb"

    def submit(student, notebook):
        folder = course / "gradebook" / "submitted" / student / "a00_mini"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "a00_mini.ipynb")

    correct = read_notebook(release)
    source = {grade_id(c): c.source for c in read_notebook(course / "assignments/a00_mini/a00_mini.ipynb").cells}
    for cell in correct.cells:
        if (grade_id(cell) or "").endswith("_solution"):
            cell.source = source[grade_id(cell)]
    submit("alice", correct)
    submit("bob", read_notebook(release))
    cheat = read_notebook(release)
    for cell in cheat.cells:
        if grade_id(cell) == "q1_solution":
            cell.source = source["q1_solution"]
        if grade_id(cell) == "q2":  # a forged grade cell: more points and a printed "score"
            cell.metadata["nbgrader"]["points"] = 600
            cell.source = "print(600)\n600"
    submit("mallory", cheat)
    nbgrader(course, "autograde", "a00_mini", "--force")
    nbgrader(course, "generate_feedback", "a00_mini", "--force")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return course


def grades(course):
    with open(course / "grades.csv") as handle:
        return {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in csv.DictReader(handle)}


def test_release_strips_solutions_and_keeps_checks(graded_course):
    text = (graded_course / "release" / "a00_mini" / "a00_mini.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "assign_add" not in text
    assert 'grader.check(\\"q1\\")' in text


def test_gradebook_has_partial_credit_per_student(graded_course):
    assert grades(graded_course) == {"alice": (10.0, 10.0), "bob": (0.0, 10.0), "mallory": (4.0, 10.0)}


def test_autograded_notebook_carries_scores_in_grade_cells(graded_course):
    nb = read_notebook(graded_course / "gradebook/autograded/alice/a00_mini/a00_mini.ipynb")
    q1 = next(c for c in nb.cells if grade_id(c) == "q1")
    assert "".join(q1.outputs[-1]["data"]["text/plain"]) == "4.0"
    assert "[PASS] test_values_match" in "".join(q1.outputs[0]["text"])


def test_feedback_names_tests_and_never_shows_hidden_source(graded_course):
    html = (graded_course / "gradebook/feedback/bob/a00_mini/a00_mini.html").read_text()
    assert "test_values_match" in html and "FAIL" in html and "NotImplementedError" in html
    assert "assert_tensor" not in html and "checks." not in html


def test_zip_collect_keeps_hostile_archive_paths_inside_the_course(mini_course, tmp_path):
    """An LMS download with ``../``, absolute and symlinked member paths: nbgrader's ``zip_collect`` collects the
    real submission and writes nothing outside its extraction folder (nor over the gradebook)."""
    course = tmp_path / "course"
    shutil.copytree(mini_course, course)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", "a00_mini", "--force")
    gradebook = course / "gradebook" / "gradebook.db"
    gradebook_before = gradebook.read_bytes()
    notebook = (course / "release" / "a00_mini" / "a00_mini.ipynb").read_bytes()
    archive = course / "downloaded" / "a00_mini" / "archive"
    archive.mkdir(parents=True)
    outside = tmp_path / "escaped.txt"
    absolute = Path(f"/tmp/tfgrade-zip-slip-{os.getpid()}")
    with zipfile.ZipFile(archive / "lms.zip", "w") as bundle:
        bundle.writestr("alice_a00_mini.ipynb", notebook)
        bundle.writestr("../../../../gradebook/gradebook.db", b"overwritten")  # from extracted/lms/ to the course
        bundle.writestr("../../../../../escaped.txt", b"escaped")
        bundle.writestr(str(absolute), b"escaped")
    with tarfile.open(archive / "more.tar.gz", "w:gz") as bundle:
        link = tarfile.TarInfo("mallory_link")
        link.type, link.linkname = tarfile.SYMTYPE, str(tmp_path)
        bundle.addfile(link)
        payload = tarfile.TarInfo("mallory_link/escaped.txt")
        payload.size = 7
        bundle.addfile(payload, io.BytesIO(b"escaped"))
    nbgrader(course, "zip_collect", "a00_mini", "--force",
             r"--FileNameCollectorPlugin.named_regexp=.*/(?P<student_id>[a-z]+)_(?P<file_id>a00_mini\.ipynb)$")
    assert (course / "gradebook/submitted/alice/a00_mini/a00_mini.ipynb").read_bytes() == notebook
    assert not outside.exists() and not absolute.exists()
    assert gradebook.read_bytes() == gradebook_before
    for path in (course / "downloaded").rglob("*"):  # no extracted link may point out of the download folder
        assert path.resolve().is_relative_to(archive.parent.resolve()), path
