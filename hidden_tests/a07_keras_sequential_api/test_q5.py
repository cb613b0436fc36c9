"""Hidden tests for A07 Q5: evaluation metrics against scikit-learn computed in the judge, and held-out accuracy on
data generated here whose labels never enter the worker.

Mutation notes (``tfgrade mutants a07_keras_sequential_api -q q5``, seed 0): the survivors are equivalent or are
choices the question leaves to the student. Equivalent: ``argmax(axis=1)`` for ``axis=-1`` on rank-2 probabilities,
an int32 argmax, float64 features (the model casts), ``std - 1e-6`` for ``std + 1e-6``, dropping
``monitor="val_loss"`` (the default). Left to the student: ``train_classifier``'s architecture (a second hidden layer
without relu) and its early-stopping patience (0 instead of 8); the held-out accuracy test is what holds it.
"""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from graders import checks

pytestmark = pytest.mark.question("q5")

FORBIDDEN = ["sklearn.metrics.confusion_matrix", "sklearn.metrics.precision_recall_fscore_support",
             "sklearn.metrics.f1_score", "sklearn.metrics.precision_score", "sklearn.metrics.recall_score",
             "sklearn.metrics.accuracy_score", "sklearn.metrics.classification_report"]


def _case(rng, k, n, dead_class=None):
    d = int(rng.integers(3, 7))
    w = rng.normal(size=(d, k)).astype(np.float32)
    b = rng.normal(0, 0.5, size=k).astype(np.float32)
    if dead_class is not None:
        b[dead_class] = -50.0  # never predicted
    x = rng.normal(size=(n, d)).astype(np.float32)
    z = x.astype(np.float64) @ w + b
    # Labels: mostly the model's own prediction, with noise, so every metric is informative.
    y = np.where(rng.random(n) < 0.6, z.argmax(axis=1), rng.integers(0, k, size=n))
    if dead_class is not None:
        y[: 3] = dead_class
    return [w, b], x, y, z.argmax(axis=1)


def _check(got, y, pred, k, what):
    assert isinstance(got, dict), f"{what}: evaluate_classifier should return a dict"
    keys = ["accuracy", "confusion_matrix", "f1", "macro_f1", "precision", "recall", "weighted_f1"]
    assert sorted(got) == keys, f"{what}: keys {sorted(got)}, expected {keys}"
    labels = list(range(k))
    checks.assert_tensor(np.asarray(got["confusion_matrix"]), confusion_matrix(y, pred, labels=labels),
                         expect="array", rtol=0, atol=0, name=f"{what}: confusion_matrix (rows = true class)")
    p, r, f, _ = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    for key, want in (("precision", p), ("recall", r), ("f1", f)):
        checks.assert_tensor(np.asarray(got[key], np.float64), want, expect="array", rtol=1e-6, atol=1e-7,
                             name=f"{what}: per-class {key} (0 where undefined)")
    for key, want in (("accuracy", accuracy_score(y, pred)),
                      ("macro_f1", f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
                      ("weighted_f1", f1_score(y, pred, labels=labels, average="weighted", zero_division=0))):
        checks.assert_tensor(np.float64(got[key]), np.float64(want), rtol=1e-6, atol=1e-7, name=f"{what}: {key}")


@pytest.mark.points(4)
def test_metrics_match_sklearn(student, rng):
    for k, n, batch in ((3, 50, 32), (5, 123, 7), (4, 64, 64)):
        weights, x, y, pred = _case(rng, k, n)
        got = student.probe("q5_metrics", weights, x, y, k, batch)
        _check(got, y, pred, k, f"evaluate_classifier({n} samples, {k} classes, batch_size={batch})")


@pytest.mark.points(2)
def test_class_never_predicted_gives_zero_not_nan(student, rng):
    k = 4
    weights, x, y, pred = _case(rng, k, 60, dead_class=2)
    got = student.probe("q5_metrics", weights, x, y, k, 16)
    _check(got, y, pred, k, "evaluate_classifier with a class the model never predicts")
    weights, x, y, pred = _case(rng, k, 60, dead_class=k - 1)
    y[y == k - 1] = 0  # the last class is neither predicted nor present: the matrix is still k x k
    got = student.probe("q5_metrics", weights, x, y, k, 16)
    _check(got, y, pred, k, "evaluate_classifier when the last class never occurs (pass num_classes)")


@pytest.mark.points(2)
def test_no_sklearn_metrics(student, rng):
    weights, x, y, pred = _case(rng, 3, 40)
    _check(student.probe("q5_metrics", weights, x, y, 3, 16), y, pred, 3, "evaluate_classifier")
    checks.assert_no_forbidden_calls(student, "probes.q5_metrics", [weights, x, y, 3, 16], FORBIDDEN,
                                     why="compute the metrics from tf.math.confusion_matrix with TensorFlow ops")


def _blobs(rng, n, d=6):
    """A task drawn here that no linear model solves: four classes by the quadrant sign and the radius of two
    hidden random projections, in features with random scales and offsets. (Calibration on 6 draws with 1000
    training and 500 held-out samples: the reference 0.918-0.942 in 3-5 s; logistic regression 0.26-0.33.)"""
    p = np.linalg.qr(rng.normal(size=(d, d)))[0][:, :2]
    scale, shift = rng.uniform(0.5, 3.0, size=d), rng.normal(0, 2, size=d)
    z = rng.normal(size=(n, d))
    u = z @ p
    radius = np.sqrt((u ** 2).sum(axis=1))
    y = 2 * (u[:, 0] * u[:, 1] > 0) + (radius > 1.1774)  # 1.1774: the median radius of a 2-D standard normal
    return (z * scale + shift).astype(np.float32), y.astype(np.int64)


@pytest.mark.points(4)
def test_train_classifier_held_out_accuracy(student, rng, thresholds):
    x, y = _blobs(rng, 1500)
    x_train, y_train, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]
    got = student.probe("q5_train_predict", x_train, y_train, 4, int(rng.integers(1 << 20)), x_test)
    assert got["is_sequential"], "train_classifier should return a tf.keras.Sequential"
    probs = np.asarray(got["probs"], np.float64)
    assert probs.shape == (len(x_test), 4), f"predict gave shape {probs.shape}, expected ({len(x_test)}, 4)"
    assert np.isfinite(probs).all() and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4), (
        "model.predict of train_classifier's model should give class probabilities (softmax output)")
    checks.assert_accuracy(probs.argmax(axis=1), y_test, thresholds["min_heldout_accuracy"],
                           name="accuracy of train_classifier's model")
