"""Hidden tests for A08 Q6: a subclassed multi-task model with a masked train_step, its config and its SavedModel.

Outputs and masked losses are recomputed by the judge in NumPy from the weights it sends; one SGD step is compared
with the reference's; training uses synthetic clusters drawn here with held-out labels kept in the judge; the
SavedModel is loaded in the inspector, a sandboxed worker where no student code runs, so what it computes is the
traced graph's, not the student's class's.
"""

import numpy as np
import pytest

from graders import checks
from graders.judge.inspector import copy_artefact

pytestmark = pytest.mark.question("q6")


def _weights(rng, d, hidden, classes):
    return {"trunk": [rng.normal(size=(d, hidden)) / np.sqrt(d), 0.3 * rng.normal(size=hidden)],
            "digit": [rng.normal(size=(hidden, classes)) / np.sqrt(hidden), 0.3 * rng.normal(size=classes)],
            "is_even": [rng.normal(size=(hidden, 1)) / np.sqrt(hidden), 0.3 * rng.normal(size=1)]}


def _as32(weights):
    return {k: [np.asarray(v, np.float32) for v in vs] for k, vs in weights.items()}


def _forward(w, x):
    h = np.maximum(x @ w["trunk"][0] + w["trunk"][1], 0)
    return h @ w["digit"][0] + w["digit"][1], 1 / (1 + np.exp(-(h @ w["is_even"][0] + w["is_even"][1])))


def _masked(w, x, y):
    logits, p = _forward(w, x)
    digit, even = np.asarray(y["digit"]), np.asarray(y["is_even"], np.float64)
    dm, em = digit >= 0, even >= 0
    lse = np.log(np.sum(np.exp(logits - logits.max(1, keepdims=True)), 1)) + logits.max(1)
    ce = lse - logits[np.arange(len(digit)), np.maximum(digit, 0)]
    q = np.clip(p[:, 0], 1e-7, 1 - 1e-7)
    bce = -(even * np.log(q + 1e-7) + (1 - even) * np.log(1 - q + 1e-7))
    d_loss = float(np.sum(ce * dm) / max(dm.sum(), 1))
    e_loss = float(np.sum(bce * em) / max(em.sum(), 1))
    acc = float(np.mean(np.argmax(logits, 1)[dm] == digit[dm])) if dm.any() else 0.0
    return {"loss": d_loss + e_loss, "digit_loss": d_loss, "is_even_loss": e_loss, "digit_acc": acc}


def _labels(rng, n, classes, p_digit, p_even):
    digit = rng.integers(0, classes, size=n)
    even = (digit % 2 == 0).astype(np.float32)
    return digit, {"digit": np.where(rng.random(n) < p_digit, -1, digit).astype(np.int32),
                   "is_even": np.where(rng.random(n) < p_even, -1.0, even).astype(np.float32)}


def _check_logs(logs, want, what):
    for key, value in want.items():
        assert key in logs, f"{what}: the logs have no {key!r} (found {sorted(logs)})"
        checks.assert_tensor(np.float64(logs[key]), np.float64(value), expect="array", rtol=1e-4, atol=1e-5,
                             name=f"{what}: {key}")


@pytest.mark.points(2)
def test_call_outputs_and_dropout_only_in_training(student, rng):
    d, hidden, classes = 6, 12, 5
    w = _as32(_weights(rng, d, hidden, classes))
    x = rng.normal(size=(8, d)).astype(np.float32)
    inference, train1, train2, again = student.probe("mt_forward", hidden, classes, 0.5, w, x)
    logits, p = _forward(w, x)
    checks.assert_tensor(inference["digit"], logits, expect="array", rtol=1e-4, atol=1e-5, name="'digit' logits")
    checks.assert_tensor(inference["is_even"], p, expect="array", rtol=1e-4, atol=1e-5, name="'is_even' probability")
    checks.assert_tensor(again["digit"], inference["digit"], expect="array", rtol=0, atol=0,
                         name="two calls with training=False (no dropout at inference)")
    assert not np.allclose(train1["digit"], train2["digit"]), (
        "two calls with training=True give the same output: apply Dropout with training=training")
    assert not np.allclose(train1["digit"], inference["digit"]), "training=True should apply dropout"


