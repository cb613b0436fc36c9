"""Feedback that names a notebook-wide cause: the judge's static scan of the submitted cells (graders/notebook_scan)."""

from graders import submissions
from graders.authoring import reference_sections
from graders.course import load_assignment
from graders.grade import grade_notebook
from graders.judge.remote import Cell
from graders.notebook import grade_id
from graders.notebook_scan import global_changes
from tests.conftest import make_course, requires_bwrap

COPIED = """import tensorflow as tf
%load_ext autoreload
tf.config.run_functions_eagerly(True)       # copied from a guide: changes every tf.function of the notebook
tf.config.run_functions_eagerly(False)      # setting the default back is fine
def helper():
    tf.compat.v1.disable_eager_execution()  # only if called: not a cell-time change
if True:
    from tensorflow.keras import mixed_precision
    mixed_precision.set_global_policy("mixed_float16")
tf.keras.mixed_precision.set_global_policy("float32")
tf.config.threading.set_inter_op_parallelism_threads(1)
"""


def test_the_scan_finds_what_a_cell_does_when_it_runs():
    changes = global_changes([Cell(6, COPIED, "q2"), Cell(7, "def f(:\n", "q2")])
    assert [(c.cell, c.line, c.call) for c in changes] == [
        (7, 3, "tf.config.run_functions_eagerly(True)"),
        (7, 9, 'mixed_precision.set_global_policy("mixed_float16")'),
        (7, 11, "tf.config.threading.set_inter_op_parallelism_threads(1)")]
    assert "runs eagerly" in changes[0].note() and "cell 7" in changes[0].note()


def test_what_the_reference_does_the_same_way_is_not_reported():
    setup = "tf.config.set_logical_device_configuration(cpu, [cfg] * 4)\n"
    assert global_changes([Cell(2, setup, None)], [Cell(0, setup, None)]) == []
    assert len(global_changes([Cell(2, setup, None)])) == 1


@requires_bwrap
def test_failed_tests_name_the_cell_that_disabled_eager_execution(tmp_path):
    mini = load_assignment("a00_mini", make_course(tmp_path, 0))  # with its release
    broken = "tf.compat.v1.disable_eager_execution()  # from an old tutorial\n\n" + reference_sections(mini)["q1"]
    notebook = submissions.with_sections(mini, {"q1": broken})
    cell = next(k for k, c in enumerate(notebook.cells) if grade_id(c) == "q1_solution") + 1
    result = grade_notebook(notebook, mini)
    failed = [t for q in result.questions.values() for t in q.tests if not t.passed]
    assert failed, "disabling eager execution should break the graded calls"
    for test in failed:
        assert f"Note: cell {cell} (line 1) runs `tf.compat.v1.disable_eager_execution()`" in test.message
    assert all("Note:" not in t.message for q in result.questions.values() for t in q.tests if t.passed)
    correct = grade_notebook(submissions.with_sections(mini), mini)
    assert correct.score == correct.max_score
    assert not any("Note:" in t.message for q in correct.questions.values() for t in q.tests)
