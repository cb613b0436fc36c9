"""Folding test outcomes into per-question partial credit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# When several things went wrong in one question, the reason shown is the most fundamental one.
_REASON_ORDER = ("invalid_notebook", "worker_died", "memory_limit", "disk_limit", "process_limit", "timeout",
                 "missing_name", "invalid_result", "exception", "grading_error")


@dataclass
class TestResult:
    """One hidden test, as the student sees it."""

    name: str
    passed: bool
    points: float
    message: str = ""
    duration_s: float = 0.0
    values: str = ""  # the expected values behind a failed check: for the instructor, see ``course.Assignment``


@dataclass
class QuestionResult:
    """One question's score and why."""

    score: float
    max_score: float
    reason: str | None
    tests: list[TestResult] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)


def _worst(reasons) -> str | None:
    present = [r for r in reasons if r]
    if not present:
        return None
    return min(present, key=lambda r: _REASON_ORDER.index(r) if r in _REASON_ORDER else len(_REASON_ORDER))


def fold(assignment, tests: list[dict],
         cell_failures: dict[str, list[tuple[str | None, str]]]) -> dict[str, QuestionResult]:
    """Scores each question as its points times the passed share of its test weights.

    Args:
        assignment: The ``graders.course.Assignment``: the only source of questions and points.
        tests: The judge's per-test records (question, weight, passed, reason, message).
        cell_failures: Per question, ``(kind, message)`` of each of its notebook cells that failed.

    Returns:
        ``{question_id: QuestionResult}`` in the manifest's order.
    """
    results = {}
    for question in assignment.questions:
        own = [t for t in tests if t["question"] == question.id]
        total = sum(t["weight"] for t in own)
        earned = sum(t["weight"] for t in own if t["passed"])
        score = round(question.points * earned / total, 4) if total else 0.0
        failures = cell_failures.get(question.id, [])
        reason = None
        if score < question.points:
            hard = [kind for kind, _ in failures
                    if kind in ("worker_died", "memory_limit", "disk_limit", "process_limit", "timeout")]
            reason = _worst(hard) or _worst(t["reason"] for t in own if not t["passed"])
            if reason == "exception":
                reason = None  # the student's code raised: an ordinary wrong answer, the message says which
            if not own:
                reason = "grading_error"
        results[question.id] = QuestionResult(
            score=score, max_score=question.points, reason=reason,
            tests=[TestResult(name=t["name"], passed=t["passed"],
                              points=round(question.points * t["weight"] / total, 4) if total else 0.0,
                              message=t["message"], duration_s=t.get("duration_s", 0.0),
                              values=t.get("values", "")) for t in own],
            cell_errors=[message for _, message in failures])
    return results


def annotate(questions: dict[str, QuestionResult], notes: list[str]) -> None:
    """Adds notebook-wide notes (``graders.notebook_scan``) to the message of every failed test, in place."""
    if not notes:
        return
    for question in questions.values():
        for test in question.tests:
            if not test.passed:
                test.message = "\n\n".join(filter(None, [test.message, *notes]))


def zero(assignment, reason: str, message: str) -> dict[str, QuestionResult]:
    """Every question at zero with the same reason: the notebook could not be graded at all."""
    return {q.id: QuestionResult(score=0.0, max_score=q.points, reason=reason, cell_errors=[message])
            for q in assignment.questions}


def as_dict(result: QuestionResult) -> dict:
    return asdict(result)


def from_dict(data: dict) -> QuestionResult:
    """The inverse of ``as_dict``."""
    tests = [TestResult(**t) for t in data["tests"]]
    return QuestionResult(score=float(data["score"]), max_score=float(data["max_score"]), reason=data["reason"],
                          tests=tests, cell_errors=list(data["cell_errors"]))
