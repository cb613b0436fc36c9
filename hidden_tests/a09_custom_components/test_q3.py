"""Hidden tests for A09 Q3: custom losses (BinaryFocalLoss, SmoothedCCE, Pinball) and Keras's reduction semantics.

Per-sample values and every reduction are the judge's NumPy; training runs compare with the reference worker.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")

EPS = 1e-7


def _focal(y, p, alpha=0.25, gamma=2.0):
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    p_t = y * p + (1 - y) * (1 - p)
    a_t = y * alpha + (1 - y) * (1 - alpha)
    return np.mean(-a_t * (1 - p_t) ** gamma * np.log(p_t), axis=-1)


def _smoothed(y, p, smoothing=0.1):
    k = y.shape[-1]
    target = y * (1 - smoothing) + smoothing / k
    return -np.sum(target * np.log(np.clip(p.astype(np.float64), EPS, 1.0)), axis=-1)


def _pinball(y, p, q):
    e = y.astype(np.float64) - p
    return np.mean(np.maximum(q * e, (q - 1) * e), axis=-1)


def _binary(rng, n=12, d=3):
    return (rng.random((n, d)) < 0.4).astype(np.float32), rng.uniform(0.02, 0.98, size=(n, d)).astype(np.float32)


def _onehot(rng, n=10, k=5):
    logits = rng.normal(size=(n, k))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return np.eye(k, dtype=np.float32)[rng.integers(0, k, n)], p.astype(np.float32)


@pytest.mark.points(3)
def test_per_sample_values_match_numpy(student, rng):
    y, p = _binary(rng)
    got = student.probe("loss_values", "BinaryFocalLoss", {"alpha": 0.3, "gamma": 1.5}, y, p)
    checks.assert_tensor(got, _focal(y, p, 0.3, 1.5), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="BinaryFocalLoss(alpha=0.3, gamma=1.5) per-sample values (reduction='none': one value "
                              "per sample, the mean over the last axis)")
    yc, pc = _onehot(rng)
    got = student.probe("loss_values", "SmoothedCCE", {"smoothing": 0.2}, yc, pc)
    checks.assert_tensor(got, _smoothed(yc, pc, 0.2), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="SmoothedCCE(smoothing=0.2) per-sample values")
    yr = rng.normal(size=(9, 2)).astype(np.float32)
    pr = rng.normal(size=(9, 2)).astype(np.float32)
    got = student.probe("loss_values", "Pinball", {"q": 0.85}, yr, pr)
    checks.assert_tensor(got, _pinball(yr, pr, 0.85), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="Pinball(q=0.85) per-sample values (e = y_true - y_pred; max(q e, (q-1) e))")


@pytest.mark.points(3)
def test_reductions_and_sample_weights_follow_keras(student, rng):
    y, p = _binary(rng, n=10)
    w = rng.uniform(0, 2, size=10).astype(np.float32)
    w[:3] = 0.0
    per = _focal(y, p)
    for reduction, want in (("sum_over_batch_size", np.sum(w * per) / len(per)), ("sum", np.sum(w * per))):
        got = student.probe("loss_values", "BinaryFocalLoss", {}, y, p, w, reduction)
        checks.assert_tensor(np.asarray(got).reshape(()), np.float64(want), rtol=1e-5, atol=1e-6,
                             name=f"BinaryFocalLoss with sample_weight and reduction='{reduction}' (return per-sample "
                                  "values from call and let Keras weight and reduce them)")
    yr = rng.normal(size=(8, 3)).astype(np.float32)
    pr = rng.normal(size=(8, 3)).astype(np.float32)
    wr = rng.uniform(0, 2, size=8).astype(np.float32)
    got = student.probe("loss_values", "Pinball", {"q": 0.2}, yr, pr, wr, "sum_over_batch_size")
    checks.assert_tensor(np.asarray(got).reshape(()), np.float64(np.mean(wr * _pinball(yr, pr, 0.2))), rtol=1e-5,
                         atol=1e-6, name="Pinball(q=0.2) with sample_weight, reduction='sum_over_batch_size'")


@pytest.mark.points(2)
def test_gradients_finite_where_probabilities_saturate(student, reference, rng):
    y = np.array([[1, 0, 1, 0], [0, 1, 1, 0]], np.float32)
    p = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.5, 1e-9]], np.float32)
    got = student.probe("loss_gradient", "BinaryFocalLoss", {}, y, p)
    want = reference.probe("loss_gradient", "BinaryFocalLoss", {}, y, p)
    checks.assert_tensor(got["value"], want["value"], rtol=1e-5, atol=1e-6,
                         name="summed focal loss at p in {0, 1} (clip p to [epsilon, 1 - epsilon])")
    checks.assert_tensor(got["grad"], want["grad"], rtol=1e-4, atol=1e-6,
                         name="gradient of the focal loss with respect to p at p in {0, 1} (must be finite)")
    yc = np.eye(3, dtype=np.float32)[[0, 2]]
    pc = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
    got = student.probe("loss_gradient", "SmoothedCCE", {}, yc, pc)
    want = reference.probe("loss_gradient", "SmoothedCCE", {}, yc, pc)
    checks.assert_tensor(got["grad"], want["grad"], rtol=1e-4, atol=1e-6,
                         name="gradient of SmoothedCCE at one-hot predictions (must be finite)")


@pytest.mark.points(2)
def test_integer_labels_train_through_fit(student, reference, rng):
    x = rng.normal(size=(48, 5)).astype(np.float32)
    y = (x[:, :2] @ np.array([1.0, -1.0]) > 0).astype(np.int64)[:, None]
    seed = int(rng.integers(0, 2**20))
    got = student.probe("fit_with_loss", "BinaryFocalLoss", {"gamma": 2.0}, seed, x, y, "sigmoid", 1, "int64")
    want = reference.probe("fit_with_loss", "BinaryFocalLoss", {"gamma": 2.0}, seed, x, y, "sigmoid", 1, "int64")
    checks.assert_tensor(np.asarray(got["loss"]), np.asarray(want["loss"]), rtol=1e-4, atol=1e-6,
                         name="fit's epoch losses with int64 labels (cast y_true to y_pred's dtype)")
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-5, name=f"weight {i} after fit")
    yc = rng.integers(0, 3, size=48)
    yc_onehot = np.eye(3, dtype=np.int32)[yc]
    got = student.probe("fit_with_loss", "SmoothedCCE", {}, seed, x, yc_onehot, "softmax", 3, "int32")
    want = reference.probe("fit_with_loss", "SmoothedCCE", {}, seed, x, yc_onehot, "softmax", 3, "int32")
    checks.assert_tensor(np.asarray(got["loss"]), np.asarray(want["loss"]), rtol=1e-4, atol=1e-6,
                         name="fit's epoch losses for SmoothedCCE with int32 one-hot labels")


@pytest.mark.points(1)
def test_serialization_round_trip_keeps_parameters(student, rng):
    y, p = _binary(rng)
    got = student.probe("loss_round_trip", "BinaryFocalLoss", {"alpha": 0.6, "gamma": 3.0}, y, p)
    checks.assert_tensor(got["clone"], _focal(y, p, 0.6, 3.0), rtol=1e-5, atol=1e-6,
                         name="BinaryFocalLoss(alpha=0.6, gamma=3.0) after tf.keras.losses.serialize/deserialize "
                              "(register it; get_config must return alpha and gamma)")
    yr = rng.normal(size=(6, 2)).astype(np.float32)
    pr = rng.normal(size=(6, 2)).astype(np.float32)
    got = student.probe("loss_round_trip", "Pinball", {"q": 0.1}, yr, pr)
    checks.assert_tensor(got["clone"], _pinball(yr, pr, 0.1), rtol=1e-5, atol=1e-6,
                         name="Pinball(q=0.1) after serialize/deserialize")
    yc, pc = _onehot(rng)
    got = student.probe("loss_round_trip", "SmoothedCCE", {"smoothing": 0.3}, yc, pc)
    checks.assert_tensor(got["clone"], _smoothed(yc, pc, 0.3), rtol=1e-5, atol=1e-6,
                         name="SmoothedCCE(smoothing=0.3) after serialize/deserialize")


@pytest.mark.points(1)
def test_losses_do_not_call_the_builtin_versions(student, rng):
    y, p = _binary(rng)
    got = student.probe("loss_values", "BinaryFocalLoss", {}, y, p)
    checks.assert_tensor(got, _focal(y, p), rtol=1e-5, atol=1e-6, name="BinaryFocalLoss per-sample values")
    checks.assert_no_forbidden_calls(
        student, "probes.loss_values", ["BinaryFocalLoss", {}, y, p],
        forbidden=["tf.keras.losses.binary_focal_crossentropy", "tf.keras.backend.binary_focal_crossentropy",
                   "tf.keras.losses.BinaryFocalCrossentropy.call", "tf.keras.backend.binary_crossentropy"],
        why="write the focal loss from its formula")
    yc, pc = _onehot(rng)
    checks.assert_no_forbidden_calls(
        student, "probes.loss_values", ["SmoothedCCE", {}, yc, pc],
        forbidden=["tf.keras.losses.categorical_crossentropy", "tf.keras.backend.categorical_crossentropy",
                   "tf.keras.losses.CategoricalCrossentropy.call"],
        why="write the smoothed cross-entropy from its formula")
