"""Hidden tests for A27 Q2: a TFLite frame pipeline over a ring buffer, with backpressure and latency percentiles.

The judge writes the producer/consumer script (a producer twice as fast as the consumer, a scripted clock with
jitter), simulates the ring buffer itself to know which frames must come out, in which order and with which
latency, and computes every output row from the model's weights with NumPy. The probe's interpreter class counts
allocations.
"""

import collections

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

FEATURES = 5


def _weights(rng):
    return [rng.normal(0, 0.6, (FEATURES, 12)).astype(np.float32), rng.normal(0, 0.1, 12).astype(np.float32),
            rng.normal(0, 0.6, (12, 3)).astype(np.float32), rng.normal(0, 0.1, 3).astype(np.float32)]


def forward(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    return (np.maximum(x @ w1 + b1, 0) @ w2 + b2).astype(np.float32)


def simulate(capacity, policy, script):
    """The judge's ring buffer: accepted flags, (seq, frame) out in order, latencies (ms), drops, rejections."""
    queue, seq, now = collections.deque(), 0, 100.0
    pushed, out, latencies, dropped, rejected = [], [], [], 0, 0
    for op, arg in script:
        if op == "push":
            if len(queue) == capacity:
                if policy == "block":
                    rejected += 1
                    pushed.append(False)
                    continue
                queue.popleft()
                dropped += 1
            queue.append((seq, arg, now))
            seq += 1
            pushed.append(True)
        elif op == "step":
            for _ in range(min(arg, len(queue))):
                s, frame, stamp = queue.popleft()
                out.append((s, frame))
                latencies.append((now - stamp) * 1000.0)
        else:
            now += arg
    return pushed, out, latencies, dropped, rejected


def producer_script(rng, frames, burst=2):
    """Each tick pushes ``burst`` frames and steps once; jittered ticks; a final drain."""
    script, i = [], 0
    while i < frames:
        for _ in range(burst):
            if i < frames:
                script.append(["push", i])
                i += 1
                script.append(["tick", float(rng.uniform(0.0002, 0.0008))])
        script.append(["step", 1])
        script.append(["tick", float(rng.uniform(0.002, 0.006))])
    script += [["step", 1], ["tick", 0.004]] * 12
    return script


def _run(student, reference, rng, policy, capacity=4, frames=40):
    weights = _weights(rng)
    model = reference.probe("mlp_tflite", weights)
    x = rng.normal(size=(frames, FEATURES)).astype(np.float32)
    script = producer_script(rng, frames)
    got = student.probe("pipeline_run", model, capacity, policy, x, script)
    pushed, out, latencies, dropped, rejected = simulate(capacity, policy, script)
    return got, {"pushed": pushed, "out": out, "latencies": latencies, "dropped": dropped, "rejected": rejected,
                 "x": x, "weights": weights}


def _check_frames(got, want, policy):
    checks.assert_value(got["pushed"], want["pushed"],
                        name=f"push() results under the '{policy}' policy with a producer twice as fast")
    seqs = [s for s, _ in want["out"]]
    checks.assert_value(got["seqs"], seqs, name=f"sequence numbers returned by step() under '{policy}', in order "
                                                "(every accepted frame exactly once, oldest first)")
    frames = [f for _, f in want["out"]]
    checks.assert_tensor(np.asarray(got["outputs"]), forward(want["weights"], want["x"][frames]), expect="array",
                         rtol=1e-4, atol=1e-5, name="output rows of the processed frames vs the model")


@pytest.mark.points(3)
def test_drop_oldest_keeps_the_newest_frames(student, reference, rng):
    got, want = _run(student, reference, rng, "drop_oldest")
    _check_frames(got, want, "drop_oldest")
    stats = got["stats"]
    assert isinstance(stats, dict), f"stats() should return a dict, got {type(stats).__name__}"
    checks.assert_value({k: stats.get(k) for k in ("processed", "dropped", "rejected")},
                        {"processed": len(want["out"]), "dropped": want["dropped"], "rejected": 0},
                        name="stats() counts under 'drop_oldest'")


@pytest.mark.points(3)
def test_block_loses_nothing_it_accepted(student, reference, rng):
    got, want = _run(student, reference, rng, "block", capacity=3)
    assert want["rejected"] > 0, "test script error: the producer never filled the buffer"
    _check_frames(got, want, "block")
    stats = got["stats"]
    assert isinstance(stats, dict), f"stats() should return a dict, got {type(stats).__name__}"
    checks.assert_value({k: stats.get(k) for k in ("processed", "dropped", "rejected")},
                        {"processed": len(want["out"]), "dropped": 0, "rejected": want["rejected"]},
                        name="stats() counts under 'block'")


@pytest.mark.points(2)
def test_latency_percentiles_under_the_scripted_clock(student, reference, rng):
    got, want = _run(student, reference, rng, "drop_oldest", capacity=5, frames=30)
    _check_frames(got, want, "drop_oldest")
    lat = np.asarray(want["latencies"])
    checks.assert_value({"p50_ms": got["stats"].get("p50_ms"), "p99_ms": got["stats"].get("p99_ms")},
                        {"p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99))},
                        rtol=1e-7, atol=1e-9,
                        name="latency percentiles (ms, from push to the frame's result, read with the given clock)")


@pytest.mark.points(2)
def test_interpreter_is_allocated_once(student, reference, rng):
    got, want = _run(student, reference, rng, "drop_oldest", frames=24)
    _check_frames(got, want, "drop_oldest")
    checks.assert_value(got["counts"], {"constructed": 1, "allocate": 1},
                        name="Interpreter constructions and allocate_tensors() calls over 24 frames (build and "
                             "allocate once in __init__, with the setup's Interpreter; never per frame)")
    idle = student.probe("pipeline_run", reference.probe("mlp_tflite", want["weights"]), 3, "block", want["x"], [])
    checks.assert_value(idle["stats"], {"processed": 0, "dropped": 0, "rejected": 0, "p50_ms": 0.0, "p99_ms": 0.0},
                        name="stats() of a pipeline that has processed nothing yet")
    checks.assert_raises(student.probe, "pipeline_run", reference.probe("mlp_tflite", want["weights"]), 3, "fifo",
                         want["x"], [], exc_type="ValueError")
