"""Hidden tests for A28 Q5: FGSM recomputed here from the analytic input gradient, PGD's projection at every step
count, the robustness of the adversarially trained network measured by the grader's own PGD on its weights rebuilt
outside the student's code (against a normally trained baseline), and IBP bounds as exact interval arithmetic that
contain sampled perturbations."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")


def _mlp(rng, sizes):
    weights = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        weights += [(rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32), (rng.normal(size=b) * 0.1).astype(
            np.float32)]
    return weights


def _input_grad(weights, x, y):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    pre = x @ w1 + b1
    logits = np.maximum(pre, 0) @ w2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return ((p @ w2.T) * (pre > 0)) @ w1.T


@pytest.mark.points(2)
def test_fgsm_is_the_clipped_signed_gradient_step(student, rng):
    weights = _mlp(rng, (12, 16, 4))
    x = rng.uniform(0, 1, size=(40, 12)).astype(np.float32)
    y = rng.integers(0, 4, size=40)
    for eps in (0.05, 0.3):
        got = np.asarray(student.probe("attack", weights, x, y, "fgsm", {"eps": eps}))
        want = np.clip(x + eps * np.sign(_input_grad(weights, x.astype(np.float64), y)), 0, 1)
        checks.assert_tensor(got, want, expect="any", atol=1e-5, name=f"fgsm(eps={eps}) = clip(x + eps sign(grad))")
    got = np.asarray(student.probe("attack", weights, x, y, "pgd",
                                   {"eps": 0.2, "alpha": 0.2, "steps": 1, "random_start": False}))
    want = np.clip(x + 0.2 * np.sign(_input_grad(weights, x.astype(np.float64), y)), 0, 1)
    checks.assert_tensor(got, want, expect="any", atol=1e-5,
                         name="pgd with one step of alpha = eps and no random start (= FGSM)")


@pytest.mark.points(2)
def test_pgd_stays_in_the_ball_and_box_and_beats_fgsm(student, reference, rng):
    weights = _mlp(rng, (12, 16, 4))
    x = rng.uniform(0, 1, size=(60, 12)).astype(np.float32)
    y = rng.integers(0, 4, size=60)
    eps = 0.15
    for steps in (1, 2, 5):
        adv = np.asarray(student.probe("attack", weights, x, y, "pgd",
                                       {"eps": eps, "alpha": 0.08, "steps": steps, "seed": 3}))
        assert adv.shape == x.shape and np.all(np.isfinite(adv)), "pgd returns a tensor like x"
        assert np.max(np.abs(adv - x)) <= eps + 1e-5, f"after {steps} steps a PGD point left the eps-ball"
        assert adv.min() >= 0 and adv.max() <= 1, f"after {steps} steps a PGD point left the [0, 1] box"
    start = np.asarray(student.probe("attack", weights, x, y, "pgd", {"eps": eps, "alpha": 0.08, "steps": 0,
                                                                         "seed": 3}))
    assert np.mean(np.abs(start - x) > 1e-6) > 0.5, "random_start=True starts at a random point of the eps-ball"
    # The start is documented exactly (stateless_uniform on [-eps, eps] with seed [seed, 0], then the box), so it is
    # compared with the course's; a start at a corner of the ball, or another seed, is not that draw.
    want = np.asarray(reference.probe("attack", weights, x, y, "pgd", {"eps": eps, "alpha": 0.08, "steps": 0,
                                                                         "seed": 3}))
    checks.assert_tensor(start, want, expect="any", atol=1e-6,
                         name="pgd's random start (steps=0, seed=3): clip(x + stateless_uniform([-eps, eps], "
                              "seed [seed, 0]), 0, 1)")
    three = {"eps": eps, "alpha": 0.05, "steps": 3, "seed": 8}
    checks.assert_tensor(np.asarray(student.probe("attack", weights, x, y, "pgd", three)),
                         np.asarray(reference.probe("attack", weights, x, y, "pgd", three)), expect="any", atol=1e-5,
                         name="pgd with a random start and 3 steps (seed=8)")
    adv = np.asarray(student.probe("attack", weights, x, y, "pgd", {"eps": eps, "alpha": 0.04, "steps": 10}))
    fg = np.asarray(student.probe("attack", weights, x, y, "fgsm", {"eps": eps}))
    loss_pgd = np.mean(reference.probe("loss_per_example", weights, adv, y))
    loss_fgsm = np.mean(reference.probe("loss_per_example", weights, fg, y))
    assert loss_pgd >= loss_fgsm - 1e-4, \
        f"10-step PGD should find a loss at least FGSM's: {loss_pgd:.4f} vs {loss_fgsm:.4f}"


def _data(rng, n, weak=20):
    """One robust feature (class gap 0.4, noise 0.08) and many weak ones (gap 0.1 each, noise 0.1): a normally
    trained network leans on the weak features, which an eps = 0.1 attack flips all at once."""
    y = rng.integers(0, 2, size=n)
    s = 2.0 * y - 1.0
    strong = 0.5 + 0.2 * s + 0.08 * rng.normal(size=n)
    weak_f = 0.5 + 0.05 * s[:, None] + 0.1 * rng.normal(size=(n, weak))
    return np.clip(np.column_stack([strong, weak_f]), 0, 1).astype(np.float32), y


@pytest.mark.points(4)
def test_adversarially_trained_model_is_robust_to_the_graders_pgd(student, reference, rng, thresholds):
    x, y = _data(rng, 400)
    x_test, y_test = _data(rng, 300)
    eps, seed = 0.1, int(rng.integers(1000))
    model = student.call("adversarial_train", x, y, 2, eps, 15, 64, seed)
    weights = [np.asarray(w) for w in model.call("get_weights")]
    assert [w.shape for w in weights] == [(21, 64), (64,), (64, 2), (2,)], \
        "adversarial_train returns Sequential([Dense(hidden, relu), Dense(n_classes)])"
    mine = reference.probe("robust_accuracy", weights, x_test, y_test, eps, 10, 1, 7)
    checks.assert_tensor(np.asarray(model(Tensor(x_test[:16]))), np.asarray(mine["logits"]), expect="any",
                         rtol=1e-4, atol=1e-4, name="logits of the returned model vs its weights rebuilt by the grader")
    base = reference.probe("robust_accuracy", reference.probe("standard_train", x, y, 2, 64, 15, seed), x_test,
                           y_test, eps, 10, 1, 7)
    assert mine["clean"] >= thresholds["min_clean_accuracy"], f"clean accuracy {mine['clean']:.3f}"
    assert mine["robust"] >= base["robust"] + thresholds["min_robust_gain"], \
        (f"accuracy under the grader's PGD (eps={eps}): {mine['robust']:.3f}; a normally trained network gets "
         f"{base['robust']:.3f}")


def _ibp(weights, x, eps):
    lo, hi = x - eps, x + eps
    n = len(weights) // 2
    for i in range(n):
        w, b = np.asarray(weights[2 * i], np.float64), np.asarray(weights[2 * i + 1], np.float64)
        mu, r = (lo + hi) / 2 @ w + b, (hi - lo) / 2 @ np.abs(w)
        lo, hi = mu - r, mu + r
        if i < n - 1:
            lo, hi = np.maximum(lo, 0), np.maximum(hi, 0)
    return lo, hi


def _forward(weights, x):
    n = len(weights) // 2
    for i in range(n):
        x = x @ np.asarray(weights[2 * i], np.float64) + weights[2 * i + 1]
        if i < n - 1:
            x = np.maximum(x, 0)
    return x


@pytest.mark.points(2)
def test_ibp_bounds_are_exact_interval_arithmetic_and_sound(student, rng):
    weights = [w.astype(np.float64) for w in _mlp(rng, (6, 10, 8, 3))]
    x = rng.uniform(0, 1, size=(5, 6))
    widths = []
    for eps in (0.2, 0.05, 0.0):
        lo, hi = student.call("ibp_bounds", weights, Tensor(x), eps)
        want_lo, want_hi = _ibp(weights, x, eps)
        checks.assert_tensor(np.asarray(lo), want_lo, expect="any", rtol=1e-6, atol=1e-9, name=f"lower (eps={eps})")
        checks.assert_tensor(np.asarray(hi), want_hi, expect="any", rtol=1e-6, atol=1e-9, name=f"upper (eps={eps})")
        for _ in range(200):
            out = _forward(weights, x + rng.uniform(-eps, eps, size=x.shape))
            assert np.all(out >= np.asarray(lo) - 1e-9) and np.all(out <= np.asarray(hi) + 1e-9), \
                f"a perturbation within eps={eps} gave logits outside your bounds"
        widths.append(float(np.mean(np.asarray(hi) - np.asarray(lo))))
    assert widths[0] > widths[1] > widths[2] - 1e-12, "bounds tighten as eps decreases (exact at eps = 0)"
