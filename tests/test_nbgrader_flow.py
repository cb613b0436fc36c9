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


@pytest.mark.parametrize("layout, members, expected", [
    # Canvas: the id is the LMS's prefix, whatever the student named the upload (here: someone else's id)
    ("canvas", {"mallory_111_222_alice_a00_mini.ipynb": b"m", "alice_LATE_333_444_a00_mini-1.ipynb": b"a"},
     {"mallory": b"m", "alice": b"a"}),
    # Moodle: one folder per submission, named by the LMS with the participant id
    ("moodle", {"Bob Jones_4242_assignsubmission_file_/my work (1).ipynb": b"b"}, {"4242": b"b"}),
    # one folder per student; a second notebook of one student is skipped, the rest still collected
    ("folders", {"carol/a00_mini.ipynb": b"c1", "carol/zz copy.ipynb": b"c2", "dave/work.ipynb": b"d"},
     {"carol": b"c1", "dave": b"d"}),
    # nbgrader's own pattern: an id that is not a plain name is refused, not written outside the folders
    (r"regexp=.*/(?P<student_id>[^/]+)_(?P<file_id>a00_mini\.ipynb)$",
     {".._a00_mini.ipynb": b"x", "erin_a00_mini.ipynb": b"e"}, {"erin": b"e"}),
])
def test_zip_collect_takes_the_student_id_from_the_lms_and_never_aborts_the_class(mini_course, tmp_path, layout,
                                                                                   members, expected):
    course = tmp_path / "course"
    shutil.copytree(mini_course, course)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", "a00_mini", "--force")
    archive = course / "downloaded" / "a00_mini" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms.zip", "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    option = (f"--FileNameCollectorPlugin.named_{layout}" if layout.startswith("regexp=")
              else f"--LmsCollector.layout={layout}")
    proc = nbgrader(course, "zip_collect", "a00_mini", "--force", option)
    submitted = course / "gradebook" / "submitted"
    found = {p.parent.parent.name: p.read_bytes() for p in submitted.glob("*/a00_mini/*.ipynb")}
    assert found == expected, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert all(p.name == "a00_mini.ipynb" for p in submitted.glob("*/a00_mini/*.ipynb"))
    assert not (course / "gradebook" / "a00_mini").exists() and not (course / "a00_mini").exists()


