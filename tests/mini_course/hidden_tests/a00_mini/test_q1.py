import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q1")


def test_values_match(student, reference, rng):
    x = Tensor(rng.normal(size=(3, 5)).astype(np.float32))
    checks.assert_tensor(student.call("scaled_sum", x, 2.5), reference.call("scaled_sum", x, 2.5), expect="tensor")


@pytest.mark.points(2)
def test_gradient_matches(student, reference, rng):
    x = Tensor(rng.normal(size=(4, 3)).astype(np.float32))
    checks.assert_gradients(student, reference, "scaled_sum", [x, 3.0])
    checks.assert_gradients_fd(student, "scaled_sum", [x, 3.0])
