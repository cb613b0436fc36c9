"""Hidden tests for A27 Q5: decisions under the documented energy model (DVFS, duty cycling, early exit).

Nothing is measured with a power meter: the judge recomputes the model's energies and brute-forces every choice.
The early-exit stages are the probe's NumPy functions, which count the rows they are given.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")


def cost(macs, point, c_eff, mpc):
    t = macs / (mpc * point["f_hz"])
    return {"latency_s": t, "energy_j": c_eff * macs * point["v"] ** 2 + point["p_leak_w"] * t}


def random_table(rng, n=6):
    f = np.sort(rng.uniform(1e8, 2e9, n))
    v = np.sort(rng.uniform(0.6, 1.2, n))
    leak = rng.uniform(0.01, 0.6)
    return [{"f_hz": float(a), "v": float(b), "p_leak_w": float(leak * b)} for a, b in zip(f, v, strict=True)]


@pytest.mark.points(2)
def test_operating_point_cost_follows_the_model(student, rng):
    for _ in range(4):
        point = random_table(rng, 1)[0]
        macs, c_eff, mpc = float(rng.uniform(1e6, 1e9)), float(rng.uniform(1e-11, 1e-9)), float(rng.choice([1, 2, 4]))
        checks.assert_value(student.call("operating_point_cost", macs, point, c_eff, mpc),
                            cost(macs, point, c_eff, mpc), rtol=1e-9,
                            name="operating_point_cost (t = macs / (macs_per_cycle * f), E = c_eff * macs * v^2 + "
                                 "p_leak * t)")


@pytest.mark.points(2)
def test_choice_equals_brute_force_and_meets_the_deadline(student, rng):
    leaky_fast = 0
    for _ in range(8):
        table = random_table(rng)
        macs, c_eff, mpc = float(rng.uniform(1e7, 1e9)), float(rng.uniform(1e-11, 1e-9)), 2.0
        latencies = [cost(macs, p, c_eff, mpc)["latency_s"] for p in table]
        deadline = float(rng.uniform(min(latencies), max(latencies) * 1.2))
        energies = [cost(macs, p, c_eff, mpc)["energy_j"] if cost(macs, p, c_eff, mpc)["latency_s"] <= deadline
                    else np.inf for p in table]
        want = int(np.argmin(energies))
        leaky_fast += want != min(i for i, e in enumerate(energies) if np.isfinite(e))
        checks.assert_value(student.call("choose_operating_point", macs, deadline, table, c_eff, mpc), want,
                            name="index of the cheapest operating point that meets the deadline")
    table = random_table(rng)
    fastest = min(cost(1e9, p, 1e-10, 2.0)["latency_s"] for p in table)
    checks.assert_raises(student.call, "choose_operating_point", 1e9, fastest * 0.9, table, 1e-10, 2.0,
                         exc_type="ValueError")


def duty(period, active, energy, states):
    idle = period - active
    best = None
    for s in states:
        if s["wake_s"] <= idle:
            e = energy + s["p_w"] * (idle - s["wake_s"]) + s["wake_j"]
            if best is None or e < best[1]:
                best = (s["name"], e)
    return {"state": best[0], "energy_per_period_j": best[1], "average_power_w": best[1] / period}


@pytest.mark.points(2)
def test_duty_cycle_plan_is_the_cheapest_usable_state(student, rng):
    states = [{"name": "idle", "p_w": 0.05, "wake_s": 0.0, "wake_j": 0.0},
              {"name": "light", "p_w": float(rng.uniform(0.005, 0.02)), "wake_s": 0.002, "wake_j": 2e-4},
              {"name": "deep", "p_w": float(rng.uniform(1e-4, 1e-3)), "wake_s": 0.05, "wake_j": 5e-3},
              {"name": "off", "p_w": 1e-6, "wake_s": 1.5, "wake_j": 0.05}]
    for period in (0.01, 0.06, 0.3, 2.0, 30.0):
        active = float(rng.uniform(0.001, 0.004))
        energy = float(rng.uniform(1e-3, 5e-3))
        checks.assert_value(student.call("duty_cycle_plan", period, active, energy, states),
                            duty(period, active, energy, states), rtol=1e-9,
                            name=f"duty_cycle_plan for a period of {period} s")
    checks.assert_raises(student.call, "duty_cycle_plan", 0.01, 0.02, 1e-3, states, exc_type="ValueError")
    checks.assert_raises(student.call, "duty_cycle_plan", 0.01, 0.005, 1e-3, states[2:], exc_type="ValueError")


def _stages(rng):
    w1 = [rng.normal(0, 0.8, (8, 12)), rng.normal(0, 0.2, 12), rng.normal(0, 1.2, (12, 4)), rng.normal(0, 0.2, 4)]
    w2 = [rng.normal(0, 0.8, (12, 10)), rng.normal(0, 0.2, 10), rng.normal(0, 1.0, (10, 4)), rng.normal(0, 0.2, 4)]
    return [w.astype(np.float32) for w in w1], [w.astype(np.float32) for w in w2]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.points(3)
def test_early_exit_runs_the_late_stage_only_where_needed(student, rng):
    w1, w2 = _stages(rng)
    x = rng.normal(size=(40, 8)).astype(np.float32)
    h = np.maximum(x.astype(np.float64) @ w1[0] + w1[1], 0).astype(np.float32).astype(np.float64)
    p1 = _softmax(h @ w1[2] + w1[3]).astype(np.float32)
    p2 = _softmax(np.maximum(h @ w2[0] + w2[1], 0) @ w2[2] + w2[3])
    macs = (float(rng.integers(100, 1000)), float(rng.integers(1000, 5000)))
    for threshold in (float(np.quantile(p1.max(axis=1), 0.4)), 0.0, 1.01):
        early = p1.max(axis=1) >= threshold
        preds = np.where(early, p1.argmax(axis=1), p2.argmax(axis=1))
        total = len(x) * macs[0] + (~early).sum() * macs[1]
        got = student.probe("early_exit_run", w1, w2, x, threshold, macs)
        result = got["result"]
        assert isinstance(result, dict), f"infer_with_exits should return a dict, got {type(result).__name__}"
        checks.assert_tensor(result.get("exit_ids"), np.where(early, 0, 1).astype(np.int64), expect="array",
                             dtype="int64", atol=0, name=f"exit_ids at threshold {threshold:.3f}")
        checks.assert_tensor(result.get("preds"), preds.astype(np.int64), expect="array", dtype="int64", atol=0,
                             name=f"preds at threshold {threshold:.3f}")
        checks.assert_value({"macs": result.get("macs"), "saved_fraction": result.get("saved_fraction")},
                            {"macs": float(total), "saved_fraction": float(1 - total / (len(x) * sum(macs)))},
                            rtol=1e-9, name=f"MACs used and saved at threshold {threshold:.3f}")
        late = int((~early).sum())
        checks.assert_value(got["seen"], {"stage1": [len(x)], "stage2": [late] if late else []},
                            name=f"rows given to each stage at threshold {threshold:.3f} (stage 1 once on every "
                                 "row; stage 2 once, only on the rows that did not exit, never when none remain)")


@pytest.mark.points(1)
def test_exit_threshold_follows_the_battery(student, rng):
    levels = np.sort(rng.uniform(-0.2, 1.2, 9))
    low, high = float(rng.uniform(0.4, 0.6)), float(rng.uniform(0.9, 0.99))
    got = [student.call("exit_threshold", float(level), low=low, high=high) for level in levels]
    want = [low + (high - low) * min(max(float(level), 0.0), 1.0) for level in levels]
    checks.assert_value(got, want, rtol=1e-9, name=f"exit_threshold at battery levels {np.round(levels, 3).tolist()}")
