"""The ``tfgrade`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graders import authoring, exports, report
from graders.course import assignment_ids, load_assignment
from graders.grade import grade_notebook
from graders.judge.plugin import GradingError
from graders.notebook import InvalidNotebook
from graders.sandbox import SandboxUnavailable, bwrap_path

EXIT_GRADED, EXIT_BELOW_THRESHOLD, EXIT_GRADING_FAILED, EXIT_USAGE = 0, 1, 2, 64


def _sandbox_choice(no_sandbox: bool) -> bool:
    if no_sandbox:
        print("WARNING: --no-sandbox: the submission's code runs UNPROTECTED with your user's rights. "
              "Use it only for code you trust.", file=sys.stderr)
        return False
    bwrap_path()
    return True


def cmd_grade(args) -> int:
    if not Path(args.notebook).is_file():
        print(f"tfgrade: no such notebook: {args.notebook}", file=sys.stderr)
        return EXIT_GRADING_FAILED
    sandboxed = _sandbox_choice(args.no_sandbox)
    result = grade_notebook(Path(args.notebook), args.assignment, sandboxed=sandboxed, questions=args.question)
    print(report.table(result))
    if args.json:
        report.write_json(result, Path(args.json))
    if args.junit:
        report.write_junit(result, Path(args.junit))
    if args.gradescope:
        exports.write_gradescope(result, Path(args.gradescope), visibility=args.gradescope_visibility,
                                 values=load_assignment(result.assignment).feedback == "values")
    if args.fail_under is not None and result.score < args.fail_under:
        print(f"score {result.score:g} is under --fail-under {args.fail_under:g}", file=sys.stderr)
        return EXIT_BELOW_THRESHOLD
    return EXIT_GRADED


def cmd_verify(args) -> int:
    """Source notebook (solutions in) must score full marks; the unmodified release must score zero."""
    sandboxed = _sandbox_choice(args.no_sandbox)
    failed = False
    for assignment_id in args.assignments or assignment_ids():
        assignment = load_assignment(assignment_id)
        for kind, path, want in (("source", assignment.source_notebook, assignment.max_score),
                                 ("release", assignment.release_notebook, 0.0)):
            result = grade_notebook(path, assignment, sandboxed=sandboxed)
            ok = abs(result.score - want) < 1e-9
            failed |= not ok
            print(f"{'ok  ' if ok else 'FAIL'} {assignment_id} {kind:<8} {result.score:g}/{result.max_score:g} "
                  f"(expected {want:g}, {result.duration_s:.1f} s)")
            if not ok:
                print(report.table(result))
    return EXIT_GRADING_FAILED if failed else EXIT_GRADED


def cmd_autograde(args) -> int:
    """Grades every submission of an assignment into nbgrader's gradebook, N at a time, resumably."""
    from graders.autograde import Batch

    sandboxed = _sandbox_choice(args.no_sandbox) if not args.scheduler else not args.no_sandbox
    batch = Batch(args.assignment, jobs=args.jobs, students=args.student, force=args.force,
                  scheduler=args.scheduler, sandboxed=sandboxed)
    summary = batch.run()
    print(summary.render())
    return EXIT_GRADING_FAILED if summary.failed else EXIT_GRADED


def cmd_build(args) -> int:
    """Regenerates the source notebooks from the reference modules and manifests."""
    for assignment_id in args.assignments or assignment_ids():
        assignment = load_assignment(assignment_id)
        text = authoring.render(authoring.build_source_notebook(assignment))
        path = assignment.source_notebook
        changed = not path.exists() or path.read_text() != text
        if args.check:
            if changed:
                print(f"{path} is out of date; run `tfgrade build {assignment_id}`")
                return EXIT_GRADING_FAILED
            continue
        path.write_text(text)
        print(f"{'wrote' if changed else 'unchanged'} {path}")
    return EXIT_GRADED


def cmd_mutants(args) -> int:
    """Seeds mutants into each question's solution and reports the share that the hidden tests catch."""
    from graders import mutants

    sandboxed = _sandbox_choice(args.no_sandbox)
    report = mutants.run(load_assignment(args.assignment), questions=args.question, limit=args.max or None,
                         seed=args.seed, jobs=args.jobs, sandboxed=sandboxed, min_caught=args.min_caught,
                         progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.render())
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=1) + "\n")
    return report.exit_code


def cmd_handout(args) -> int:
    """Writes the zip a student downloads: the released notebook, its public tests, the student environment."""
    from graders import handout

    for assignment_id in args.assignments or assignment_ids():
        assignment = load_assignment(assignment_id)
        path = handout.build(assignment, Path(args.out) / f"{assignment_id}.zip")
        print(f"wrote {path}")
    return EXIT_GRADED


