# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, Interpreter, ... come from the reference setup cell)
# The lowest frequency that meets the deadline is taken as the cheapest (the course text's 'lower frequency saves
# power'), ignoring the leakage paid for running longer.
# %% [q5]
def operating_point_cost(macs: float, point: dict, c_eff: float, macs_per_cycle: float) -> dict:
    """The documented energy model of one inference at one DVFS operating point.

    ``point = {"f_hz": ..., "v": ..., "p_leak_w": ...}``. Latency ``t = macs / (macs_per_cycle * f_hz)``
    seconds; energy ``E = c_eff * macs * v**2 + p_leak_w * t`` joules (dynamic plus leakage while busy).
    Returns ``{"latency_s": t, "energy_j": E}``.
    """
    t = macs / (macs_per_cycle * point["f_hz"])
    return {"latency_s": float(t), "energy_j": float(c_eff * macs * point["v"] ** 2 + point["p_leak_w"] * t)}


def choose_operating_point(macs: float, deadline_s: float, table: list, c_eff: float, macs_per_cycle: float) -> int:
    """Index of the cheapest operating point that meets the deadline.

    The point of ``table`` with the least energy whose latency meets ``deadline_s`` (``<=``); ties go to the
    lower index. ``ValueError`` when no point meets the deadline.
    """
    best = None
    for i, point in enumerate(table):
        cost = operating_point_cost(macs, point, c_eff, macs_per_cycle)
        if cost["latency_s"] <= deadline_s and (best is None or point["f_hz"] < best[1]):
            best = (i, point["f_hz"])
    if best is None:
        raise ValueError("no operating point meets the deadline")
    return best[0]


def duty_cycle_plan(period_s: float, active_s: float, active_energy_j: float, sleep_states: list) -> dict:
    """Choose the sleep state between two periodic inferences.

    Each period: ``active_s`` seconds awake (``active_energy_j``), then ``idle = period_s - active_s``
    seconds asleep in one state ``{"name", "p_w", "wake_s", "wake_j"}``: it costs ``p_w * (idle -
    wake_s) + wake_j`` and is usable only when ``wake_s <= idle``. Pick the usable state with the least
    energy per period (ties: first in the list). Returns ``{"state": name, "energy_per_period_j": float,
    "average_power_w": float}``. ``ValueError`` when ``active_s > period_s`` or no state is usable.
    """
    idle = period_s - active_s
    if idle < 0:
        raise ValueError("the inference does not fit in the period")
    best = None
    for state in sleep_states:
        if state["wake_s"] > idle:
            continue
        energy = active_energy_j + state["p_w"] * (idle - state["wake_s"]) + state["wake_j"]
        if best is None or energy < best[1]:
            best = (state["name"], energy)
    if best is None:
        raise ValueError("no sleep state can wake up in time")
    return {"state": best[0], "energy_per_period_j": float(best[1]), "average_power_w": float(best[1] / period_s)}


def infer_with_exits(stage1, stage2, x, threshold: float, macs=(1.0, 1.0)) -> dict:
    """Early-exit inference over two stages.

    ``stage1(x) -> (features, probs1)`` runs on every row; a row whose ``max(probs1) >= threshold`` exits
    there with ``argmax(probs1)``. ``stage2(features_of_remaining_rows) -> probs2`` runs **once, only on
    the rows that did not exit** (not at all when every row exits); they take ``argmax(probs2)``.
    ``macs = (m1, m2)``: MACs per row of each stage.

    Returns ``{"preds": int64 array (n,), "exit_ids": int64 array (n,) of 0 (early) or 1 (late),
    "macs": n * m1 + late_rows * m2, "saved_fraction": 1 - macs / (n * (m1 + m2))}``.
    """
    features, probs1 = stage1(np.asarray(x, np.float32))
    probs1 = np.asarray(probs1)
    early = probs1.max(axis=1) >= threshold
    preds = probs1.argmax(axis=1).astype(np.int64)
    exit_ids = np.where(early, 0, 1).astype(np.int64)
    late = np.flatnonzero(~early)
    if len(late):
        probs2 = np.asarray(stage2(np.asarray(features)[late]))
        preds[late] = probs2.argmax(axis=1)
    n = len(preds)
    total = n * macs[0] + len(late) * macs[1]
    return {"preds": preds, "exit_ids": exit_ids, "macs": float(total),
            "saved_fraction": float(1.0 - total / (n * (macs[0] + macs[1])))}


def exit_threshold(battery_level: float, low: float = 0.6, high: float = 0.95) -> float:
    """Battery-aware confidence threshold for early exit.

    ``high`` at full battery, ``low`` when empty, linear in between (``battery_level`` clipped to
    ``[0, 1]``): a draining device exits earlier.
    """
    level = min(max(float(battery_level), 0.0), 1.0)
    return float(low + (high - low) * level)
