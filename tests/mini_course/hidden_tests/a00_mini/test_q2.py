import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")


def test_is_module_with_variable(student):
    counter = student.call("Counter")
    checks.assert_instance(student, counter, "tf.Module", name="Counter()")
    checks.assert_instance(student, counter.attr("count", keep=True), "tf.Variable", name="Counter().count")


def test_counts(student, reference):
    mine, theirs = student.call("Counter"), reference.call("Counter")
    for n in (1, 5, 7):
        checks.assert_tensor(mine.call("increment", n), theirs.call("increment", n))
