"""Hidden tests for A13 Q3: gradient accumulation and the batch-size rules.

The probe builds the model (with an identity layer that records, in eager mode and in graphs alike, the largest batch
the model saw) and the optimizer, so the number of optimizer steps and the micro-batch size are observed, not
reported. The large-batch reference is ``model.fit`` in the reference worker, or a single full-batch tape there.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _data(rng, n):
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (np.sin(x @ rng.normal(size=(6, 2))) + 0.1 * rng.normal(size=(n, 2))).astype(np.float32)
    return x, y


def _close(got, want, what, rtol=1e-4, atol=2e-6):
    assert len(got) == len(want), f"{what}: expected {len(want)} arrays, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=rtol, atol=atol, name=f"{what}, array {i} {w.shape}")


@pytest.mark.points(3)
def test_accumulated_gradient_equals_full_batch_gradient_with_a_ragged_last_micro_batch(student, reference, rng):
    for n, micro in ((37, 8), (64, 16)):
        x, y = _data(rng, n)
        seed = int(rng.integers(0, 2**20))
        got = student.probe("accumulated", seed, x, y, micro)
        want = reference.probe("full_batch_gradient", seed, x, y)
        _close(got["grads"], want, f"accumulated gradient over {n} rows in micro-batches of {micro} vs the gradient "
                                   "of the mean loss over all rows (weight each micro-batch by its share of rows)")
        if got["max_rows"] > micro:
            raise checks.CheckFailed(f"the model saw a batch larger than micro_batch={micro}: run it on one "
                                     "micro-batch at a time", values=f"largest batch {got['max_rows']}")


@pytest.mark.points(3)
def test_train_accumulated_equals_fit_with_the_large_batch_sgd(student, reference, rng):
    x, y = _data(rng, 61)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("train_accumulated", "sgd", seed, x, y, 4, 3)
    want = reference.probe("keras_fit_large_batch", "sgd", seed, x, y, 12)
    checks.assert_value(got["iterations"], want["iterations"],
                        name="optimizer steps for one epoch (one per group of accum_steps micro-batches, as fit "
                             "takes one per large batch, the ragged last one included)")
    if got["max_rows"] > 4:
        raise checks.CheckFailed("the model saw more than batch_size rows at once: accumulate over micro-batches")
    _close(got["weights"], want["weights"], "weights after train_accumulated vs model.fit(batch_size=12) with "
                                            "SGD(momentum=0.9)")


@pytest.mark.points(2)
def test_train_accumulated_equals_fit_with_the_large_batch_adam(student, reference, rng):
    x, y = _data(rng, 50)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("train_accumulated", "adam", seed, x, y, 5, 4)
    want = reference.probe("keras_fit_large_batch", "adam", seed, x, y, 20)
    checks.assert_value(got["iterations"], want["iterations"], name="optimizer steps for one epoch with Adam")
    _close(got["weights"], want["weights"], "weights after train_accumulated vs model.fit(batch_size=20) with Adam")


@pytest.mark.points(2)
def test_linear_and_sqrt_scaling_rules(student, rng):
    for _ in range(4):
        base_lr, base_batch = float(rng.uniform(1e-3, 0.3)), int(rng.choice([32, 64, 256]))
        batch = int(base_batch * rng.choice([0.5, 2, 4, 8, 32]))
        checks.assert_value(student.call("scale_learning_rate", base_lr, base_batch, batch, "linear"),
                            base_lr * batch / base_batch, rtol=1e-9, name="linear scaling rule (lr * batch/base_batch)")
        checks.assert_value(student.call("scale_learning_rate", base_lr, base_batch, batch, "sqrt"),
                            base_lr * np.sqrt(batch / base_batch), rtol=1e-9, name="square-root scaling rule")
    checks.assert_raises(student.call, "scale_learning_rate", 0.1, 32, 64, "cubic", exc_type="ValueError")


@pytest.mark.points(2)
def test_gradual_warmup(student, rng):
    start, target, warm = float(rng.uniform(1e-3, 0.05)), float(rng.uniform(0.1, 1.0)), int(rng.integers(5, 50))
    for step in (0, 1, warm // 2, warm - 1, warm, warm + 1, 10 * warm):
        want = start + (target - start) * min(step, warm) / warm
        checks.assert_value(student.call("warmup_learning_rate", step, start, target, warm), want, rtol=1e-9,
                            name=f"warmup_learning_rate at step {step} of a {warm}-step warm-up")
    checks.assert_value(student.call("warmup_learning_rate", 3, start, target, 0), target, rtol=1e-9,
                        name="warmup_learning_rate with warmup_steps=0 (no warm-up: the target at once)")
