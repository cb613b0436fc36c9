"""Hidden tests for A09 Q2: custom activations (stable stable_mish with a custom gradient, hard_swish, snake).

Values and derivatives are the judge's float64 NumPy formulas; finite differences use the student's own function.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor, TensorSpec

pytestmark = pytest.mark.question("q2")

EXTREMES = np.array([-1e4, -300.0, -100.0, -30.0, -5.0, 0.0, 5.0, 30.0, 100.0, 300.0, 1e4], np.float32)


def _softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _mish(x):
    return x * np.tanh(_softplus(x))


def _mish_grad(x):
    t = np.tanh(_softplus(x))
    return t + x * _sigmoid(x) * (1 - t * t)


@pytest.mark.points(2)
def test_softplus_and_mish_values(student, rng):
    x = np.concatenate([rng.normal(0, 3, size=40), EXTREMES]).astype(np.float32)
    x64 = x.astype(np.float64)
    checks.assert_tensor(student.call("softplus_stable", Tensor(x)), _softplus(x64), expect="tensor",
                         dtype="float32", rtol=1e-5, atol=1e-6,
                         name="softplus_stable (no overflow at large |x|: max(x, 0) + log1p(exp(-|x|)))")
    checks.assert_tensor(student.call("stable_mish", Tensor(x)), _mish(x64), expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-6, name="stable_mish values, including x = +-1e4")


@pytest.mark.points(3)
def test_mish_gradient_is_finite_and_exact_at_extreme_inputs(student, rng):
    x = np.concatenate([rng.normal(0, 3, size=40), EXTREMES]).astype(np.float32)
    got = student.probe("activation_and_gradient", "stable_mish", x)
    checks.assert_tensor(got["grads"][0], _mish_grad(x.astype(np.float64)), expect="tensor", dtype="float32",
                         rtol=1e-4, atol=1e-5,
                         name="d stable_mish / dx (float32, at +-100, +-300, +-1e4 too: no inf/inf or 0*inf)")


@pytest.mark.points(2)
def test_mish_uses_custom_gradient_and_matches_finite_differences(student, rng):
    x = rng.normal(0, 2.5, size=30)
    checks.assert_tensor(student.call("stable_mish", Tensor(x.astype(np.float32))), _mish(x), rtol=1e-5, atol=1e-6,
                         name="stable_mish values")
    checks.assert_gradients_fd(student, "stable_mish", [Tensor(x)], eps=1e-5, atol=1e-5)
    checks.assert_graph_ops(student, "stable_mish", [TensorSpec([None], "float32")], include=["IdentityN"])


@pytest.mark.points(1)
def test_hard_swish_values(student, rng):
    x = np.concatenate([rng.uniform(-5, 5, size=40), [-3.0, 3.0, -6.0, 6.0, 0.0]]).astype(np.float32)
    x64 = x.astype(np.float64)
    checks.assert_tensor(student.call("hard_swish", Tensor(x)), x64 * np.clip(x64 + 3, 0, 6) / 6, expect="tensor",
                         dtype="float32", rtol=1e-6, atol=1e-6, name="hard_swish = x * relu6(x + 3) / 6")


@pytest.mark.points(2)
def test_snake_values_and_analytic_gradients(student, rng):
    x = rng.normal(0, 3, size=(6, 5))
    alpha = 0.7
    got = student.probe("activation_and_gradient", "snake", x, alpha)
    s = np.sin(alpha * x)
    checks.assert_tensor(got["y"], x + s * s / alpha, expect="tensor", dtype="float64", rtol=1e-10, atol=1e-10,
                         name="snake(x, alpha) = x + sin(alpha x)**2 / alpha")
    checks.assert_value(len(got["grads"]), 2, name="number of gradients (x and alpha)")
    checks.assert_tensor(got["grads"][0], 1 + np.sin(2 * alpha * x), expect="tensor", rtol=1e-8, atol=1e-10,
                         name="d snake / dx = 1 + sin(2 alpha x)")
    d_alpha = np.sum(x * np.sin(2 * alpha * x) / alpha - s * s / alpha ** 2)
    if got["grads"][1] is None:
        raise checks.CheckFailed("snake has no gradient for alpha: return (dx, dalpha) from the custom gradient")
    checks.assert_tensor(np.asarray(got["grads"][1]).reshape(()), np.float64(d_alpha), rtol=1e-8, atol=1e-10,
                         name="d sum(snake) / d alpha (a scalar)")


@pytest.mark.points(1)
def test_snake_gradients_match_finite_differences(student, rng):
    x = rng.normal(0, 2, size=12)
    got = student.probe("activation_and_gradient", "snake", x, 1.3)
    checks.assert_tensor(got["y"], x + np.sin(1.3 * x) ** 2 / 1.3, rtol=1e-10, atol=1e-10, name="snake values")
    checks.assert_gradients_fd(student, "probes.snake_of_x", [Tensor(x), 1.3], eps=1e-6, atol=1e-6)
    checks.assert_gradients_fd(student, "probes.snake_of_alpha", [Tensor(np.float64(1.3)), x], eps=1e-6, atol=1e-6)


@pytest.mark.points(2)
def test_mish_registered_under_a_unique_name(student, rng):
    x = rng.normal(0, 2, size=(5, 3)).astype(np.float32)
    w = rng.normal(size=(3, 4)).astype(np.float32)
    b = rng.normal(size=(4,)).astype(np.float32)
    got = student.probe("registered_mish", x, w, b)
    x64 = x.astype(np.float64)
    checks.assert_tensor(got["by_name"], _mish(x64), rtol=1e-5, atol=1e-6,
                         name="tf.keras.activations.get('course>stable_mish')(x) (register with package='course', "
                              "the Python name is the registered name)")
    checks.assert_value(got["serialized"], "course>stable_mish", name="tf.keras.activations.serialize(stable_mish)")
    want = _mish(x64 @ w + b)
    checks.assert_tensor(got["model"], want, rtol=1e-5, atol=1e-5, name="Dense(activation=stable_mish) output")
    checks.assert_tensor(got["clone"], want, rtol=1e-5, atol=1e-5,
                         name="output of the model rebuilt by model_from_json (no custom_objects)")
    checks.assert_tensor(got["swish"], x64 * _sigmoid(x64), rtol=1e-5, atol=1e-6,
                         name="the built-in 'swish' after your registrations (do not shadow built-in names)")
