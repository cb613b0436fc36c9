"""Done-list item 8: the reference scores full marks and the release zero, five times, two graders at once.

Each round grades the assignment's source notebook (its reference solutions) and its release notebook at the same
time, each in its own judge and sandboxes, through the real grading path (``graders.grade.grade_notebook``), with
no stored reference answers: both gradings start their own reference worker, so the two cores are as busy as a
batch makes them. A *flip* is any test whose verdict differs from the first round's, or a score other than full
marks for the source and zero for the release. Speed checks are included: that their ratios hold under this load is
the point. Writes bench/results/stability-<assignment>.json.

Usage: .venv/bin/python bench/bench_stability.py ASSIGNMENT [ASSIGNMENT ...] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders import grade  # noqa: E402
from graders.course import load_assignment  # noqa: E402


def verdicts(result) -> dict[str, bool]:
    return {f"{q}::{t.name}": t.passed for q, r in result.questions.items() for t in r.tests}


def stability(assignment_id: str, rounds: int) -> dict:
    """Grades source and release side by side ``rounds`` times; the scores, the flips and the wall times."""
    assignment = load_assignment(assignment_id, ROOT)
    notebooks = {"source": assignment.source_notebook, "release": assignment.release_notebook}
    wanted = {"source": assignment.max_score, "release": 0.0}
    first: dict[str, dict[str, bool]] = {}
    report = {"assignment": assignment_id, "rounds": [], "flips": [], "wrong_scores": []}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for k in range(rounds):
            started = time.monotonic()
            futures = {kind: pool.submit(grade.grade_notebook, path, assignment, name=kind)
                       for kind, path in notebooks.items()}
            results = {kind: future.result() for kind, future in futures.items()}
            entry = {"wall_s": round(time.monotonic() - started, 1)}
            for kind, result in results.items():
                entry[kind] = {"score": result.score, "duration_s": round(result.duration_s, 1)}
                if result.score != wanted[kind]:
                    report["wrong_scores"].append({"round": k + 1, "notebook": kind, "score": result.score,
                                                   "failed": [n for n, ok in verdicts(result).items() if not ok]})
                seen = verdicts(result)
                first.setdefault(kind, seen)
                report["flips"] += [{"round": k + 1, "notebook": kind, "test": name, "first": first[kind].get(name),
                                     "now": ok} for name, ok in seen.items() if first[kind].get(name) != ok]
            report["rounds"].append(entry)
            print(f"{assignment_id} round {k + 1}: source {entry['source']['score']}/{assignment.max_score:g} "
                  f"({entry['source']['duration_s']} s), release {entry['release']['score']} "
                  f"({entry['release']['duration_s']} s)", flush=True)
    report["stable"] = not report["flips"] and not report["wrong_scores"]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    unstable = []
    for assignment_id in args.assignments:
        report = stability(assignment_id, args.rounds)
        (out / f"stability-{assignment_id}.json").write_text(json.dumps(report, indent=1))
        print(f"{assignment_id}: {'stable' if report['stable'] else 'UNSTABLE'} over {args.rounds} rounds; "
              f"flips {len(report['flips'])}, wrong scores {len(report['wrong_scores'])}", flush=True)
        if not report["stable"]:
            unstable.append(assignment_id)
    return 1 if unstable else 0


if __name__ == "__main__":
    sys.exit(main())
