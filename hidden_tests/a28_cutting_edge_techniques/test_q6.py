"""Hidden tests for A28 Q6: integrated gradients (completeness, exactness on a linear model, the trapezoidal rule),
KernelSHAP against exact Shapley values enumerated here over every coalition of small networks (the value function
evaluated by the judge's own NumPy forward pass), LIME on linear and smooth models, and the minimal counterfactual."""

import math
from itertools import combinations

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


def _net(rng, sizes):
    weights = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        weights += [rng.normal(size=(a, b)) / np.sqrt(a) * 1.5, rng.normal(size=b) * 0.3]
    return weights


def _f(weights, rows):
    h = np.asarray(rows, np.float64)
    n = len(weights) // 2
    for i in range(n):
        h = h @ weights[2 * i] + weights[2 * i + 1]
        if i < n - 1:
            h = np.tanh(h)
    return h[:, 0]


def _exact_shapley(weights, x, background):
    d = len(x)

    def v(subset):
        rows = background.copy()
        rows[:, list(subset)] = x[list(subset)]
        return float(np.mean(_f(weights, rows)))

    values = {s: v(s) for r in range(d + 1) for s in combinations(range(d), r)}
    phi = np.zeros(d)
    for i in range(d):
        for s, val in values.items():
            if i in s:
                continue
            with_i = tuple(sorted(s + (i,)))
            wgt = math.factorial(len(s)) * math.factorial(d - len(s) - 1) / math.factorial(d)
            phi[i] += wgt * (values[with_i] - val)
    return phi, values[()], values[tuple(range(d))]


@pytest.mark.points(2)
def test_integrated_gradients_completeness_and_trapezoid(student, reference, rng):
    weights = _net(rng, (6, 10, 3))
    x = rng.normal(size=(5, 6))
    baseline = np.zeros(6)
    got = student.probe("ig_run", weights, x, baseline, 1, 300)
    attr = np.asarray(got["attr"])
    gap = np.asarray(got["fx"]) - np.asarray(got["fb"])
    err = np.abs(attr.sum(axis=1) - gap)
    assert attr.shape == x.shape and np.all(err <= 0.01 * np.abs(gap) + 1e-4), \
        "completeness: the attributions of each row sum to F(x) - F(baseline) (300 steps, within 1%)"
    base2 = rng.normal(size=6) * 0.5
    mine = student.probe("ig_run", weights, x, base2, 2, 8)
    want = reference.probe("ig_run", weights, x, base2, 2, 8)
    checks.assert_tensor(np.asarray(mine["attr"]), np.asarray(want["attr"]), expect="any", rtol=1e-6, atol=1e-9,
                         name="integrated gradients with 8 steps (trapezoidal rule on steps + 1 points)")


@pytest.mark.points(1)
def test_integrated_gradients_is_exact_for_a_linear_model(student, rng):
    w, b = rng.normal(size=(5, 2)), rng.normal(size=2)
    x, base = rng.normal(size=(4, 5)), rng.normal(size=5)
    got = student.probe("ig_run", [w, b], x, base, 0, 3)
    checks.assert_tensor(np.asarray(got["attr"]), (x - base) * w[:, 0], expect="any", rtol=1e-9, atol=1e-12,
                         name="integrated gradients of a linear model = (x - baseline) * w")


@pytest.mark.points(3)
def test_kernel_shap_matches_exact_shapley_values(student, rng, thresholds):
    for d, nsamples, tol in ((6, 2048, thresholds["max_shap_error"]), (9, 400, None)):
        weights = _net(rng, (d, 8, 1))
        x = rng.normal(size=d)
        background = rng.normal(size=(12, d))
        exact, v0, v1 = _exact_shapley(weights, x, background)
        got = student.probe("shap_run", weights, x, background, nsamples, int(rng.integers(1000)))
        phi = np.asarray(got["phi"])
        assert phi.shape == (d,), "one value per feature"
        assert abs(phi.sum() - (v1 - v0)) <= 1e-8 * max(1.0, abs(v1 - v0)), \
            "efficiency: the values sum to f(x) - E[f(background)] exactly"
        scale = max(1e-9, float(np.max(np.abs(exact))))
        limit = tol if tol is not None else 0.15 * scale
        err = float(np.max(np.abs(phi - exact)))
        assert err <= limit, f"KernelSHAP (d={d}, nsamples={nsamples}) is {err:.4f} from the exact Shapley values"
    w = rng.normal(size=(5, 1))
    x = rng.normal(size=5)
    background = rng.normal(size=(20, 5))
    got = student.probe("shap_run", [w, np.zeros(1)], x, background, 2048, 0)
    checks.assert_tensor(np.asarray(got["phi"]), w[:, 0] * (x - background.mean(axis=0)), expect="any", rtol=1e-8,
                         atol=1e-10, name="Shapley values of a linear model: w_i (x_i - E[x_i])")


