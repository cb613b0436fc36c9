"""Grade exports: the nbgrader export plugins and Gradescope's results.json."""

import csv
import json
import os
import subprocess

from graders.exports import write_gradescope
from graders.grade import GradeResult
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
