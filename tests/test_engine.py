"""The grading engine end to end on the two-question mini course: scores, reasons, faults and the CLI."""

import json

import nbformat
import pytest

from graders import grade
from graders.cli import main as tfgrade
from graders.notebook import grade_id, read_notebook
from tests.conftest import requires_bwrap

pytestmark = requires_bwrap


def notebook_with(mini, **solutions):
    nb = read_notebook(mini.source_notebook)
    for cell in nb.cells:
        question = (grade_id(cell) or "").removesuffix("_solution")
        if (grade_id(cell) or "").endswith("_solution") and question in solutions:
            cell.source = solutions[question]
    return nb


def scores(result):
    return {q: (r.score, r.reason) for q, r in result.questions.items()}


def test_reference_scores_full_marks(mini):
    result = grade.grade_notebook(mini.source_notebook, mini)
    assert scores(result) == {"q1": (4, None), "q2": (6, None)}
    assert result.sandboxed


def test_grading_one_question_runs_only_its_tests(mini, course_env, tmp_path, capsys):
    result = grade.grade_notebook(mini.source_notebook, mini, questions=["q2"])
    assert scores(result) == {"q2": (6, None)}
    assert tfgrade(["grade", str(mini.source_notebook), "--assignment", "a00_mini", "-q", "q1",
                    "--json", str(tmp_path / "r.json")]) == 0
    assert list(json.loads((tmp_path / "r.json").read_text())["questions"]) == ["q1"]
    with pytest.raises(ValueError, match="no question q9"):
        grade.grade_notebook(mini.source_notebook, mini, questions=["q9"])


def test_blank_release_scores_zero(mini, tmp_path):
    release = tmp_path / "blank.ipynb"
    nb = read_notebook(mini.source_notebook)
    for cell in nb.cells:
        if (grade_id(cell) or "").endswith("_solution"):
            cell.source = "# YOUR CODE HERE\nraise NotImplementedError()"
    nbformat.write(nb, release)
    result = grade.grade_notebook(release, mini)
    assert result.score == 0
    messages = [t.message for q in result.questions.values() for t in q.tests]
    assert all("NotImplementedError" in m or "does not define" in m for m in messages), messages


def test_partial_credit_follows_the_test_weights(mini):
    wrong_gradient = ("import tensorflow as tf\n"
                      "def scaled_sum(x, k):\n    return tf.stop_gradient(k * tf.reduce_sum(x, -1))")
    result = grade.grade_notebook(notebook_with(mini, q1=wrong_gradient), mini)
    assert scores(result)["q1"] == (pytest.approx(4 / 3, abs=1e-3), None)
    assert scores(result)["q2"] == (6, None)


def test_a_question_told_to_stop_at_its_first_failure_skips_the_rest(mini):
    off_by_one = ("import tensorflow as tf\n"
                  "def scaled_sum(x, k):\n    return k * tf.reduce_sum(tf.convert_to_tensor(x, tf.float32), -1) + 1")
    notebook = notebook_with(mini, q1=off_by_one)
    every_test = grade.grade_notebook(notebook, mini)
    assert [t.passed for t in every_test.questions["q1"].tests] == [False, True], "the gradient is still right"
    settled = grade.grade_notebook(notebook, mini, stop_after_failure=["q1"])
    q1 = settled.questions["q1"]
    assert q1.score == 0 and [t.passed for t in q1.tests] == [False, False]
    assert "already failed" in q1.tests[1].message
    assert scores(settled)["q2"] == (6, None), "another question runs every test"
    cheap_gradient = grade.grade_notebook(notebook, mini, stop_after_failure=["q1"], test_costs={
        "q1::test_values_match": 2.0, "q1::test_gradient_matches": 0.5, "q2::test_counts": 0.0})
    q1 = cheap_gradient.questions["q1"]
    assert [(t.name, t.passed) for t in q1.tests] == [("test_gradient_matches", True), ("test_values_match", False)]
    assert 0 < q1.score < q1.max_score


