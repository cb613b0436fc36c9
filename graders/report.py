"""Human and machine-readable renderings of a grade: the terminal table, JSON, JUnit XML and feedback text."""

from __future__ import annotations

import json
import re
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


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """Text that XML 1.0 can carry: control characters a submission printed become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text or "")


def _first_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return line[:limit] + ("..." if len(line) > limit else "")


def write_junit(result: GradeResult, path: Path) -> None:
    """One testsuite per question, one testcase per hidden test.

    A failure's ``message`` is the first line of the test's student-facing message (with the question's reason, if
    any) and its text is the whole message; ``time`` is the test's duration as the judge measured it.
    """
    suites = ET.Element("testsuites", name=_xml(result.assignment), time=f"{result.duration_s:.3f}",
                        tests=str(sum(len(q.tests) or 1 for q in result.questions.values())),
                        failures=str(sum(sum(not t.passed for t in q.tests) or (not q.tests)
                                         for q in result.questions.values())))
    for qid, q in result.questions.items():
        suite = ET.SubElement(suites, "testsuite", name=_xml(f"{result.assignment}.{qid}"), tests=str(len(q.tests)),
                              failures=str(sum(not t.passed for t in q.tests)),
                              time=f"{sum(t.duration_s for t in q.tests):.3f}")
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="score",
                      value=f"{_num(q.score)}/{_num(q.max_score)}")
        if not q.tests:
            case = ET.SubElement(suite, "testcase", classname=qid, name="graded", time="0.000")
            text = "\n".join([q.reason or "not graded", *q.cell_errors])
            ET.SubElement(case, "failure", message=_xml(_first_line(text)), type=q.reason or "not_graded").text = (
                _xml(text))
        for test in q.tests:
            case = ET.SubElement(suite, "testcase", classname=qid, name=_xml(test.name), time=f"{test.duration_s:.3f}")
            if not test.passed:
                first = _first_line(test.message) or "failed"
                message = f"{q.reason}: {first}" if q.reason else first
                ET.SubElement(case, "failure", message=_xml(message), type=q.reason or "failed").text = _xml(
                    "\n".join(filter(None, [test.message, test.values])))
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def _num(value: float) -> str:
    """A score as people read it: at most two decimals."""
    return f"{round(value, 2):g}"


def feedback(question, *, values: bool = False) -> str:
    """The text written under a question's grade cell: each test, pass or fail, and what to fix.

    Args:
        question: The ``QuestionResult``.
        values: Also show the expected values behind each failed check (the manifest's ``feedback = "values"``).
    """
    lines = [f"Score: {_num(question.score)} / {_num(question.max_score)}"]
    if question.reason:
        lines.append(f"Reason: {question.reason}")
    lines += [f"  {error}" for error in question.cell_errors]
    for test in question.tests:
        mark = "PASS" if test.passed else "FAIL"
        lines.append(f"[{mark}] {test.name} ({_num(test.points)} pts)")
        if not test.passed and test.message:
            lines += ["       " + line for line in test.message.splitlines()[:12]]
        if not test.passed and values and test.values:
            lines += ["       " + line for line in test.values.splitlines()[:6]]
    return "\n".join(lines) + "\n"
