"""Grading cost of one assignment, measured side by side in one run.

For the correct (source solutions) and the blank (release) notebook of an assignment, times:
  bare      `jupyter nbconvert --execute` of the notebook (no grading at all: the floor),
  stock     stock nbgrader autograde, in-kernel (grade cells run the public otter checks; no sandbox, no hidden tests),
  tfgrade   `tfgrade grade` (sandboxed student + reference workers, hidden tests),
  ours      nbgrader autograde with our sandboxed step (what an instructor runs).
Prints per-submission seconds and the ratios; writes bench/results/<assignment>.json.

Usage: .venv/bin/python bench/bench_grading.py [ASSIGNMENT] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders import submissions  # noqa: E402
from graders.course import load_assignment  # noqa: E402

BIN = Path(sys.executable).parent
STOCK_CONFIG = """
import os, sys
from pathlib import Path
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
c = get_config()
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "assignments"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "gradebook/submitted"
c.CourseDirectory.autograded_directory = "gradebook/autograded"
c.CourseDirectory.feedback_directory = "gradebook/feedback"
(Path(__file__).resolve().parent / "gradebook").mkdir(exist_ok=True)
c.CourseDirectory.db_url = "sqlite:///" + str(Path(__file__).resolve().parent / "gradebook" / "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "manifest.toml"]
c.ExecutePreprocessor.timeout = 600
"""


def timed(argv, cwd, env=None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed


def make_course(base: Path, assignment, config: str | None) -> Path:
    course = base
    (course / "assignments").mkdir(parents=True)
    shutil.copytree(assignment.source_dir, course / "assignments" / assignment.id)
    if config is None:
        shutil.copy(ROOT / "nbgrader_config.py", course)
    else:
        (course / "nbgrader_config.py").write_text(config)
    for sub in ("reference", "hidden_tests"):
        (course / sub).mkdir(exist_ok=True)
    shutil.copy(assignment.reference_module, course / "reference")
    shutil.copytree(assignment.hidden_tests, course / "hidden_tests" / assignment.id)
    return course


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("assignment", nargs="?", default="a01_tensorflow_fundamentals")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    assignment = load_assignment(args.assignment, ROOT)
    notebooks = {"correct": submissions.with_sections(assignment), "blank": submissions.blank(assignment)}
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    times: dict[str, dict[str, list[float]]] = {m: {k: [] for k in notebooks} for m in ("bare", "stock", "tfgrade",
                                                                                         "ours")}
    with tempfile.TemporaryDirectory(prefix="tfgrade-bench-") as tmp:
        tmp = Path(tmp)
        for repeat in range(args.repeats):
            for kind, notebook in notebooks.items():
                # One course per method, so no method reuses another's gradebook or outputs.
                work = tmp / f"r{repeat}-{kind}"
                work.mkdir()
                path = work / f"{assignment.id}.ipynb"
                nbformat.write(notebook, path)
                shutil.copytree(ROOT / "release" / assignment.id / "tests", work / "tests")
                times["bare"][kind].append(timed(
                    [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
                     "--ExecutePreprocessor.timeout=600", "--output", str(work / "executed.ipynb"), str(path)],
                    work, env))
                for method, config in (("stock", STOCK_CONFIG), ("ours", None)):
                    course = make_course(tmp / f"r{repeat}-{kind}-{method}", assignment, config)
                    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment.id], cwd=course,
                                   env=env, check=True, capture_output=True)
                    folder = course / "gradebook" / "submitted" / "student" / assignment.id
                    folder.mkdir(parents=True)
                    nbformat.write(notebook, folder / f"{assignment.id}.ipynb")
                    times[method][kind].append(timed([str(BIN / "nbgrader"), "autograde", assignment.id],
                                                     course, env))
                times["tfgrade"][kind].append(timed(
                    [str(BIN / "tfgrade"), "grade", str(path), "--assignment", assignment.id,
                     "--json", str(work / "result.json")], ROOT, env))
                print(f"repeat {repeat} {kind}: " + ", ".join(f"{m} {times[m][kind][-1]:.1f} s" for m in times),
                      flush=True)
    per_sub = {m: statistics.mean(statistics.median(v) for v in by_kind.values()) for m, by_kind in times.items()}
    report = {"assignment": assignment.id, "seconds_per_submission": per_sub, "raw": times,
              "ratio_tfgrade_over_stock": per_sub["tfgrade"] / per_sub["stock"],
              "ratio_ours_over_stock": per_sub["ours"] / per_sub["stock"],
              "overhead_over_bare_s": {m: per_sub[m] - per_sub["bare"] for m in ("stock", "tfgrade", "ours")}}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{assignment.id}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{assignment.id}: seconds per submission (mean over correct and blank, median over repeats)")
    for method, seconds in per_sub.items():
        extra = "" if method == "bare" else f"   overhead over bare {seconds - per_sub['bare']:+.1f} s"
        print(f"  {method:<8}{seconds:8.1f}{extra}")
    print(f"  tfgrade / stock nbgrader = {report['ratio_tfgrade_over_stock']:.2f}; "
          f"nbgrader+our step / stock = {report['ratio_ours_over_stock']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
