"""Hidden tests for A25 Q2: retrain triggers on a scripted clock and stream, reservoir replay, and incremental
training that learns a new concept without forgetting the old one (accuracy measured with labels the judge keeps)."""

import numpy as np
import pytest
import scipy.stats

from graders import checks

pytestmark = pytest.mark.question("q2")


def _rules(kwargs, events):
    every, volume, drift = kwargs.get("every_s"), kwargs.get("min_new_samples"), kwargs.get("drift_threshold")
    last, pending, out = events[0][0], 0, []
    for t, n_new, score in events:
        pending += n_new
        if drift is not None and score > drift:
            reason = "drift"
        elif volume is not None and pending >= volume:
            reason = "volume"
        elif every is not None and t - last >= every:
            reason = "schedule"
        else:
            out.append([False, ""])
            continue
        pending, last = 0, t
        out.append([True, reason])
    return out


def _events(rng, n=80):
    times = np.cumsum(rng.choice([0.5, 1.0, 2.0, 7.0], size=n))
    return [[float(t), int(rng.integers(0, 40)), float(rng.choice([0.05, 0.1, 0.2, 0.35, 0.6]))] for t in times]


@pytest.mark.points(3)
def test_trigger_rules_on_a_scripted_clock(student, rng):
    events = _events(rng)
    for kwargs in ({"every_s": 10.0}, {"min_new_samples": 100}, {"drift_threshold": 0.3},
                   {"every_s": 15.0, "min_new_samples": 150, "drift_threshold": 0.5}):
        got = student.probe("trigger_script", kwargs, events)
        want = _rules(kwargs, events)
        fired = [k for k, (f, _r) in enumerate(want) if f]
        assert fired, "internal: the script must fire"
        checks.assert_value(got, want, name=f"(fired, reason) per update of RetrainTrigger(**{kwargs})")
    exact = [[0.0, 10, 0.3], [5.0, 90, 0.1], [10.0, 0, 0.0], [20.0, 0, 0.0]]
    checks.assert_value(student.probe("trigger_script", {"every_s": 10.0, "min_new_samples": 100,
                                                         "drift_threshold": 0.3}, exact),
                        [[False, ""], [True, "volume"], [False, ""], [True, "schedule"]],
                        name="boundaries: drift is strictly above the threshold, volume and schedule are inclusive, "
                             "and a retrain resets both the sample count and the schedule")


@pytest.mark.points(2)
def test_drift_score_and_drift_triggers_on_a_stream(student, rng):
    a, b = rng.normal(size=(300, 3)), rng.normal(size=(200, 3))
    b[:, 1] += 0.4
    got = student.call("drift_score", a, b)
    want = max(scipy.stats.ks_2samp(a[:, j], b[:, j]).statistic for j in range(3))
    checks.assert_value(got, float(want), rtol=1e-12, name="drift_score (max per-column KS statistic, scipy)")
    batches, angle = [], 0.0
    for k in range(45):
        if k in (15, 30):
            angle += 1.0
        x = rng.normal(size=(150, 2))
        x[:, 0] += 2.0 * np.sin(angle)
        x[:, 1] += 2.0 * (1 - np.cos(angle))
        batches.append(x)
    out = student.probe("stream_triggers", batches, 0.3)
    fired = [k + 1 for k, (_s, f, _r) in enumerate(out) if f]
    checks.assert_value(fired, [15, 30], name="batches where the drift trigger fired (drift at batches 15 and 30; "
                        "the reference window moves to the triggering batch)")


@pytest.mark.points(2)
def test_replay_buffer_is_a_uniform_reservoir(student):
    got = student.probe("reservoir", 400, 6000, 11, 250)
    x, y = np.asarray(got["x"]), np.asarray(got["y"])
    assert x.shape == (400,) and y.shape == (400,), "the buffer must hold exactly `capacity` examples once full"
    assert np.array_equal(x, y), "x and y must stay paired"
    checks.assert_value(got["shapes"], [[400, 1], [400], [200, 1]],
                        name="shapes of arrays() x, y and of sample(200) x (rows stacked, not concatenated)")
    assert len(set(x.tolist())) == 400 and x.min() >= 0 and x.max() < 6000, "examples must be distinct stream items"
    checks.assert_value(got["sizes"][:3], [250, 400, 400], name="len(buffer) after each batch")
    counts = np.histogram(x, bins=6, range=(0, 6000))[0]
    p = scipy.stats.chisquare(counts).pvalue
    assert p > 1e-4, ("the buffer is not a uniform sample of the whole stream (reservoir sampling keeps every item "
                      f"with probability capacity/seen); counts per sixth of the stream: {counts.tolist()}")
    sx = np.asarray(got["sample_x"])
    assert len(sx) == 200 and len(set(sx.tolist())) == 200 and set(sx.tolist()) <= set(x.tolist()), (
        "sample(n) draws n stored examples without replacement")
    assert np.array_equal(sx, np.asarray(got["sample_y"])), "sample must keep x and y paired"
    other = student.probe("reservoir", 400, 6000, 12, 250)
    assert sorted(other["x"]) != sorted(got["x"]), "the seed must drive the reservoir's random choices"
    assert not (0.0 in got["x"] and 0.0 in other["x"]), (
        "the stream's first item stays with probability 400/6000 only: every slot, slot 0 included, can be replaced")


def _concept(rng, n, side):
    x = rng.normal(size=(n, 2)).astype(np.float32)
    x[:, 0] = side * (np.abs(x[:, 0]) + 0.5)
    y = ((x[:, 1] > 0) == (side > 0)).astype(np.float32)
    return x, y


@pytest.mark.points(3)
def test_incremental_update_learns_without_forgetting(student, rng, thresholds):
    xa, ya = _concept(rng, 500, -1)
    xb, yb = _concept(rng, 500, 1)
    ea, la = _concept(rng, 600, -1)
    eb, lb = _concept(rng, 600, 1)
    got = student.probe("replay_scenario", xa, ya, xb, yb, np.concatenate([ea, eb]), 0.4, 600, 3)
    assert got["same_model"] and got["same_variables"], (
        "incremental_update must continue training the model it is given and return it (no new model)")
    assert got["fits"], "incremental_update must train with model.fit"
    assert got["weights_reset_before_fit"] == [False] * len(got["fits"]), (
        "the model's weights changed before fit: warm start means no re-initialisation")
    rows, from_a = got["fits"][0]["rows"], got["fits"][0]["from_a"]
    checks.assert_value([rows, from_a], [833, 333], name="[rows given to fit, of which replayed old examples] "
                        "with replay_ratio=0.4 and 500 new examples (round(500 * 0.4 / 0.6) replayed)")
    assert got["buffer_before"] == 500 and got["buffer_after"] == 600, (
        "the new data goes into the buffer after training")
    checks.assert_value([got["fits"][0]["epochs"], got["fits"][0]["batch_size"]], [15, 32],
                        name="[epochs, batch_size] given to model.fit")
    probs = np.asarray(got["probs"])
    assert probs.shape == (1200,) and np.all(np.isfinite(probs)), "predictions must be finite"
    acc_old = float(np.mean((probs[:600] > 0.5) == la))
    acc_new = float(np.mean((probs[600:] > 0.5) == lb))
    assert acc_new >= thresholds["min_new_accuracy"], (
        f"after the update, accuracy on the new concept is {acc_new:.3f} < {thresholds['min_new_accuracy']}")
    assert acc_old >= thresholds["min_old_accuracy"], (
        f"after the update, accuracy on the old concept fell to {acc_old:.3f} < {thresholds['min_old_accuracy']}: "
        "replayed old examples must be mixed into training")
