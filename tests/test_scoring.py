import pytest

from graders import scoring
from graders.course import Assignment, Budget, Question


@pytest.fixture
def assignment(tmp_path):
    return Assignment(id="a99", title="t", intro="", budget=Budget(), root=tmp_path,
                      questions=(Question("q1", "one", 10), Question("q2", "two", 5), Question("q3", "three", 4)))


def record(name, question, passed, weight=1.0, reason=None):
    return {"name": name, "question": question, "passed": passed, "weight": weight, "reason": reason,
            "message": "" if passed else "wrong"}


def test_partial_credit_is_the_passed_share_of_weights(assignment):
    results = scoring.fold(assignment, [record("a", "q1", True, 3), record("b", "q1", False, 1),
                                        record("c", "q2", True), record("d", "q3", False)], {})
    assert results["q1"].score == 7.5 and results["q1"].reason is None
    assert [t.points for t in results["q1"].tests] == [7.5, 2.5]
    assert results["q2"].score == 5 and results["q3"].score == 0


def test_points_come_from_the_manifest_not_the_tests(assignment):
    results = scoring.fold(assignment, [record("a", "q2", True, 100)], {})
    assert results["q2"].max_score == 5 and results["q2"].score == 5


def test_remote_failure_names_the_reason(assignment):
    results = scoring.fold(assignment, [record("a", "q1", False, reason="missing_name"),
                                        record("b", "q1", False, reason="timeout")], {})
    assert results["q1"].reason == "timeout"


def test_a_student_exception_is_an_ordinary_wrong_answer(assignment):
    results = scoring.fold(assignment, [record("a", "q1", False, reason="exception")], {})
    assert results["q1"].reason is None


def test_a_cell_that_killed_the_worker_names_the_reason(assignment):
    results = scoring.fold(assignment, [record("a", "q1", False, reason="missing_name")],
                           {"q1": [("worker_died", "cell 3: the worker process ended (signal 11)")]})
    assert results["q1"].reason == "worker_died" and results["q1"].cell_errors


def test_full_marks_have_no_reason_even_after_a_harmless_cell_error(assignment):
    results = scoring.fold(assignment, [record("a", "q1", True)], {"q1": [("exception", "cell 3: NameError")]})
    assert results["q1"].score == 10 and results["q1"].reason is None


def test_a_question_without_tests_is_a_grading_error(assignment):
    assert scoring.fold(assignment, [], {})["q1"].reason == "grading_error"


def test_zero_gives_every_question_the_reason(assignment):
    results = scoring.zero(assignment, "invalid_notebook", "not JSON")
    assert {q.reason for q in results.values()} == {"invalid_notebook"}
    assert sum(q.score for q in results.values()) == 0
