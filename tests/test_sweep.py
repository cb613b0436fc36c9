"""How the sweep packs wrong-submission fixtures into shared notebooks (``tests/sweep.py``): what may share a round."""

import pytest

from graders import authoring
from graders.course import load_assignment
from tests.conftest import ROOT
from tests.sweep import Fixture, Independence, rounds

ASSIGNMENT = "a01_tensorflow_fundamentals"  # q1 reads os.environ and sets TensorFlow's threads; q5 touches neither


@pytest.fixture(scope="module")
def a01():
    assignment = load_assignment(ASSIGNMENT, ROOT)
    return assignment, authoring.reference_sections(assignment)


def _fixture(name: str, question: str, section: str) -> Fixture:
    return Fixture(name, {question: section}, {question: "below_full"})


def test_a_fixture_that_keeps_the_references_global_code_shares_a_round(a01):
    assignment, sections = a01
    q1 = _fixture("q1_wrong", "q1", sections["q1"].replace('if top == "tf_keras":', 'if top == "keras2":', 1))
    q5 = _fixture("q5_wrong", "q5", sections["q5"].replace("wide <= lo", "wide < lo", 1))
    assert q1.sections["q1"] != sections["q1"] and q5.sections["q5"] != sections["q5"]
    independence = Independence(assignment)
    assert not independence.reaches_out(q1), "q1's os.environ and tf.config calls are the reference's own"
    assert rounds(assignment, [q1, q5]) == [[q1, q5]]


def test_a_docstring_naming_global_state_is_not_code(a01):
    assignment, sections = a01
    q5 = _fixture("q5_doc", "q5", sections["q5"].replace('"""Cast to', '"""Unlike tf.config.run_functions_eagerly, '
                                                         'cast to', 1))
    assert q5.sections["q5"] != sections["q5"]
    assert not Independence(assignment).reaches_out(q5)


@pytest.mark.parametrize("added", ['os.environ["TF_DETERMINISTIC_OPS"] = "1"', "import subprocess",
                                   "tf.config.run_functions_eagerly(True)", "import sys"])
def test_new_code_that_reaches_global_state_is_graded_alone(a01, added):
    assignment, sections = a01
    q5 = _fixture("q5_global", "q5", sections["q5"] + f"\n{added}\n")
    q3 = _fixture("q3_wrong", "q3", sections["q3"] + "\nUNUSED = 1\n")
    assert Independence(assignment).reaches_out(q5)
    assert rounds(assignment, [q5, q3]) == [[q5], [q3]]


def test_changing_a_statement_that_holds_global_code_is_graded_alone(a01):
    assignment, sections = a01
    changed = sections["q1"].replace('"TF_USE_LEGACY_KERAS", "")', '"TF_USE_LEGACY_KERAS", "1")', 1)
    assert changed != sections["q1"]
    assert Independence(assignment).reaches_out(_fixture("q1_env", "q1", changed))


def test_a_setup_change_is_graded_alone(a01):
    assignment, sections = a01
    fixture = Fixture("setup_wrong", {"setup": sections["setup"] + "\nX = 1\n", "q5": sections["q5"]}, {"q5": "full"})
    assert Independence(assignment).reaches_out(fixture)


def test_a_section_that_does_not_parse_is_graded_alone(a01):
    assignment, sections = a01
    broken = _fixture("q5_broken", "q5", sections["q5"] + "\ndef oops(:\n")
    q3 = _fixture("q3_wrong", "q3", sections["q3"] + "\nUNUSED = 1\n")
    assert Independence(assignment).reaches_out(broken)
    assert rounds(assignment, [broken, q3]) == [[broken], [q3]]
