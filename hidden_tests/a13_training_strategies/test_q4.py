"""Hidden tests for A13 Q4: weight penalties and their effect on the weights.

The penalty is checked against the judge's own NumPy value and gradients; ``regularized_loss`` against Keras's
compiled loss of the same model built with ``kernel_regularizer=L1L2`` (reference worker); ``fit_elastic_net``
against scikit-learn's coordinate-descent ElasticNet, run in the judge, including which weights are exactly zero.
"""

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet

from graders import checks

pytestmark = pytest.mark.question("q4")


def _weights(rng):
    return [rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(5,)).astype(np.float32)]


@pytest.mark.points(2)
def test_elastic_net_penalty_value_and_gradient(student, rng):
    ws = _weights(rng)
    l1, l2 = float(rng.uniform(0.01, 0.2)), float(rng.uniform(0.01, 0.2))
    got = student.probe("penalty_gradient", ws, l1, l2)
    want = sum(l1 * np.abs(w).sum() + l2 * (w.astype(np.float64) ** 2).sum() for w in ws)
    checks.assert_value(float(got["value"]), float(want), rtol=1e-5,
                        name="elastic_net_penalty (l1*sum|w| + l2*sum w**2, Keras's L1L2 convention, no 1/2)")
    for i, (g, w) in enumerate(zip(got["grads"], ws, strict=True)):
        if g is None:
            raise checks.CheckFailed("the penalty has no gradient with respect to a weight: use TensorFlow ops")
        checks.assert_tensor(g, l1 * np.sign(w) + 2 * l2 * w, expect="array", rtol=1e-5, atol=1e-6,
                             name=f"gradient of the penalty with respect to weight {i}")


@pytest.mark.points(2)
def test_regularized_loss_equals_keras_compiled_loss_with_l1l2(student, reference, rng):
    x = rng.normal(size=(20, 5)).astype(np.float32)
    y = rng.normal(size=(20, 2)).astype(np.float32)
    for l1, l2 in ((0.01, 0.02), (0.0, 0.05), (0.03, 0.0)):
        seed = int(rng.integers(0, 2**20))
        got = student.probe("reg_loss", seed, x, y, l1, l2)
        want = reference.probe("keras_reg_loss", seed, x, y, l1, l2)
        checks.assert_value(float(got), float(want), rtol=1e-5,
                            name=f"regularized_loss with l1={l1}, l2={l2} vs Keras's compiled loss with "
                                 "kernel_regularizer=L1L2 (kernels only, biases not penalised)")


@pytest.mark.points(2)
def test_regularized_loss_gradients_match_keras(student, reference, rng):
    x = rng.normal(size=(16, 5)).astype(np.float32)
    y = rng.normal(size=(16, 2)).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("reg_loss_gradient", seed, x, y, 0.02, 0.03)
    want = reference.probe("reg_loss_gradient", seed, x, y, 0.02, 0.03, "keras")
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if g is None:
            raise checks.CheckFailed(f"regularized_loss has no gradient for trainable variable {i}")
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-6,
                             name=f"gradient of regularized_loss for trainable variable {i} vs Keras's")


def _regression(rng, n=150, d=15):
    x = rng.normal(size=(n, d))
    w = np.where(rng.random(d) < 0.5, rng.normal(size=d) * 2, 0.0)
    return x, x @ w + 0.3 * rng.normal(size=n)


def _sklearn(x, y, l1, l2):
    alpha = l1 + 2 * l2
    return ElasticNet(alpha=alpha, l1_ratio=l1 / alpha, fit_intercept=False, tol=1e-12,
                      max_iter=100000).fit(x, y).coef_


@pytest.mark.points(3)
def test_fit_elastic_net_matches_a_trusted_solver(student, rng):
    x, y = _regression(rng)
    for l1, l2 in ((0.15, 0.05), (0.0, 0.2)):
        got = np.asarray(student.call("fit_elastic_net", x, y[:, None] if l1 == 0 else y, l1, l2, 3000), np.float64)
        checks.assert_tensor(got, _sklearn(x, y, l1, l2), expect="array", rtol=1e-6, atol=1e-6,
                             name=f"w from fit_elastic_net(l1={l1}, l2={l2}) vs the minimiser of "
                                  "1/(2n)||y - xw||^2 + l1||w||_1 + l2||w||^2")


@pytest.mark.points(3)
def test_l1_gives_exact_zeros_and_l2_only_shrinks(student, rng):
    x, y = _regression(rng)
    lasso = np.asarray(student.call("fit_elastic_net", x, y, 0.3, 0.0, 3000), np.float64)
    want = _sklearn(x, y, 0.3, 0.0)
    checks.assert_tensor(lasso, want, expect="array", rtol=1e-6, atol=1e-6, name="w from fit_elastic_net(l1=0.3)")
    if not np.array_equal(lasso == 0.0, want == 0.0):
        raise checks.CheckFailed("the L1 solution should have exact zeros where the lasso solution has them: "
                                 "soft-threshold after each gradient step (a subgradient step leaves tiny "
                                 "non-zero values)", values=f"zeros: got {int((lasso == 0).sum())}, "
                                                            f"want {int((want == 0).sum())}")
    ridge = np.asarray(student.call("fit_elastic_net", x, y, 0.0, 0.5, 3000), np.float64)
    closed = np.linalg.solve(x.T @ x / len(x) + 2 * 0.5 * np.eye(x.shape[1]), x.T @ y / len(x))
    checks.assert_tensor(ridge, closed, expect="array", rtol=1e-6, atol=1e-6,
                         name="w from fit_elastic_net(l1=0, l2=0.5) vs the ridge closed form")
    if np.any(ridge == 0.0) or np.linalg.norm(ridge) >= np.linalg.norm(np.linalg.lstsq(x, y, rcond=None)[0]):
        raise checks.CheckFailed("L2 alone should shrink every weight towards zero without zeroing any")


@pytest.mark.points(1)
def test_fit_elastic_net_does_not_call_scikit_learn(student, rng):
    x, y = _regression(rng, n=60, d=6)
    got = np.asarray(student.call("fit_elastic_net", x, y, 0.1, 0.1, 3000), np.float64)
    checks.assert_tensor(got, _sklearn(x, y, 0.1, 0.1), expect="array", rtol=1e-4, atol=1e-4,
                         name="w from fit_elastic_net(l1=0.1, l2=0.1)")
    student.probe("import_sklearn")
    checks.assert_no_forbidden_calls(student, "fit_elastic_net", [x, y, 0.1, 0.1, 50],
                                     ["sklearn.linear_model.ElasticNet.fit", "sklearn.linear_model.Lasso.fit",
                                      "sklearn.linear_model.Ridge.fit", "sklearn.linear_model.enet_path"],
                                     why="write the proximal gradient loop yourself")
