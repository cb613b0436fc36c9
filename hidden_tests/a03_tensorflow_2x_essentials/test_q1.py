"""Hidden tests for A03 Q1: eager execution (a GradientTape optimisation loop, Hessian-vector products)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _problem(rng, n=None):
    # A symmetric positive definite A with eigenvalues in [1, ~5]: gradient descent converges.
    n = n or int(rng.integers(4, 8))
    m = rng.normal(size=(n, n))
    return m @ m.T / n + np.eye(n), rng.normal(size=n)


@pytest.mark.points(2)
def test_minimize_eager_reaches_the_minimum_of_a_quadratic(student, rng):
    a, b = _problem(rng)
    lr = 0.9 / float(np.linalg.eigvalsh(a).max())
    got = student.probe("minimize", "quadratic", a, b, rng.normal(size=len(b)), lr, 3000, 1e-15)
    checks.assert_tensor(got["x"], np.linalg.solve(a, b), expect="array", dtype="float64", rtol=0, atol=1e-5,
                         name="x returned by minimize_eager on 0.5 x^T A x - b^T x (should be A^-1 b)")
    history = np.asarray(got["history"], np.float64)
    assert len(history) >= 2, "the history should hold one loss per step"
    assert np.all(np.diff(history) <= 1e-12), (
        "the loss history of gradient descent on a convex quadratic with a small learning rate must not increase; "
        "update x with x - lr * gradient after recording the loss")


@pytest.mark.points(2)
def test_minimize_eager_follows_the_specified_steps(student, reference, rng):
    a, b = _problem(rng)
    x0 = rng.normal(size=len(b))
    got = student.probe("minimize", "logsumexp", a, b, x0, 0.3, 25, 0.0)
    want = reference.probe("minimize", "logsumexp", a, b, x0, 0.3, 25, 0.0)
    checks.assert_value(len(got["history"]), len(want["history"]),
                        name="number of losses with tol=0 (one per step, max_steps steps)")
    checks.assert_tensor(np.asarray(got["history"]), np.asarray(want["history"]), rtol=1e-9, atol=1e-12,
                         name="loss history (the loss at x_k, recorded before the update)")
    checks.assert_tensor(got["x"], want["x"], expect="array", dtype="float64", rtol=1e-9, atol=1e-12,
                         name="final x after max_steps updates")


@pytest.mark.points(2)
def test_minimize_eager_stops_early_when_the_loss_settles(student, reference, rng):
    a, b = _problem(rng)
    x0 = rng.normal(size=len(b))
    got = student.probe("minimize", "softplus", a, b, x0, 0.2, 400, 1e-6)
    want = reference.probe("minimize", "softplus", a, b, x0, 0.2, 400, 1e-6)
    assert len(want["history"]) < 400
    checks.assert_value(len(got["history"]), len(want["history"]),
                        name="number of recorded losses (stop as soon as |L_k - L_(k-1)| < tol, k >= 1)")
    checks.assert_tensor(got["x"], want["x"], expect="array", dtype="float64", rtol=1e-9, atol=1e-12,
                         name="x at the step that stopped (no update after the stopping check)")


def test_hessian_vector_product_of_a_quadratic_is_a_times_v(student, rng):
    a, b = _problem(rng)
    v = rng.normal(size=len(b))
    got = student.probe("hvp", "quadratic", a, b, rng.normal(size=len(b)), v)
    checks.assert_tensor(got, a @ v, expect="tensor", dtype="float64", rtol=1e-9, atol=1e-9,
                         name="hessian_vector_product of 0.5 x^T A x - b^T x (should be A v)")


@pytest.mark.points(2)
def test_hessian_vector_product_of_a_nonlinear_loss(student, reference, rng):
    for case in ("logsumexp", "softplus"):
        a, b = _problem(rng)
        x, v = rng.normal(size=len(b)), rng.normal(size=len(b))
        got = student.probe("hvp", case, a, b, x, v)
        want = reference.probe("hvp", case, a, b, x, v)
        checks.assert_tensor(got, want, expect="tensor", dtype="float64", rtol=1e-8, atol=1e-10,
                             name=f"hessian_vector_product of the {case} loss (nest two GradientTapes)")