@pytest.mark.points(3)
def test_masked_losses_and_one_training_step(student, reference, rng):
    d, hidden, classes = 5, 10, 4
    w = _as32(_weights(rng, d, hidden, classes))
    x = rng.normal(size=(12, d)).astype(np.float32)
    _, y = _labels(rng, 12, classes, 0.4, 0.3)
    y["digit"][:2] = [0, -1]
    x2 = rng.normal(size=(9, d)).astype(np.float32)
    _, y2 = _labels(rng, 9, classes, 0.3, 0.0)
    y2["is_even"][:] = -1.0  # no is_even label at all: that head's loss is 0, not NaN
    got = student.probe("mt_step", hidden, classes, w, x, y, 0.1, x2, y2)
    want = reference.probe("mt_step", hidden, classes, w, x, y, 0.1, x2, y2)
    _check_logs(got["logs"], _masked(w, x, y), "train_on_batch logs (masked means over present labels)")
    for name in ("trunk", "digit", "is_even"):
        for i, (g, r) in enumerate(zip(got["after"][name], want["after"][name], strict=True)):
            checks.assert_tensor(g, r, expect="array", rtol=1e-4, atol=1e-6,
                                 name=f"{name} weight {i} after one SGD step on the masked loss")
    after = {k: [np.asarray(v, np.float32) for v in vs] for k, vs in want["after"].items()}
    _check_logs(got["test_logs"], _masked(after, x2, y2), "evaluate (test_step) logs after the step")


@pytest.mark.points(3)
def test_fit_with_missing_labels_on_held_out_clusters(student, thresholds, rng):
    classes, d = 10, 16
    centres = 2.0 * rng.normal(size=(classes, d))
    digit, y = _labels(rng, 800, classes, 0.3, 0.2)
    x = (centres[digit] + rng.normal(size=(800, d))).astype(np.float32)
    test_digit = rng.integers(0, classes, size=400)
    x_test = (centres[test_digit] + rng.normal(size=(400, d))).astype(np.float32)
    got = student.probe("mt_fit", x, y, x_test, 12)
    for key in ("digit_acc", "digit_loss", "is_even_loss", "loss"):
        assert key in got["keys"], f"fit's history has no {key!r} (found {got['keys']})"
    checks.assert_accuracy(np.argmax(np.asarray(got["digit"]), axis=1), test_digit,
                           thresholds["min_digit_accuracy"], name="held-out digit accuracy")
    checks.assert_accuracy((np.asarray(got["is_even"])[:, 0] > 0.5).astype(int), (test_digit % 2 == 0).astype(int),
                           thresholds["min_even_accuracy"], name="held-out is_even accuracy")


@pytest.mark.points(2)
def test_get_config_from_config_round_trip(student, rng):
    d, hidden, classes, dropout = 7, int(rng.integers(5, 20)), int(rng.integers(3, 8)), 0.25
    w = _as32(_weights(rng, d, hidden, classes))
    x = rng.normal(size=(4, d)).astype(np.float32)
    inference = student.probe("mt_forward", hidden, classes, dropout, w, x)[0]
    checks.assert_tensor(inference["digit"], _forward(w, x)[0], expect="array", rtol=1e-4, atol=1e-5,
                         name="'digit' logits")
    got = student.probe("mt_config", hidden, classes, dropout, x)
    config = got["config"]
    for key, value in (("hidden", hidden), ("num_classes", classes), ("dropout", dropout)):
        assert key in config, f"get_config() has no {key!r}"
        checks.assert_value(config[key], value, name=f"get_config()[{key!r}]")
    assert got["type_same"], "from_config should return a MultiTaskNet"
    count = sum(int(np.prod(s)) for s in got["shapes"])
    assert count == d * hidden + hidden + hidden * classes + classes + hidden + 1, (
        f"the model rebuilt by from_config has {count} trainable weights, not those of the original architecture")
    checks.assert_value(got["out_shapes"], {"digit": [4, classes], "is_even": [4, 1]},
                        name="output shapes of the rebuilt model")


@pytest.mark.points(2)
def test_savedmodel_runs_in_a_fresh_worker(student, inspector, rng):
    d, hidden, classes = 6, 9, 4
    w = _as32(_weights(rng, d, hidden, classes))
    x = rng.normal(size=(5, d)).astype(np.float32)
    path = student.probe("mt_export", hidden, classes, w, x)
    assert isinstance(path, str), "export_multitask should return the export folder"
    inspected = copy_artefact(student, path, inspector)
    outside = inspector.harness("artefact_outside_ops", inspected)
    assert not outside, f"the SavedModel holds ops that reach outside the graph: {outside}"
    x_new = rng.normal(size=(7, d)).astype(np.float32)
    try:
        out = inspector.probe("load_and_predict", inspected, x_new)
    except Exception as exc:  # noqa: BLE001 - the artefact is the student's, not their code
        raise checks.CheckFailed(
            "the SavedModel does not load and serve in a fresh Python with tf.saved_model.load(path)"
            ".signatures['serving_default'](features=x) (save a tf.function with an input_signature named "
            f"'features' as the serving_default signature): {str(exc)[:300]}") from None
    assert sorted(out) == ["digit", "is_even"], (
        f"the serving_default signature returns {sorted(out)}; it should return 'digit' and 'is_even'")
    logits, p = _forward(w, x_new)
    checks.assert_tensor(out["digit"], logits, expect="array", rtol=1e-4, atol=1e-5,
                         name="'digit' from the SavedModel's serving_default (inference mode, exported weights)")
    checks.assert_tensor(out["is_even"], p, expect="array", rtol=1e-4, atol=1e-5, name="'is_even' from the SavedModel")
