"""The whole life of an assignment on the embedded default course (this repository) and its SQLite gradebook.

Releases a01 with nbgrader, hands in a correct, a partly wrong and a blank submission, grades them in the sandbox with
`tfgrade autograde` into nbgrader's gradebook, writes feedback, exports the grades (nbgrader's CSV, per question,
Canvas), and shows `tfgrade grade` as CI would run it.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders import submissions  # noqa: E402
from graders.course import load_assignment  # noqa: E402

ASSIGNMENT = "a01_tensorflow_fundamentals"
# Two realistic mistakes from the test fixtures: statistics kept in Python floats, and a cast that wraps around.
PARTLY_WRONG = [ROOT / "tests" / "submissions" / ASSIGNMENT / f"{name}.py"
                for name in ("q4_python_float_state", "q5_plain_cast_wraps_around")]
BIN = Path(sys.executable).parent


def step(title: str) -> None:
    """Prints a section heading."""
    print(f"\n=== {title}", flush=True)


def run(*argv: str) -> None:
    """Runs a command from the repository root, echoing it first."""
    print("$", " ".join(argv), flush=True)
    subprocess.run(argv, cwd=ROOT, check=True)


def main() -> int:
    os.chdir(ROOT)
    assignment = load_assignment(ASSIGNMENT)
    gradebook = ROOT / "gradebook"
    for folder in ("submitted", "autograded", "feedback", ".tfgrade"):
        shutil.rmtree(gradebook / folder, ignore_errors=True)
    (gradebook / "gradebook.db").unlink(missing_ok=True)

    step("1. Release: nbgrader strips the solutions and keeps the public tests")
    run(str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force")

    step("2. Three students hand in: a correct, a partly wrong and a blank notebook")
    wrong_sections = {}
    for path in PARTLY_WRONG:
        wrong_sections.update(submissions.load_variant(path)[0])
    handed_in = {"demo-correct": submissions.with_sections(assignment),
                 "demo-partly-wrong": submissions.with_sections(assignment, wrong_sections),
                 "demo-blank": submissions.blank(assignment)}
    for student, notebook in handed_in.items():
        folder = gradebook / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
        print(f"  {folder.relative_to(ROOT)}/{ASSIGNMENT}.ipynb")

    step("3. tfgrade autograde: each submission sandboxed, two at a time, recorded in nbgrader's gradebook")
    run(str(BIN / "tfgrade"), "autograde", ASSIGNMENT, "--jobs", "2", "--force")

    step("4. Feedback and export")
    run(str(BIN / "nbgrader"), "generate_feedback", ASSIGNMENT, "--force")
    run(str(BIN / "nbgrader"), "export", "--to", str(gradebook / "grades.csv"))
    run(str(BIN / "nbgrader"), "export", "--exporter=graders.exports.PerQuestionCsv",
        f"--to={gradebook / 'per-question.csv'}")
    run(str(BIN / "nbgrader"), "export", "--exporter=graders.exports.CanvasCsv", f"--to={gradebook / 'canvas.csv'}")
    with open(gradebook / "grades.csv") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\n  {'student':<20}{'score':>8}{'max':>8}")
    for row in sorted(rows, key=lambda r: r["student_id"]):
        print(f"  {row['student_id']:<20}{float(row['score']):>8.2f}{float(row['max_score']):>8.2f}")
    print(f"\n  feedback: {gradebook.relative_to(ROOT)}/feedback/<student>/{ASSIGNMENT}/{ASSIGNMENT}.html")
    print("  per question: gradebook/per-question.csv   Canvas import: gradebook/canvas.csv")

    step("5. What CI runs: tfgrade grade with machine-readable results")
    partly_wrong = gradebook / "submitted" / "demo-partly-wrong" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    run(str(BIN / "tfgrade"), "grade", str(partly_wrong), "--assignment", ASSIGNMENT,
        "--json", str(gradebook / "demo-result.json"), "--junit", str(gradebook / "demo-junit.xml"))
    print("\n  JSON: gradebook/demo-result.json   JUnit: gradebook/demo-junit.xml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
