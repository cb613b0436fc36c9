"""Hidden tests for A16 Q3: knowledge distillation (temperature-scaled loss, Distiller, label-scarce transfer)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")


def _digits(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    x = disguise(x, fit=x[order[:1400]], seed=split_seed + 1607)  # no held-out row can be looked up in the dataset
    return x[order[:1400]], y[order[:1400]], x[order[1400:]], y[order[1400:]]


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _expected_loss(t, s, temperature):
    p, q = _softmax(t / temperature), _softmax(s / temperature)
    return temperature ** 2 * np.mean(np.sum(p * (np.log(p) - np.log(q)), axis=-1))


@pytest.mark.points(2)
def test_distillation_loss_values(student, rng):
    for temperature in (1.0, 2.5, 6.0):
        t = rng.normal(0, 3, size=(7, 10)).astype(np.float32)
        s = rng.normal(0, 3, size=(7, 10)).astype(np.float32)
        got = student.call("distillation_loss", Tensor(t), Tensor(s), temperature)
        checks.assert_tensor(got, np.float32(_expected_loss(t.astype(np.float64), s.astype(np.float64), temperature)),
                             expect="tensor", dtype="float32", rtol=1e-4, atol=1e-5,
                             name=f"distillation_loss(teacher_logits, student_logits, {temperature}) (T**2 * KL("
                                  "softmax(t/T) || softmax(s/T)), batch mean; temperature divides the logits)")


@pytest.mark.points(2)
def test_distillation_loss_gradient_wrt_student_logits(student, rng):
    temperature = 3.0
    t = rng.normal(0, 2, size=(5, 10)).astype(np.float32)
    s = rng.normal(0, 2, size=(5, 10)).astype(np.float32)
    (grad,) = student.harness("gradient", "distillation_loss", [Tensor(t), Tensor(s), temperature], wrt=(1,))
    if grad is None:
        raise checks.CheckFailed("distillation_loss is not differentiable with respect to the student logits")
    want = temperature * (_softmax(s / temperature) - _softmax(t / temperature)) / len(s)
    checks.assert_tensor(grad, want.astype(np.float32), rtol=1e-3, atol=1e-5,
                         name="gradient of distillation_loss with respect to the student logits (should be "
                              "T * (softmax(s/T) - softmax(t/T)) / batch: check the T**2 factor)")


def _mlp_weights(rng, hidden):
    sizes = [64, hidden, 10]
    weights = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        weights += [rng.normal(0, 0.3, size=(a, b)).astype(np.float32), rng.normal(0, 0.1, size=b).astype(np.float32)]
    return weights


@pytest.mark.points(3)
def test_distiller_train_step_updates_only_the_student(student, reference, rng):
    teacher_w, student_w = _mlp_weights(rng, 16), _mlp_weights(rng, 8)
    x = rng.uniform(0, 1, size=(24, 64)).astype(np.float32)
    y = rng.integers(0, 10, size=24)
    for labels, alpha, temperature in ((y, 0.3, 3.0), (None, 0.1, 5.0)):
        got = student.probe("distiller_step", teacher_w, student_w, x, labels, alpha, temperature, 0.5)
        want = reference.probe("distiller_step", teacher_w, student_w, x, labels, alpha, temperature, 0.5)
        what = "with labels (alpha * hard + (1 - alpha) * soft)" if labels is not None else "without labels (soft only)"
        for k, w in enumerate(teacher_w):
            checks.assert_tensor(got["teacher"][k], w, atol=0,
                                 name=f"teacher weight {k} after a Distiller step {what} (keep the teacher frozen)")
        for k, w in enumerate(want["student"]):
            checks.assert_tensor(got["student"][k], w, rtol=1e-4, atol=1e-5,
                                 name=f"student weight {k} after one SGD Distiller step {what}")
        checks.assert_tensor(got["call"], want["call"], rtol=1e-4, atol=1e-5,
                             name="Distiller(student, teacher)(x) (should be the student's logits)")


@pytest.mark.points(3)
def test_distillation_beats_training_on_few_labels(student, thresholds):
    x, y, x_test, y_test = _digits()
    pick = np.random.default_rng(5)
    few = np.concatenate([pick.choice(np.flatnonzero(y == c), 5, replace=False) for c in range(10)])
    report = student.probe("distill_report", x, y, x[few], y[few], x_test, 30, 4.0)
    assert report["same_object"], "distill_on_transfer_set must train and return the student model it was given"
    assert report["student_changed"], "the student's weights did not change"
    assert report["teacher_unchanged"], "distillation changed the teacher's weights: keep the teacher frozen"
    assert report["student_params"] * 10 <= report["teacher_params"]
    scratch = float(np.mean(np.asarray(report["scratch_pred"]) == y_test))
    teacher = float(np.mean(np.asarray(report["teacher_pred"]) == y_test))
    distilled = checks.assert_accuracy(
        np.asarray(report["student_pred"]), y_test, thresholds["min_distilled_accuracy"],
        name=f"held-out accuracy of the distilled 64-32-10 student (teacher {teacher:.3f}, the same student trained "
             f"on 50 labels {scratch:.3f})")
    assert distilled >= scratch + thresholds["min_gain_over_scratch"], (
        f"the distilled student ({distilled:.3f}) should beat the student trained on 50 labels ({scratch:.3f}) by "
        f"at least {thresholds['min_gain_over_scratch']}")
