"""Hidden tests for A09 Q6: callbacks.

The probes supply the recording callbacks, the models and the monitored values; the judge checks what they observed:
the hook sequence of the student's loop against ``model.fit``'s own (run in the reference worker), the early-stopping
outcome against the judge's simulation of Keras's rule, and the learning rate the optimizer held at every batch
against Smith's formulas.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


def _data(rng, n):
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = np.stack([np.sin(x[:, 0]), x[:, 1] * x[:, 2]], axis=1).astype(np.float32)
    return x, y


def _check_events(got, want):
    names = [[e[0], e[1]] for e in want]
    checks.assert_value([[e[0], e[1]] for e in got], names,
                        name="the (hook, index) sequence the probe's callback saw, against model.fit's")
    for g, w in zip(got, want, strict=True):
        label = f"logs['loss'] passed to on_{w[0]}" + ("" if w[1] is None else f"({w[1]})")
        if w[2] is None:
            continue
        if g[2] is None:
            raise checks.CheckFailed(f"{label} is missing: pass logs={{'loss': ...}} as fit does")
        checks.assert_value(g[2], w[2], rtol=1e-4, atol=1e-6,
                            name=label + " (batch end: running batch-size-weighted mean of the epoch)")


@pytest.mark.points(3)
def test_loop_drives_hooks_like_fit(student, reference, rng):
    x, y = _data(rng, 22)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("drive_loop", seed, x, y, 3, 8)
    want = reference.probe("drive_fit", seed, x, y, 3, 8)
    _check_events(got["events"], want["events"])
    checks.assert_tensor(np.asarray(got["history"]), np.asarray(want["history"]), rtol=1e-4, atol=1e-6,
                         name="returned epoch losses vs fit's history")
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-5, name=f"weight {i} after the loop vs fit")


@pytest.mark.points(2)
def test_loop_honours_stop_training(student, reference, rng):
    x, y = _data(rng, 16)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("drive_loop", seed, x, y, 5, 5, 1)
    want = reference.probe("drive_fit", seed, x, y, 5, 5, 1)
    _check_events(got["events"], want["events"])


@pytest.mark.points(3)
def test_early_stopping_restores_best_weights(student, rng):
    cases = [
        ({"patience": 2, "min_delta": 0.0, "restore_best_weights": True}, [1.0, 0.8, 0.85, 0.7, 0.75, 0.72, 0.6]),
        ({"patience": 2, "min_delta": 0.05, "restore_best_weights": True}, [1.0, 0.9, 0.87, 0.86, 0.5, 0.4]),
        ({"patience": 1, "min_delta": 0.0, "restore_best_weights": False}, [0.5, 0.4, 0.45, 0.3]),
        ({"patience": 3, "min_delta": 0.0, "restore_best_weights": True}, [0.9, 0.8, 0.7, 0.6]),
        # an equal value is no improvement
        ({"patience": 2, "min_delta": 0.0, "restore_best_weights": True}, [1.0, 0.8, 0.8, 0.8, 0.1]),
    ]
    for kwargs, losses in cases:
        weights = [[rng.normal(size=(3, 2)).astype(np.float32), rng.normal(size=(2,)).astype(np.float32)]
                   for _ in losses]
        got = student.probe("drive_early_stopping", kwargs, weights, losses)
        best, best_epoch, wait, stop = np.inf, None, 0, None
        for epoch, value in enumerate(losses):
            if value < best - kwargs["min_delta"]:
                best, best_epoch, wait = value, epoch, 0
                continue
            wait += 1
            if wait >= kwargs["patience"]:
                stop = epoch
                break
        epochs_run = len(losses) if stop is None else stop + 1
        checks.assert_value(got["epochs_run"], epochs_run,
                            name=f"epochs run with {kwargs} (stop when wait >= patience; an improvement must beat "
                                 "best - min_delta)")
        final = epochs_run - 1 if stop is None or not kwargs["restore_best_weights"] else best_epoch
        for i, (g, w) in enumerate(zip(got["weights"], weights[final], strict=True)):
            checks.assert_tensor(g, w, expect="array", rtol=0, atol=1e-7,
                                 name=f"model weight {i} when training ends with {kwargs} (restore the best "
                                      "epoch's weights only when it stops early with restore_best_weights)")


@pytest.mark.points(1)
def test_early_stopping_reads_the_monitored_key(student, rng):
    losses = [0.5, 0.6, 0.7, 0.2, 0.1]
    weights = [[rng.normal(size=(2, 1)).astype(np.float32), rng.normal(size=(1,)).astype(np.float32)]
               for _ in losses]
    got = student.probe("drive_early_stopping", {"monitor": "val_mse", "patience": 2}, weights, losses, "val_mse")
    checks.assert_value(got["epochs_run"], 3, name="epochs run when monitoring 'val_mse' with patience 2")
    for i, (g, w) in enumerate(zip(got["weights"], weights[0], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=0, atol=1e-7, name=f"restored weight {i}")


def _clr(it, base, top, step, mode, gamma):
    cycle = np.floor(1 + it / (2 * step))
    x = abs(it / step - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma ** it}[mode]
    return base + (top - base) * max(0.0, 1 - x) * scale


@pytest.mark.points(3)
def test_cyclic_lr_sets_smith_rates_in_all_modes(student, rng):
    x, y = _data(rng, 60)
    seed = int(rng.integers(0, 2**20))
    for mode, gamma in (("triangular", 1.0), ("triangular2", 1.0), ("exp_range", 0.9)):
        kwargs = {"base_lr": 0.001, "max_lr": 0.02, "step_size": 3, "mode": mode, "gamma": gamma}
        got = student.probe("drive_cyclic", kwargs, seed, x, y, 2, 6)
        want = [_clr(it, 0.001, 0.02, 3, mode, gamma) for it in range(20)]
        checks.assert_tensor(np.asarray(got["rates"]), np.asarray(want), rtol=1e-5, atol=1e-8,
                             name=f"optimizer learning rate at each of 20 batches over 2 epochs, mode='{mode}' "
                                  "(the iteration keeps counting across epochs)")


@pytest.mark.points(1)
def test_cyclic_lr_rates_are_the_ones_training_used(student, reference, rng):
    x, y = _data(rng, 40)
    seed = int(rng.integers(0, 2**20))
    kwargs = {"base_lr": 0.01, "max_lr": 0.1, "step_size": 2, "mode": "triangular2"}
    got = student.probe("drive_cyclic", kwargs, seed, x, y, 2, 8)
    want = reference.probe("drive_cyclic", kwargs, seed, x, y, 2, 8)
    checks.assert_tensor(np.asarray(got["rates"]), np.asarray(want["rates"]), rtol=1e-5, atol=1e-8,
                         name="learning rates per batch")
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-5,
                             name=f"weight {i} after fit with CyclicLR (set the optimizer's learning_rate variable)")
