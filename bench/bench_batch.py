"""Batch grading at class scale, measured side by side in one run.

A fixed mix of a01 submissions (per five: two correct, two partly wrong with real mistakes from the test fixtures,
one blank), each made distinct by a comment as real notebooks are, is graded by:
  bare      `jupyter nbconvert --execute` of each notebook, one after another (no grading at all: the floor),
  stock     stock `nbgrader autograde` (in-kernel, sequential, public otter checks only, no sandbox),
  tfgrade   `tfgrade autograde --jobs N` (sandboxed student and reference workers, hidden tests, gradebook writes).
Each method gets its own fresh course, so none reuses another's gradebook, stored grades or reference answers.
Stock and tfgrade run in turn ``--repeats`` times (each round on fresh courses): the machine is noisy, so each round
gives a ratio of two runs taken side by side, and the median of those ratios is the figure reported.
Then `tfgrade autograde` alone on growing batches shows how its time scales.

Prints seconds per submission and the ratios; writes bench/results/batch.json.

Usage: .venv/bin/python bench/bench_batch.py [--size 20] [--jobs 2] [--repeats 1] [--scaling 10 20 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_grading import BIN, STOCK_CONFIG, make_course  # noqa: E402
from graders import submissions  # noqa: E402
from graders.course import load_assignment  # noqa: E402

ASSIGNMENT = "a01_tensorflow_fundamentals"
PARTLY_WRONG = ("q4_python_float_state", "q5_plain_cast_wraps_around", "q2_toposort_ignores_control_inputs",
                "q6_fast_step_not_compiled")


def the_mix(assignment, size: int) -> list[nbformat.NotebookNode]:
    """``size`` submissions: per five, two correct, two partly wrong (rotating mistakes), one blank."""
    wrong = [submissions.load_variant(ROOT / "tests/submissions" / ASSIGNMENT / f"{name}.py")[0]
             for name in PARTLY_WRONG]
    notebooks = []
    for k in range(size):
        slot = k % 5
        if slot in (0, 2):
            notebooks.append(submissions.with_sections(assignment))
        elif slot in (1, 3):
            notebooks.append(submissions.with_sections(assignment, wrong[(k // 5 * 2 + slot // 2) % len(wrong)]))
        else:
            notebooks.append(submissions.blank(assignment))
        # Real students' notebooks all differ (comments, spacing): make every one distinct, so none is read back
        # from an identical one's stored grade and every submission is really graded.
        for cell in notebooks[-1].cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q1_solution":
                cell.source = f"{cell.source}\n# submission {k}"
    return notebooks


def submit_all(course: Path, notebooks) -> None:
    for k, notebook in enumerate(notebooks):
        folder = course / "gradebook" / "submitted" / f"student{k:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")


def timed(argv, cwd, env) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:3]))} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed


def prepared_course(base: Path, assignment, config: str | None, notebooks, env) -> Path:
    course = make_course(base, assignment, config)
    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT], cwd=course, env=env, check=True,
                   capture_output=True)
    submit_all(course, notebooks)
    return course


def grade_with_tfgrade(base: Path, assignment, notebooks, jobs: int, env) -> float:
    course = prepared_course(base, assignment, None, notebooks, env)
    return timed([str(BIN / "tfgrade"), "autograde", ASSIGNMENT, "--jobs", str(jobs)], ROOT,
                 dict(env, TFGRADE_COURSE=str(course)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="rounds of stock then tfgrade, each on fresh courses")
    parser.add_argument("--scaling", type=int, nargs="*", default=[10, 20, 40])
    args = parser.parse_args()
    assignment = load_assignment(ASSIGNMENT, ROOT)
    notebooks = the_mix(assignment, args.size)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tfgrade-bench-batch-") as tmp:
        tmp = Path(tmp)
        bare = tmp / "bare"
        bare.mkdir()
        subprocess.run(["cp", "-r", str(ROOT / "release" / ASSIGNMENT / "tests"), str(bare / "tests")], check=True)
        start = time.perf_counter()
        for k, notebook in enumerate(notebooks):
            path = bare / f"n{k:03d}.ipynb"
            nbformat.write(notebook, path)
            timed([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
                   "--ExecutePreprocessor.timeout=600", "--output", str(bare / f"out{k:03d}.ipynb"), str(path)],
                  bare, env)
        seconds["bare"] = time.perf_counter() - start
        print(f"bare nbconvert --execute: {seconds['bare']:.1f} s for {args.size}", flush=True)
        rounds = []
        for k in range(args.repeats):
            stock = prepared_course(tmp / f"stock{k}", assignment, STOCK_CONFIG, notebooks, env)
            stock_s = timed([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], stock, env)
            print(f"stock nbgrader autograde: {stock_s:.1f} s", flush=True)
            ours_s = grade_with_tfgrade(tmp / f"ours{k}", assignment, notebooks, args.jobs, env)
            print(f"tfgrade autograde --jobs {args.jobs}: {ours_s:.1f} s", flush=True)
            rounds.append({"stock": stock_s, "tfgrade": ours_s, "stock_over_tfgrade": stock_s / ours_s})
        # The round whose ratio is the median (the lower one of an even count): its two times are reported.
        median = sorted(rounds, key=lambda r: r["stock_over_tfgrade"])[(len(rounds) - 1) // 2]
        seconds["stock"], seconds["tfgrade"] = median["stock"], median["tfgrade"]
        scaling = {args.size: seconds["tfgrade"]} if args.size in args.scaling else {}
        for size in sorted(set(args.scaling) - set(scaling)):
            scaling[size] = grade_with_tfgrade(tmp / f"scale{size}", assignment, the_mix(assignment, size),
                                               args.jobs, env)
            print(f"tfgrade autograde --jobs {args.jobs}, {size} submissions: {scaling[size]:.1f} s", flush=True)
        scaling = dict(sorted(scaling.items()))
    per_sub = {method: s / args.size for method, s in seconds.items()}
    report = {"assignment": ASSIGNMENT, "size": args.size, "jobs": args.jobs, "seconds": seconds,
              "seconds_per_submission": per_sub, "stock_over_tfgrade": seconds["stock"] / seconds["tfgrade"],
              "rounds": rounds,
              "cost_over_bare_per_submission": {m: per_sub[m] - per_sub["bare"] for m in ("stock", "tfgrade")},
              "scaling_seconds": scaling,
              "scaling_seconds_per_submission": {n: s / n for n, s in scaling.items()}}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "batch.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{args.size} a01 submissions (2 correct, 2 partly wrong, 1 blank per 5), {os.cpu_count()} cores")
    for method, value in per_sub.items():
        extra = "" if method == "bare" else f"   {value - per_sub['bare']:+.1f} s over bare"
        print(f"  {method:<8}{seconds[method]:8.1f} s  {value:6.2f} s/submission{extra}")
    each = ", ".join(f"{r['stock']:.1f} / {r['tfgrade']:.1f} s = {r['stock_over_tfgrade']:.2f}x" for r in rounds)
    print(f"  stock nbgrader / tfgrade autograde --jobs {args.jobs} = {report['stock_over_tfgrade']:.2f}x"
          + (f" (the median of {len(rounds)} rounds: {each})" if len(rounds) > 1 else ""))
    for size, value in scaling.items():
        print(f"  scaling: {size:>3} submissions {value:7.1f} s  ({value / size:.2f} s/submission)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
