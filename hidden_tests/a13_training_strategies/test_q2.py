"""Hidden tests for A13 Q2: learning-rate schedules and the learning-rate range test.

WarmupCosine and StepDecay are compared with the Keras schedules they must equal (in the reference worker);
CyclicalLR and OneCycleLR with the judge's own NumPy formulas. Every schedule is also evaluated on a symbolic step in
a graph, after a ``get_config``/``from_config`` round trip, and inside ``model.fit``. The range test runs on a model
the probe compiles; what the optimizer did is read off that model, not taken from the returned dict alone.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

HOWS = ("eager", "graph", "config")


def _values(student, cls, kwargs, steps, want, what):
    for how in HOWS:
        got = student.probe("schedule_values", cls, kwargs, list(steps), how)
        label = {"eager": "called eagerly", "graph": "called in a tf.function on a symbolic int64 step (no Python "
                 "if/while on the step tensor)", "config": "rebuilt with from_config(get_config())"}[how]
        checks.assert_tensor(got, want, expect="array", rtol=1e-5, atol=1e-8,
                             name=f"{cls}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) {label}")


def _cyclical_np(steps, base, top, size, mode, gamma):
    s = np.asarray(steps, np.float64)
    cycle = np.floor(1 + s / (2 * size))
    x = np.abs(s / size - 2 * cycle + 1)
    scale = {"triangular": np.ones_like(s), "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma ** s}[mode]
    return base + (top - base) * np.maximum(0, 1 - x) * scale


def _one_cycle_np(steps, max_lr, total, pct, div, final_div):
    s = np.asarray(steps, np.float64)
    initial = max_lr / div
    final = initial / final_div
    up = float(round(pct * total))
    warm = max_lr + (initial - max_lr) * 0.5 * (1 + np.cos(np.pi * np.minimum(s / up, 1)))
    p = np.clip((s - up) / (total - up), 0, 1)
    return np.where(s <= up, warm, final + (max_lr - final) * 0.5 * (1 + np.cos(np.pi * p)))


@pytest.mark.points(3)
def test_warmup_cosine_and_step_decay_equal_the_keras_schedules(student, reference, rng):
    warm, decay = int(rng.integers(5, 15)), int(rng.integers(40, 120))
    kw = {"peak_lr": float(rng.uniform(0.05, 0.5)), "warmup_steps": warm, "decay_steps": decay,
          "alpha": float(rng.uniform(0.05, 0.3))}
    steps = sorted({0, 1, warm - 1, warm, warm + 1, warm + decay // 2, warm + decay - 1, warm + decay,
                    warm + decay + 7, 3 * (warm + decay)})
    _values(student, "WarmupCosine", kw, steps, reference.probe("keras_schedule_values", "WarmupCosine", kw, steps),
            "CosineDecay with warm-up")
    kw = {"initial_lr": float(rng.uniform(0.05, 0.5)), "drop": float(rng.uniform(0.3, 0.8)),
          "steps_per_drop": int(rng.integers(3, 9))}
    steps = list(range(0, 40))
    _values(student, "StepDecay", kw, steps, reference.probe("keras_schedule_values", "StepDecay", kw, steps),
            "ExponentialDecay(staircase=True)")
    for cls, args in (("StepDecay", kw), ("WarmupCosine", {"peak_lr": 0.1, "warmup_steps": 3, "decay_steps": 10})):
        checks.assert_no_forbidden_calls(
            student, "probes.schedule_values", [cls, args, [0, 5, 20], "eager"],
            ["tf.keras.optimizers.schedules.CosineDecay.__call__",
             "tf.keras.optimizers.schedules.ExponentialDecay.__call__",
             "tf.keras.optimizers.schedules.PiecewiseConstantDecay.__call__"],
            why="write the schedule's formula with TensorFlow ops")


@pytest.mark.points(3)
def test_cyclical_lr_in_all_three_modes(student, rng):
    size = int(rng.integers(3, 8))
    steps = list(range(0, 6 * size + 3))
    for mode, gamma in (("triangular", 1.0), ("triangular2", 1.0), ("exp_range", float(rng.uniform(0.9, 0.99)))):
        kw = {"base_lr": 1e-3, "max_lr": float(rng.uniform(5e-3, 1e-2)), "step_size": size, "mode": mode,
              "gamma": gamma}
        _values(student, "CyclicalLR", kw, steps, _cyclical_np(steps, kw["base_lr"], kw["max_lr"], size, mode, gamma),
                "CLR")


@pytest.mark.points(2)
def test_one_cycle_lr_warms_up_then_anneals(student, rng):
    total = int(rng.integers(30, 80))
    kw = {"max_lr": float(rng.uniform(0.05, 0.5)), "total_steps": total, "pct_start": float(rng.uniform(0.2, 0.4)),
          "div_factor": 25.0, "final_div_factor": 1e4}
    steps = list(range(0, total + 5))
    _values(student, "OneCycleLR", kw, steps, _one_cycle_np(steps, kw["max_lr"], total, kw["pct_start"], 25.0, 1e4),
            "one-cycle")


@pytest.mark.points(2)
def test_schedules_drive_model_fit(student, reference, rng):
    x = rng.normal(size=(96, 6)).astype(np.float32)
    y = (x @ rng.normal(size=(6, 1)) / 2.5).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    # The course's one-cycle schedule branches on the step tensor in Python, which model.fit's graph rejects.
    for cls, kw in (("OneCycleLR", {"max_lr": 0.2, "total_steps": 6}),):
        lrs = _one_cycle_np(range(6), 0.2, 6, 0.3, 25.0, 1e4)
        got = student.probe("fit_with_schedule", cls, kw, seed, x, y, 16)
        want = reference.probe("keras_fit_with_lr_list", [float(v) for v in lrs], seed, x, y, 16)
        checks.assert_value(got["iterations"], want["iterations"], name="optimizer steps of one epoch of model.fit")
        for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
            checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-5,
                                 name=f"weight {i} after one epoch of model.fit with SGD(learning_rate={cls}(...)) vs "
                                      "SGD with the learning rate set by hand at every step")


def _range_data(rng, n=256):
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = np.tanh(x @ rng.normal(size=(6, 1)) / 2.0).astype(np.float32)
    return x, y


@pytest.mark.points(3)
def test_lr_range_test_trains_with_a_geometric_learning_rate(student, reference, rng):
    x, y = _range_data(rng)
    seed = int(rng.integers(0, 2**20))
    min_lr, max_lr, num = 1e-3, 1e2, 30
    got = student.probe("range_test", seed, x, y, min_lr, max_lr, num, 32)
    want = reference.probe("range_test", seed, x, y, min_lr, max_lr, num, 32)
    k = len(want["loss"])
    checks.assert_value(len(got["loss"]), k, name="number of steps before the loss diverged (stop after recording "
                                                  "a loss above diverge_factor times the best, or not finite)")
    checks.assert_value(got["iterations"], k, name="optimizer steps the range test really took on the model")
    lrs = min_lr * (max_lr / min_lr) ** (np.arange(k) / (num - 1))
    checks.assert_tensor(got["lr"], lrs, expect="array", rtol=1e-6, atol=0,
                         name="learning rates tried (min_lr * (max_lr/min_lr) ** (i/(num_steps-1)))")
    checks.assert_value(got["last_lr"], float(lrs[-1]), rtol=1e-5,
                        name="learning rate left on the model's optimizer (set it before each train_on_batch)")
    checks.assert_tensor(got["loss"], want["loss"], expect="array", rtol=1e-4, atol=1e-5,
                         name="losses returned by train_on_batch at each step (batches taken in order)")


@pytest.mark.points(2)
def test_suggest_lr_on_scripted_curves(student, rng):
    for _ in range(3):
        n = int(rng.integers(15, 40))
        lrs = np.geomspace(1e-5, 1.0, n)
        loss = 2.0 - np.sin(np.linspace(0, 3.0, n)) + 0.01 * rng.normal(size=n)
        loss[-1] = float("nan") if rng.random() < 0.5 else 50.0
        got = student.call("suggest_lr", lrs, loss)
        masked = np.where(np.isfinite(loss), loss, np.inf)
        checks.assert_value(float(got), float(lrs[int(np.argmin(masked))] / 10), rtol=1e-9,
                            name="suggest_lr (learning rate of the smallest finite loss, divided by 10)")
