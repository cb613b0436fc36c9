"""Hidden tests for A14 Q4: curriculum learning (difficulty, pacing, the order of examples, self-paced weights).

The pacing formulas and every batch's pool are recomputed here; the dataset is iterated by a probe that maps each
row it yields back to its index, so the order of examples is observed, not reported.
"""

import math

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q4")

KINDS = ("linear", "root", "exp", "step")


def _pacing(t, total, c0, kind):
    f = t / total
    value = {"linear": c0 + (1 - c0) * f, "root": math.sqrt(f * (1 - c0 ** 2) + c0 ** 2),
             "exp": c0 * (1 / c0) ** f, "step": c0 if f < 1 / 3 else (1 + c0) / 2 if f < 2 / 3 else 1.0}[kind]
    return min(1.0, value)


def _check_order(order, scores, total, batch, kind, c0, anti, what):
    order = np.asarray(order)
    checks.assert_value(list(order.shape), [total, batch], name=f"shape of the index schedule ({what})")
    n = len(scores)
    ranks = np.empty(n, np.int64)
    ranks[np.argsort(scores, kind="stable")] = np.arange(n)
    if anti:
        ranks = n - 1 - ranks
    for t in range(total):
        row = order[t]
        if len(set(row.tolist())) != batch:
            raise checks.CheckFailed(f"{what}: batch {t} repeats an example (draw without replacement)")
        pool = max(batch, math.ceil(_pacing(t, total, c0, kind) * n))
        worst = int(ranks[row].max())
        if worst >= pool:
            raise checks.CheckFailed(
                f"{what}: batch {t} holds an example of difficulty rank {worst} (0 = "
                f"{'hardest' if anti else 'easiest'}), outside the pool of the {pool} "
                f"{'hardest' if anti else 'easiest'} examples pacing allows at that step")
    late = ranks[order[-max(1, total // 5):]].ravel()
    assert late.max() >= 0.75 * n, (f"{what}: the last steps never reach the {'easiest' if anti else 'hardest'} "
                                    "quarter of the data although the pool is (nearly) the whole data set")
    first = ranks[order[0]]
    assert len(set(order[:3].ravel().tolist())) > batch, f"{what}: the first batches are all the same examples"
    return first


@pytest.mark.points(2)
def test_pacing_functions(student):
    for kind in KINDS:
        for c0 in (0.1, 0.25):
            for t in (0, 1, 17, 29, 30, 31, 45, 59, 60, 61, 89, 90, 120):
                got = student.call("pacing", t, 90, c0, kind)
                checks.assert_value(float(got), _pacing(t, 90, c0, kind), rtol=1e-6, atol=1e-9,
                                    name=f"pacing({t}, 90, c0={c0}, kind='{kind}')")
    checks.assert_raises(student.call, "pacing", 3, 10, 0.1, "cubic", exc_type="ValueError")


@pytest.mark.points(2)
def test_difficulty_scores_are_per_example_losses(student, rng):
    w = [rng.normal(0, 0.4, size=(20, 16)).astype(np.float32), rng.normal(0, 0.1, size=16).astype(np.float32),
         rng.normal(0, 0.4, size=(16, 5)).astype(np.float32), rng.normal(0, 0.1, size=5).astype(np.float32)]
    x = rng.normal(size=(40, 20)).astype(np.float32)
    y = rng.integers(0, 5, size=40)
    got = student.probe("difficulty_probe", w, x, y)
    h = np.maximum(x.astype(np.float64) @ w[0] + w[1], 0) @ w[2] + w[3]
    h = h - h.max(axis=1, keepdims=True)
    want = -(h[np.arange(40), y] - np.log(np.exp(h).sum(axis=1)))
    checks.assert_tensor(np.asarray(got), want.astype(np.float32), expect="array", dtype="float32", rtol=1e-4,
                         atol=1e-5, name="difficulty_scores (per-example cross-entropy from logits, inference mode: "
                                         "the scoring model has Dropout)")


@pytest.mark.points(3)
def test_curriculum_batches_follow_the_pacing(student, rng):
    n, total, batch = 300, 40, 16
    scores = rng.gamma(2.0, 1.0, size=n).astype(np.float32)
    for kind, c0, anti in (("linear", 0.1, False), ("root", 0.2, False), ("step", 0.1, True)):
        got = student.call("curriculum_batches", scores, total, batch, kind, c0, anti, 11)
        first = _check_order(got, scores, total, batch, kind, c0, anti,
                             f"curriculum_batches(kind='{kind}', c0={c0}, anti={anti})")
        assert first.max() < max(batch, math.ceil(c0 * n)), "the first batch should come from the starting pool"


@pytest.mark.points(1)
def test_curriculum_pool_reaches_its_edge(student, rng):
    # N = 10, c0 = 0.45: for the first 150 of 2000 steps the pool is ceil(pacing * 10) = 5 examples, one more than
    # the batch of 4, so the fifth-easiest example must turn up.
    scores = rng.permutation(10).astype(np.float32)
    got = np.asarray(student.call("curriculum_batches", scores, 2000, 4, "linear", 0.45, False, 5))
    checks.assert_value(list(got.shape), [2000, 4], name="shape of the index schedule")
    edge = int(np.argsort(scores, kind="stable")[4])
    assert edge in got[:150], ("the pool at step t holds ceil(pacing(t) * N) examples: with N = 10 and pacing "
                               "0.45..0.5 the fifth-easiest example is in it, but it never appears")


@pytest.mark.points(2)
def test_curriculum_dataset_order_observed(student, rng):
    n, total, batch = 240, 30, 12
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = rng.integers(0, 4, size=n)
    scores = rng.normal(size=n).astype(np.float32)
    for kind, anti in (("exp", False), ("linear", True)):
        got = student.probe("dataset_order", x, y, scores, total, batch, kind, anti)
        what = f"curriculum_dataset(kind='{kind}', anti={anti})"
        assert got["labels_ok"], f"{what}: a yielded row is not one of x's rows, or its label is not its own"
        checks.assert_value(len(got["order"]), total, name=f"number of batches the dataset yields ({what})")
        checks.assert_value(got["shapes"], [[batch, 6]] * total, name=f"batch shapes ({what})")
        _check_order(got["order"], scores, total, batch, kind, 0.1, anti, what)


@pytest.mark.points(2)
def test_self_paced_weights_and_loss(student, rng):
    losses = rng.gamma(2.0, 0.5, size=20).astype(np.float32)
    lam = float(np.quantile(losses, 0.6))
    v = (losses < lam).astype(np.float32)
    checks.assert_tensor(student.call("self_paced_weights", Tensor(losses), lam), v, dtype="float32", atol=0,
                         name="self_paced_weights(losses, lam)")
    checks.assert_tensor(student.call("self_paced_loss", Tensor(losses), lam),
                         np.float32((v * losses).sum() / v.sum()), dtype="float32", rtol=1e-5, atol=1e-6,
                         name="self_paced_loss(losses, lam) (mean over the selected examples)")
    (grad,) = student.harness("gradient", "self_paced_loss", [Tensor(losses), lam], wrt=(0,))
    if grad is None:
        raise checks.CheckFailed("self_paced_loss has no gradient with respect to the losses")
    checks.assert_tensor(grad, (v / v.sum()).astype(np.float32), rtol=1e-5, atol=1e-6,
                         name="gradient of self_paced_loss with respect to the losses (0 for unselected examples)")
    checks.assert_tensor(student.call("self_paced_loss", Tensor(losses), float(losses.min()) - 1.0),
                         np.float32(0.0), atol=1e-7, name="self_paced_loss when no example is selected")
