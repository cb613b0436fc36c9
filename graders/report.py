"""Human and machine-readable renderings of a grade: the terminal table, JSON, JUnit XML and feedback text."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from graders.grade import GradeResult


def table(result: GradeResult) -> str:
    """A per-question table for the terminal."""
    lines = [f"{result.assignment}  {result.notebook}",
             f"{'question':<10}{'score':>10}{'max':>8}  reason / failed tests"]
    for qid, q in result.questions.items():
        failed = [t.name for t in q.tests if not t.passed]
        note = q.reason or ""
        if failed:
            note = (note + ": " if note else "") + ", ".join(failed)
        lines.append(f"{qid:<10}{q.score:>10.2f}{q.max_score:>8.2f}  {note}")
    lines.append(f"{'total':<10}{result.score:>10.2f}{result.max_score:>8.2f}"
                 f"  ({'sandboxed' if result.sandboxed else 'NOT SANDBOXED'}, {result.duration_s:.1f} s)")
    return "\n".join(lines)


def write_json(result: GradeResult, path: Path) -> None:
    Path(path).write_text(json.dumps(result.to_json(), indent=2) + "\n")


def write_junit(result: GradeResult, path: Path) -> None:
    """One testsuite per question, one testcase per hidden test; failures carry the student-facing message."""
    suites = ET.Element("testsuites", name=result.assignment)
    for qid, q in result.questions.items():
        suite = ET.SubElement(suites, "testsuite", name=f"{result.assignment}.{qid}", tests=str(len(q.tests)),
                              failures=str(sum(not t.passed for t in q.tests)))
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="score", value=f"{q.score}/{q.max_score}")
        if not q.tests:
            case = ET.SubElement(suite, "testcase", classname=qid, name="graded")
            ET.SubElement(case, "failure", message=q.reason or "not graded").text = "\n".join(q.cell_errors)
        for test in q.tests:
            case = ET.SubElement(suite, "testcase", classname=qid, name=test.name)
            if not test.passed:
                ET.SubElement(case, "failure", message=(q.reason or "failed")).text = test.message
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def feedback(question) -> str:
    """The text written under a question's grade cell: each test, pass or fail, and what to fix."""
    lines = [f"Score: {question.score:g} / {question.max_score:g}"]
    if question.reason:
        lines.append(f"Reason: {question.reason}")
    lines += [f"  {error}" for error in question.cell_errors]
    for test in question.tests:
        mark = "PASS" if test.passed else "FAIL"
        lines.append(f"[{mark}] {test.name} ({test.points:g} pts)")
        if not test.passed and test.message:
            lines += ["       " + line for line in test.message.splitlines()[:12]]
    return "\n".join(lines) + "\n"