def test_a_lying_result_object_scores_nothing(mini):
    liar = ("class Liar:\n    def __eq__(self, other):\n        return True\n    __array_priority__ = 1000\n"
            "def scaled_sum(x, k):\n    return Liar()")
    result = grade.grade_notebook(notebook_with(mini, q1=liar), mini)
    assert result.questions["q1"].score == 0
    assert "expected a tensor" in result.questions["q1"].tests[0].message


def test_input_transformer_cheat_gains_nothing(mini):
    cheat = ("import tensorflow as tf\ndef scaled_sum(x, k):\n    return tf.zeros(())\n"
             "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])")
    result = grade.grade_notebook(notebook_with(mini, q1=cheat), mini)
    assert result.questions["q1"].score == 0
    assert result.questions["q2"].score == 0, "later cells became `pass`, so Counter is missing"
    assert result.questions["q2"].reason == "missing_name"


def test_hangs_and_crashes_cost_only_their_question(mini):
    hang = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)"
    result = grade.grade_notebook(notebook_with(mini, q1=hang), mini)
    assert scores(result) == {"q1": (0, "timeout"), "q2": (6, None)}
    crash = "import os\nos._exit(3)"
    result = grade.grade_notebook(notebook_with(mini, q2=crash), mini)
    assert scores(result) == {"q1": (4, None), "q2": (0, "worker_died")}


def test_a_call_that_kills_the_worker_costs_only_that_question(mini):
    dies_when_called = ("import os, tensorflow as tf\nclass Counter(tf.Module):\n"
                        "    def __init__(self):\n        os.kill(os.getpid(), 9)")
    result = grade.grade_notebook(notebook_with(mini, q2=dies_when_called), mini)
    assert scores(result)["q1"] == (4, None)
    assert scores(result)["q2"] == (0, "worker_died")


def test_a_memory_bomb_is_named(mini):
    bomb = "import numpy as np\nhog = np.ones((1 << 40,), dtype=np.uint8)"
    result = grade.grade_notebook(notebook_with(mini, q2=bomb), mini)
    assert scores(result) == {"q1": (4, None), "q2": (0, "memory_limit")}


def test_cli_grade_writes_json_and_junit_and_exits_zero(mini, course_env, tmp_path, capsys):
    out, junit = tmp_path / "r.json", tmp_path / "r.xml"
    code = tfgrade(["grade", str(mini.source_notebook), "--assignment", "a00_mini", "--json", str(out),
                    "--junit", str(junit)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["score"] == 10 and data["max_score"] == 10 and data["assignment"] == "a00_mini"
    test = data["questions"]["q1"]["tests"][0]
    assert set(test) >= {"name", "passed", "points", "message"} and data["questions"]["q1"]["reason"] is None
    assert "<testsuites" in junit.read_text()
    assert "q1" in capsys.readouterr().out


def test_cli_fail_under_gates_and_invalid_notebooks_still_grade(course_env, tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{nope")
    out = tmp_path / "r.json"
    assert tfgrade(["grade", str(broken), "--assignment", "a00_mini", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["score"] == 0 and {q["reason"] for q in data["questions"].values()} == {"invalid_notebook"}
    assert tfgrade(["grade", str(broken), "--assignment", "a00_mini", "--fail-under", "1"]) == 1


def test_cli_fails_when_grading_cannot_be_done(course_env, tmp_path):
    assert tfgrade(["grade", str(tmp_path / "x.ipynb"), "--assignment", "a77_nope"]) == 2


def test_no_sandbox_grades_the_same_and_warns(mini, course_env, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert tfgrade(["grade", str(mini.source_notebook), "--assignment", "a00_mini", "--json", str(out),
                    "--no-sandbox"]) == 0
    assert json.loads(out.read_text())["score"] == 10
    assert json.loads(out.read_text())["sandboxed"] is False
    assert "UNPROTECTED" in capsys.readouterr().err
