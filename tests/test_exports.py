"""Grade exports: the nbgrader export plugins, Gradescope's results.json and autograder package, JUnit XML."""

import csv
import json
import os
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest

from graders.exports import write_gradescope
from graders.grade import GradeResult
from graders.report import write_junit
from graders.store import JsonStore
from tests.conftest import BIN, ROOT, exported, requires_bwrap

pytestmark = requires_bwrap


def export_with(course, exporter, name):
    subprocess.run([str(BIN / "nbgrader"), "export", f"--exporter=graders.exports.{exporter}", f"--to={name}"],
                   cwd=course, check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    with open(course / name, newline="") as handle:
        return list(csv.reader(handle))


def test_per_question_rows_add_up_to_nbgrader_totals(batch_course):
    course, _ = batch_course
    header, *rows = export_with(course, "PerQuestionCsv", "per-question.csv")
    assert header[:6] == ["assignment", "student_id", "notebook", "question", "score", "max_score"]
    totals: dict[str, float] = {}
    for row in rows:
        totals[row[1]] = totals.get(row[1], 0.0) + float(row[4])
    assert totals == exported(course)
    assert {row[3] for row in rows} == {"q1", "q2"}
    assert {(row[3], float(row[5])) for row in rows} == {("q1", 4.0), ("q2", 6.0)}


def test_canvas_csv_has_points_possible_and_one_row_per_student(batch_course):
    course, _ = batch_course
    header, points, *rows = export_with(course, "CanvasCsv", "canvas.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a00_mini"]
    assert points[0] == "Points Possible" and points[-1] == "10"
    assert {row[2]: float(row[-1]) for row in rows} == exported(course)


def test_gradescope_results_carry_every_hidden_test(batch_course, tmp_path):
    course, _ = batch_course
    store = JsonStore(course / "gradebook/.tfgrade/results")
    results = [GradeResult.from_json(store.get(key)) for key in store.keys()]
    partial = next(r for r in results if 0 < r.score < r.max_score)
    write_gradescope(partial, tmp_path / "results.json")
    payload = json.loads((tmp_path / "results.json").read_text())
    assert payload["score"] == partial.score
    assert sum(t["score"] for t in payload["tests"]) == partial.score
    assert sum(t["max_score"] for t in payload["tests"]) == partial.max_score
    failed = [t for t in payload["tests"] if t["status"] == "failed"]
    assert failed and all(t["name"].startswith("q1: ") and t["output"] for t in failed)


def _partial(course):
    store = JsonStore(course / "gradebook/.tfgrade/results")
    results = [GradeResult.from_json(store.get(key)) for key in store.keys()]
    return next(r for r in results if 0 < r.score < r.max_score)


def test_gradescope_visibility_is_set_and_checked(batch_course, tmp_path):
    partial = _partial(batch_course[0])
    write_gradescope(partial, tmp_path / "results.json", visibility="after_due_date")
    payload = json.loads((tmp_path / "results.json").read_text())
    assert payload["visibility"] == "after_due_date"
    assert {t["visibility"] for t in payload["tests"]} == {"after_due_date"}
    write_gradescope(partial, tmp_path / "default.json")
    assert json.loads((tmp_path / "default.json").read_text())["visibility"] == "after_published"
    with pytest.raises(ValueError):
        write_gradescope(partial, tmp_path / "bad.json", visibility="sometimes")


def test_junit_failures_carry_their_message_and_real_times(batch_course, tmp_path):
    partial = _partial(batch_course[0])
    failed = next(t for q in partial.questions.values() for t in q.tests if not t.passed)
    failed.message = "expected 3.0\x1b[31m, got 4.0\x00 (bell \x07)\nsecond line"  # as a submission may print
    write_junit(partial, tmp_path / "junit.xml")
    root = ElementTree.parse(tmp_path / "junit.xml").getroot()  # control characters would make it unparseable
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases[failed.name].find("failure")
    assert failure.get("message").startswith("expected 3.0") and "second line" not in failure.get("message")
    assert "second line" in failure.text and failure.get("message") != "failed"
    times = [float(c.get("time")) for c in root.iter("testcase")]
    assert any(t > 0 for t in times)
    assert times == [round(t.duration_s, 3) for q in partial.questions.values() for t in q.tests]


def test_the_gradescope_package_grades_a_submission_as_gradescope_runs_it(batch_course, tmp_path):
    course = batch_course[0]
    bundle = tmp_path / "autograder.zip"
    subprocess.run([str(BIN / "tfgrade"), "gradescope", "a00_mini", "--out", str(bundle), "--visibility", "hidden"],
                   cwd=course, check=True, capture_output=True, env=dict(os.environ, TFGRADE_COURSE=str(course)))
    home = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        archive.extractall(home / "source")
    assert {"setup.sh", "run_autograder", "reference/a00_mini.py", "hidden_tests/a00_mini/test_q1.py"} <= set(names)
    assert not any(n.startswith(("release/", "gradebook/", "tests/")) for n in names)
    (home / "submission").mkdir()
    shutil.copy(course / "gradebook/submitted/s02/a00_mini/a00_mini.ipynb", home / "submission" / "mine.ipynb")
    env = dict(os.environ, AUTOGRADER_ROOT=str(home), TFGRADE=str(BIN / "tfgrade"))
    proc = subprocess.run(["bash", str(home / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    payload = json.loads((home / "results" / "results.json").read_text())
    assert payload["score"] == 6.0 and payload["visibility"] == "hidden"
    (home / "submission" / "mine.ipynb").unlink()
    subprocess.run(["bash", str(home / "source" / "run_autograder")], env=env, check=True, capture_output=True)
    empty = json.loads((home / "results" / "results.json").read_text())
    assert empty["score"] == 0.0 and "No notebook found" in empty["output"]