@pytest.mark.points(1)
def test_sampled_kernel_shap_is_close_on_average(student, rng, thresholds):
    # One network's error is noisy; the mean over eight is not. Coalitions drawn with the wrong size distribution
    # (features drawn with replacement, say) converge to the wrong values and miss by about three times as much.
    errors = []
    for _ in range(8):
        weights = _net(rng, (11, 8, 1))
        x = rng.normal(size=11)
        background = rng.normal(size=(12, 11))
        exact, _v0, _v1 = _exact_shapley(weights, x, background)
        got = student.probe("shap_run", weights, x, background, 2000, int(rng.integers(1000)))
        phi = np.asarray(got["phi"])
        assert phi.shape == (11,), "one value per feature"
        errors.append(float(np.max(np.abs(phi - exact)) / max(1e-9, float(np.max(np.abs(exact))))))
    assert np.mean(errors) <= thresholds["max_sampled_shap_error"], (
        f"sampled KernelSHAP (d=11, nsamples=2000) is on average {np.mean(errors):.3f} of the largest exact Shapley "
        f"value away from the exact values over 8 networks (each: {', '.join(f'{e:.3f}' for e in errors)}); "
        "coalition sizes are drawn in proportion to the Shapley kernel's weight per size, each coalition's features "
        "without replacement")


@pytest.mark.points(1)
def test_kernel_shap_enumerates_every_coalition_when_the_budget_allows(student, rng):
    weights = _net(rng, (4, 6, 1))
    x = rng.normal(size=4)
    background = rng.normal(size=(10, 4))
    exact, _v0, _v1 = _exact_shapley(weights, x, background)
    got = student.probe("shap_run", weights, x, background, 14, int(rng.integers(1000)))
    checks.assert_tensor(np.asarray(got["phi"]), exact, expect="any", rtol=1e-7, atol=1e-9,
                         name="KernelSHAP with nsamples = 2**d - 2 (every coalition: exact Shapley values)")


def _lime(weights, x, scale, n, width, seed):
    z = x + scale * np.random.default_rng(seed).normal(size=(n, len(x)))
    w = np.exp(-np.sum(((z - x) / scale) ** 2, axis=1) / (width**2 * len(x)))
    design = np.hstack([np.ones((n, 1)), z - x]) * np.sqrt(w)[:, None]
    return np.linalg.lstsq(design, _f(weights, z) * np.sqrt(w), rcond=None)[0][1:]


@pytest.mark.points(1)
def test_lime_kernel_weights_a_nonlinear_model_locally(student, rng):
    weights = _net(rng, (4, 8, 1))
    x = rng.normal(size=4)
    got = np.asarray(student.probe("lime_run", weights, x, np.ones(4), 20000, 0.5, int(rng.integers(1000)))["coef"])
    want = _lime(weights, x, np.ones(4), 200000, 0.5, 99)
    err = float(np.max(np.abs(got - want)))
    assert err <= 0.05 * float(np.max(np.abs(want))) + 1e-3, \
        f"LIME of a nonlinear model with scale 1 and kernel width 0.5 is {err:.4f} from the grader's LIME"


@pytest.mark.points(2)
def test_lime_recovers_linear_weights_and_local_gradient_ranking(student, rng):
    w = rng.normal(size=(6, 1))
    x = rng.normal(size=6)
    got = student.probe("lime_run", [w, np.array([0.4])], x, np.ones(6), 500, 0.75, 1)
    checks.assert_tensor(np.asarray(got["coef"]), w[:, 0], expect="any", rtol=1e-7, atol=1e-9,
                         name="LIME coefficients of a linear model")
    weights = _net(rng, (5, 8, 1))
    x = rng.normal(size=5)
    grad = np.array([(_f(weights, [x + 1e-5 * e]) - _f(weights, [x - 1e-5 * e]))[0] / 2e-5 for e in np.eye(5)])
    got = student.probe("lime_run", weights, x, np.full(5, 0.05), 2000, 0.75, 2)
    coef = np.asarray(got["coef"])
    assert np.all(np.sign(coef) == np.sign(grad)) and list(np.argsort(-np.abs(coef))[:2]) == \
        list(np.argsort(-np.abs(grad))[:2]), "LIME with a small neighbourhood matches the local gradient's signs " \
                                             "and its two largest features"


@pytest.mark.points(2)
def test_linear_counterfactual_is_the_minimal_flip(student, rng):
    for _ in range(5):
        w, b, x = rng.normal(size=7), float(rng.normal()), rng.normal(size=7)
        score = float(w @ x + b)
        got = np.asarray(student.call("linear_counterfactual", w, b, x, 0.01), np.float64)
        new = float(w @ got + b)
        assert np.sign(new) == -np.sign(score) and abs(abs(new) - 0.01) < 1e-9, \
            "the counterfactual's score is the opposite sign, by exactly the margin"
        checks.assert_value(float(np.linalg.norm(got - x)), (abs(score) + 0.01) / float(np.linalg.norm(w)),
                            rtol=1e-9, name="L2 distance of the counterfactual (the minimal change)")