def test_the_readme_instructor_path_from_a_clean_clone(mini_course, tmp_path):
    """A clone has the committed ``release/`` and no gradebook: ``nbgrader generate_assignment ID`` skips it, so
    ``tfgrade autograde`` (run from the course root, which it picks as its course) records the assignment itself,
    says so, and grades; the round two decimals and the counts add up."""
    course = tmp_path / "course"
    shutil.copytree(mini_course, course)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", "a00_mini", "--force")
    shutil.rmtree(course / "gradebook")  # what a clone has: release/ committed, gradebook/ ignored
    skipped = nbgrader(course, "generate_assignment", "a00_mini")
    assert "Skipping existing assignment" in skipped.stdout + skipped.stderr
    release = read_notebook(course / "release" / "a00_mini" / "a00_mini.ipynb")
    source = {grade_id(c): c.source for c in read_notebook(course / "assignments/a00_mini/a00_mini.ipynb").cells}
    for student, solved in (("ann", ("q1_solution", "q2_solution")), ("ben", ()), ("cat", ("q1_solution",))):
        notebook = read_notebook(course / "release" / "a00_mini" / "a00_mini.ipynb")
        for cell in notebook.cells:
            if grade_id(cell) in solved:
                cell.source = source[grade_id(cell)]
        folder = course / "gradebook" / "submitted" / student / "a00_mini"
        folder.mkdir(parents=True)
        nbformat.write(notebook if solved else release, folder / "a00_mini.ipynb")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TFGRADE_COURSE", None)
    proc = subprocess.run([str(Path(sys.executable).parent / "tfgrade"), "autograde", "a00_mini", "--jobs", "2"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "was not in nbgrader's gradebook: recorded it" in proc.stdout
    assert "3 submissions" in proc.stdout and "3 graded now" in proc.stdout and "0 failed" in proc.stdout
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert grades(course) == {"ann": (10.0, 10.0), "ben": (0.0, 10.0), "cat": (4.0, 10.0)}
    shutil.rmtree(course / "gradebook" / ".tfgrade" / "ledger")  # the grades stay stored; recording is redone
    again = subprocess.run([str(Path(sys.executable).parent / "tfgrade"), "autograde", "a00_mini"],
                           cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "0 graded now, 3 recorded from stored grades" in again.stdout, again.stdout
    assert "was not in nbgrader's gradebook" not in again.stdout


def test_roster_due_date_exchange_and_a_late_penalty(mini_course, tmp_path):
    """docs/instructors.md, followed: roster import, a due date, late penalties on, release through the exchange, a
    student fetches and submits, the instructor collects; a copied submission carries a timestamp file. The late
    notebook gets nbgrader's penalty through ``tfgrade autograde``; the one on time keeps its score."""
    course = tmp_path / "course"
    shutil.copytree(mini_course, course)
    config = (ROOT / "nbgrader_config.py").read_text()
    assert 'c.LateSubmissionPlugin.penalty_method = "none"' in config
    (course / "nbgrader_config.py").write_text(config.replace('penalty_method = "none"', 'penalty_method = "zero"'))
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TFGRADE_EXCHANGE=str(exchange))
    env.pop("TFGRADE_COURSE", None)

    def run(*argv, cwd=course):
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc

    (course / "roster.csv").write_text("id,first_name,last_name,email\nada,Ada,Lovelace,ada@example.org\n"
                                       "root,Grace,Hopper,grace@example.org\n")
    run(NBGRADER, "db", "student", "import", "roster.csv")
    run(NBGRADER, "db", "assignment", "add", "a00_mini", "--duedate=2030-01-15 17:00:00 UTC")
    run(NBGRADER, "generate_assignment", "a00_mini", "--force")
    run(NBGRADER, "release_assignment", "a00_mini")
    home = tmp_path / "student_home"  # the student (this test's user, "root") fetches and submits as nbgrader says
    home.mkdir()
    run(NBGRADER, "fetch_assignment", "a00_mini", "--course", "tensorflow-course",
        f"--Exchange.root={exchange}", cwd=home)
    fetched = home / "a00_mini" / "a00_mini.ipynb"
    notebook = read_notebook(fetched)
    source = {grade_id(c): c.source for c in read_notebook(course / "assignments/a00_mini/a00_mini.ipynb").cells}
    for cell in notebook.cells:
        if grade_id(cell) in ("q1_solution", "q2_solution"):
            cell.source = source[grade_id(cell)]
    nbformat.write(notebook, fetched)
    run(NBGRADER, "submit", "a00_mini", "--course", "tensorflow-course", f"--Exchange.root={exchange}", cwd=home)
    run(NBGRADER, "collect", "a00_mini")
    assert (course / "gradebook/submitted/root/a00_mini/timestamp.txt").is_file()
    late = course / "gradebook" / "submitted" / "ada" / "a00_mini"  # an upload copied by hand, two days late
    late.mkdir(parents=True)
    nbformat.write(notebook, late / "a00_mini.ipynb")
    (late / "timestamp.txt").write_text("2030-01-17 09:30:00 UTC")
    run(str(Path(sys.executable).parent / "tfgrade"), "autograde", "a00_mini", "--jobs", "2")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook' / 'gradebook.db'}") as gb:
        assert {s.id: s.first_name for s in gb.students} == {"ada": "Ada", "root": "Grace"}
        assert str(gb.find_assignment("a00_mini").duedate).startswith("2030-01-15 17:00")
        ada, root = gb.find_submission("a00_mini", "ada"), gb.find_submission("a00_mini", "root")
        assert ada.score == 10.0 and ada.total_seconds_late > 36 * 3600 and ada.late_submission_penalty == 10.0
        assert root.score == 10.0 and root.total_seconds_late == 0 and not root.late_submission_penalty
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["ada"]["late_submission_penalty"]) == 10.0 and float(rows["ada"]["score"]) == 0.0
    assert float(rows["root"]["score"]) == 10.0


@pytest.mark.slow
def test_validate_reports_exactly_what_the_public_tests_find(tmp_path):
    """``nbgrader validate`` on a02 cut to questions 1 and 3: solved, it passes (TensorFlow's start-up lines do not
    reach the checks); with a wrong q3 (a fixture), it fails on q3's check alone, naming the failed public test."""
    from graders import submissions
    from graders.authoring import reference_sections
    from graders.course import load_assignment

    assignment = load_assignment("a02_core_tensor_operations")
    wrong, _ = submissions.load_variant(ROOT / "tests/submissions/a02_core_tensor_operations/"
                                        "q3_reshape_without_transpose.py")
    keep = {"intro", "otter_init", "setup", "q1_prompt", "q1_solution", "q1", "q3_prompt", "q3_solution", "q3"}
    shutil.copytree(ROOT / "release" / assignment.id / "tests", tmp_path / "tests")
    sections = reference_sections(assignment)
    for name, q3 in (("correct", sections["q3"]), ("wrong", wrong["q3"])):
        notebook = read_notebook(assignment.release_notebook)
        notebook.cells = [c for c in notebook.cells if grade_id(c) in keep]
        for cell in notebook.cells:
            if grade_id(cell) == "q1_solution":
                cell.source = sections["q1"]
            if grade_id(cell) == "q3_solution":
                cell.source = q3
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    results = {name: subprocess.run([NBGRADER, "validate", f"{name}.ipynb"], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=600) for name in ("correct", "wrong")}
    assert "Success! Your notebook passes all the tests." in results["correct"].stdout, results["correct"].stdout
    failed = results["wrong"].stdout
    assert "VALIDATION FAILED ON 1 CELL(S)!" in failed and 'grader.check("q3")' in failed, failed
    assert 'grader.check("q1")' not in failed
    assert "q3: public tests failed: test_space_to_depth_small" in failed
