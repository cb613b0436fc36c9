import pytest

from graders import exports, report, scoring
from graders.course import Assignment, Budget, Question, load_assignment
from graders.grade import GradeResult


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


def test_expected_values_reach_the_student_only_where_the_manifest_allows(assignment, tmp_path):
    failed = dict(record("b", "q1", False), values="expected 0.125, got 0.5")
    question = scoring.fold(assignment, [record("a", "q1", True), failed], {})["q1"]
    assert question.tests[1].values == "expected 0.125, got 0.5"
    assert "wrong" in report.feedback(question) and "0.125" not in report.feedback(question)
    assert "expected 0.125, got 0.5" in report.feedback(question, values=True)
    result = GradeResult("a99", "n.ipynb", {"q1": question}, True, 1.0)
    exports.write_gradescope(result, tmp_path / "hidden.json")
    exports.write_gradescope(result, tmp_path / "shown.json", values=True)
    assert "0.125" not in (tmp_path / "hidden.json").read_text()
    assert "0.125" in (tmp_path / "shown.json").read_text()
    report.write_json(result, tmp_path / "instructor.json")  # CI and the instructor see everything
    assert "expected 0.125" in (tmp_path / "instructor.json").read_text()


@pytest.mark.parametrize("setting, accepted", [("messages", True), ("values", True), ("everything", False)])
def test_the_manifest_names_the_feedback_detail(tmp_path, setting, accepted):
    folder = tmp_path / "assignments" / "a99"
    folder.mkdir(parents=True)
    (folder / "manifest.toml").write_text(f'id = "a99"\ntitle = "t"\nfeedback = "{setting}"\n'
                                          '[[questions]]\nid = "q1"\ntitle = "one"\npoints = 1\n')
    if accepted:
        assert load_assignment("a99", tmp_path).feedback == setting
    else:
        with pytest.raises(ValueError, match="feedback"):
            load_assignment("a99", tmp_path)
