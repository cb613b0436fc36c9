"""Hidden tests for A13 Q6: early stopping with the exact semantics of Keras's EarlyStopping.

The probe drives the student's callback (student worker) and ``tf.keras.callbacks.EarlyStopping`` (reference
worker) through the same scripted epoch values, on a model whose weights change every epoch, and reports what it
observed: ``model.stop_training`` after every epoch, the epochs run and the weights left on the model. The real run
is a ``model.fit`` the probe sets up (model, data, optimizer) with one callback or the other.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


def _compare(student, reference, values, kwargs, monitor, what):
    got = student.probe("scripted", "student", values, kwargs, monitor)
    want = reference.probe("scripted", "keras", values, kwargs, monitor)
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    checks.assert_value(got["stops"], want["stops"],
                        name=f"model.stop_training after each epoch ({what}; EarlyStoppingByHand({args}) on "
                             f"{monitor})")
    checks.assert_value(got["stopped_epoch"], want["stopped_epoch"], name=f"stopped_epoch ({what})")
    checks.assert_value(got["best_epoch"], want["best_epoch"], name=f"best_epoch ({what})")
    checks.assert_value(got["final_weights"], want["final_weights"],
                        name=f"weights left on the model at the end of training ({what}; restore_best_weights "
                             "restores in on_train_end, early stop or not)")


def _noisy_decline(rng, n):
    base = 1.0 / (1 + 0.4 * np.arange(n)) + 0.3 * np.maximum(0, np.arange(n) - n / 2) / n
    return [float(v) for v in np.round(base + rng.normal(0, 0.01, n), 4)]


@pytest.mark.points(3)
def test_patience_and_min_delta_on_scripted_losses(student, reference, rng):
    for patience in (0, 2, 4):
        values = _noisy_decline(rng, 25)
        _compare(student, reference, values, {"patience": patience, "min_delta": 0.01}, "val_loss",
                 f"patience {patience}, improvements smaller than min_delta do not count")
    _compare(student, reference, [1.0, 0.9, 0.9, 0.9, 0.85, 0.84, 0.8405, 0.9], {"patience": 1}, "val_loss",
             "ties are not improvements")
    checks.assert_no_forbidden_calls(
        student, "probes.scripted", ["student", values, {"patience": 2}, "val_loss"],
        ["tf.keras.callbacks.EarlyStopping.on_epoch_end", "tf.keras.callbacks.EarlyStopping.__init__"],
        why="write the callback on tf.keras.callbacks.Callback yourself")


@pytest.mark.points(3)
def test_restore_best_weights_with_and_without_an_early_stop(student, reference, rng):
    values = _noisy_decline(rng, 20)
    _compare(student, reference, values, {"patience": 2, "restore_best_weights": True}, "val_loss", "stopped early")
    _compare(student, reference, [1.0, 0.7, 0.8, 0.75], {"patience": 10, "restore_best_weights": True}, "val_loss",
             "never stopped early, best epoch not the last")
    _compare(student, reference, [1.0, float("nan"), 0.8, 0.8, 0.9], {"patience": 1, "restore_best_weights": True},
             "val_loss", "a NaN loss is never an improvement")
    _compare(student, reference, [1.0, 0.9, float("nan"), float("nan"), float("nan")],
             {"patience": 5, "restore_best_weights": True, "start_from_epoch": 2}, "val_loss",
             "no improvement from start_from_epoch on: the weights of that epoch are kept as the best")


@pytest.mark.points(3)
def test_max_mode_baseline_and_start_from_epoch(student, reference, rng):
    acc = [0.5, 0.6, 0.62, 0.61, 0.7, 0.69, 0.71, 0.705, 0.7, 0.69]
    _compare(student, reference, acc, {"patience": 1, "mode": "max", "baseline": 0.65}, "val_acc",
             "max mode with a baseline: wait resets only once the baseline is beaten")
    _compare(student, reference, acc, {"patience": 2, "min_delta": 0.005}, "val_accuracy",
             "mode auto on an accuracy maximises")
    _compare(student, reference, [1.0, 1.1, 1.2, 1.3, 1.0, 1.1, 1.2],
             {"patience": 1, "start_from_epoch": 3, "restore_best_weights": True}, "val_loss",
             "epochs before start_from_epoch are ignored")
    _compare(student, reference, [0.4, 0.5, None, 0.3, 0.6, 0.7], {"patience": 1}, "val_loss",
             "epochs whose logs lack the monitor are skipped")
    _compare(student, reference, [None, None], {"patience": 1}, "val_loss", "the monitor is never logged")
    _compare(student, reference, [0.5, 0.6, 0.6, 0.6], {"patience": 1, "mode": "max"}, "val_acc",
             "max mode: a tie is not an improvement")
    _compare(student, reference, [0.5, 0.7, 0.698, 0.699, 0.702, 0.6], {"patience": 2, "min_delta": 0.005,
                                                                        "mode": "max"}, "val_auc",
             "max mode: within min_delta of the best is not an improvement")


@pytest.mark.points(3)
def test_real_fit_run_stops_and_restores_like_keras(student, reference, rng):
    n = 400
    x = rng.normal(size=(n, 10)).astype(np.float32)
    w = rng.normal(size=10)
    y = (x @ w > 0).astype(np.int32)
    y[rng.random(n) < 0.3] ^= 1  # label noise: the network overfits and val_loss turns up
    xv = rng.normal(size=(200, 10)).astype(np.float32)
    yv = (xv @ w > 0).astype(np.int32)
    seed = int(rng.integers(0, 2**20))
    kwargs = {"monitor": "val_loss", "patience": 3, "min_delta": 0.001, "restore_best_weights": True}
    got = student.probe("real_run", "student", seed, x, y, xv, yv, kwargs, 40)
    want = reference.probe("real_run", "keras", seed, x, y, xv, yv, kwargs, 40)
    checks.assert_value(got["epochs"], want["epochs"], name="epochs model.fit ran with your callback vs with "
                                                            "tf.keras.callbacks.EarlyStopping")
    if want["epochs"] >= 40:
        raise checks.CheckFailed("the reference run did not stop early; this test needs a stop")
    for i, (g, wt) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, wt, expect="array", rtol=1e-4, atol=1e-5,
                             name=f"weight {i} after fit (restored to the best epoch's)")