def cmd_gradescope(args) -> int:
    """Packs an assignment as a Gradescope autograder zip (setup.sh, run_autograder and what grading needs)."""
    from graders import gradescope

    assignment = load_assignment(args.assignment)
    out = Path(args.out or f"dist/gradescope/{assignment.id}-autograder.zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    gradescope.package(assignment, out, visibility=args.visibility, sandbox=not args.no_sandbox)
    print(f"wrote {out}")
    return EXIT_GRADED


def cmd_report(args) -> int:
    """Writes the instructor's page of an assignment's class: distributions, failed tests, reasons, flags."""
    from graders import class_report
    from graders.course import course_root

    out = Path(args.out) if args.out else course_root() / "gradebook" / "reports" / args.assignment
    page = class_report.write(args.assignment, out, threshold=args.threshold)
    print(f"wrote {page} and {page.parent / 'similarity.html'}")
    return EXIT_GRADED


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tfgrade", description="Sandboxed autograder for the TensorFlow course.")
    sub = top.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade one notebook")
    grade.add_argument("notebook")
    grade.add_argument("--assignment", required=True)
    grade.add_argument("--json", help="write the machine-readable result here")
    grade.add_argument("--junit", help="write JUnit XML here")
    grade.add_argument("--gradescope", help="write a Gradescope autograder results.json here")
    grade.add_argument("--gradescope-visibility", default="after_published", choices=exports.GRADESCOPE_VISIBILITY,
                       help="when students see the hidden tests' names and messages on Gradescope "
                            "(default: after_published)")
    grade.add_argument("--fail-under", type=float, help="exit 1 when the score is below this")
    grade.add_argument("--question", "-q", action="append",
                       help="grade only this question (repeatable; for authors calibrating thresholds)")
    grade.add_argument("--no-sandbox", action="store_true", help="run the submission without bubblewrap (unsafe)")
    grade.set_defaults(func=cmd_grade)
    verify = sub.add_parser("verify", help="prove reference = full marks and release = zero")
    verify.add_argument("assignments", nargs="*")
    verify.add_argument("--no-sandbox", action="store_true")
    verify.set_defaults(func=cmd_verify)
    batch = sub.add_parser("autograde", help="grade every submission of an assignment into the gradebook")
    batch.add_argument("assignment")
    batch.add_argument("--student", action="append", help="only this student (repeatable)")
    batch.add_argument("--jobs", "-j", type=int, help="submissions graded at once (default: the number of cores)")
    batch.add_argument("--force", action="store_true", help="grade again what is already recorded")
    batch.add_argument("--scheduler", help="grade on a Dask cluster: the scheduler's address, tcp://HOST:PORT")
    batch.add_argument("--no-sandbox", action="store_true", help="run submissions without bubblewrap (unsafe)")
    batch.set_defaults(func=cmd_autograde)
    build = sub.add_parser("build", help="generate source notebooks from reference/ and the manifests")
    build.add_argument("assignments", nargs="*")
    build.add_argument("--check", action="store_true", help="fail if a committed notebook is out of date")
    build.set_defaults(func=cmd_build)
    mutants = sub.add_parser("mutants", help="seed mutants into each solution and check the hidden tests catch them")
    mutants.add_argument("assignment")
    mutants.add_argument("--question", "-q", action="append", help="only this question (repeatable)")
    mutants.add_argument("--max", type=int, default=20, help="mutants sampled per question (0: all; default 20)")
    mutants.add_argument("--seed", type=int, default=0, help="the sampling seed (default 0)")
    mutants.add_argument("--jobs", "-j", type=int, default=2, help="notebooks graded at once (default 2)")
    mutants.add_argument("--min-caught", type=float, default=0.9,
                         help="exit 1 when a question catches a smaller share of its mutants (default 0.9)")
    mutants.add_argument("--json", help="write the machine-readable result here")
    mutants.add_argument("--no-sandbox", action="store_true", help="run the mutants without bubblewrap (unsafe)")
    mutants.set_defaults(func=cmd_mutants)
    handout_ = sub.add_parser("handout", help="write what a student downloads (notebook, public tests, environment)")
    handout_.add_argument("assignments", nargs="*")
    handout_.add_argument("--out", default="dist/handout", help="folder for the zips (default dist/handout)")
    handout_.set_defaults(func=cmd_handout)
    scope = sub.add_parser("gradescope", help="pack an assignment as a Gradescope autograder zip")
    scope.add_argument("assignment")
    scope.add_argument("--out", help="the zip (default dist/gradescope/ID-autograder.zip)")
    scope.add_argument("--visibility", default="after_published", choices=exports.GRADESCOPE_VISIBILITY,
                       help="when students see the hidden tests' names and messages (default after_published)")
    scope.add_argument("--no-sandbox", action="store_true",
                       help="grade without bubblewrap in Gradescope's container (the submission can then read the "
                            "hidden tests packed beside it)")
    scope.set_defaults(func=cmd_gradescope)
    report_ = sub.add_parser("report", help="write the instructor's HTML page of an assignment's class")
    report_.add_argument("assignment")
    report_.add_argument("--out", help="folder for index.html and similarity.html (default gradebook/reports/ID)")
    report_.add_argument("--threshold", type=float, default=0.6,
                         help="list solution pairs sharing at least this share of code (default 0.6)")
    report_.set_defaults(func=cmd_report)
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (SandboxUnavailable, GradingError, InvalidNotebook, LookupError, ValueError) as exc:
        print(f"tfgrade: grading could not be done: {exc}", file=sys.stderr)
        return EXIT_GRADING_FAILED


if __name__ == "__main__":
    sys.exit(main())
