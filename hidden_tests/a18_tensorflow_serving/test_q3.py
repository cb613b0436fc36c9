"""Hidden tests for A18 Q3: a dynamic batcher with TF Serving's BatchingParameters semantics.

The probes hand the student's ``DynamicBatcher`` a model function of the course's own that records every batch it
is given, drive it with concurrent clients, and return every result; the judge checks each result against the
function's formula on that client's own rows. Throughput is timed by the judge around two probe calls in the same
run: 32 concurrent clients through the student's batcher against the same clients calling the model one request at a
time, with the outputs of both compared. The baseline runs in the reference worker (course code and probes only), so
nothing the student's cells change in their own process (a patched ``tf.constant``, a lock around single rows) can
slow it down.

Calibration of ``min_batching_speedup`` (reference notebook, 256 one-row requests from 32 threads, MLP
64-1024-1024-10, max_batch_size 32, timeout 2 ms; machine load 2-4 from other sessions): ratios 3.7-5.7 in-process;
see the manifest for the sandboxed figures. A batcher that runs every request alone (or holds its lock while the
model runs, serialising the clients) gets about 1x.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def session(student, requests, **options):
    out = student.probe("batcher_session", requests, threads=len(requests), **options)
    return out


def check_results(out, requests, max_batch_size):
    results = out["results"]
    total = 0
    for c, sizes in enumerate(requests):
        for j, rows in enumerate(sizes):
            entry = results.get(f"{c}/{j}")
            assert entry is not None and "error" not in entry, (
                f"request {j} of client {c} ({rows} rows) failed: {entry and entry.get('error')}: "
                f"{entry and entry.get('message')}")
            checks.assert_tensor(entry["y"], 2 * np.asarray(entry["x"]) + 1, expect="any", rtol=0, atol=0,
                                 name=f"the result of request {j} of client {c} (its own rows, in order)")
            total += rows
    sizes = [n for n, _t in out["batches"]]
    assert sum(sizes) == total, (
        f"the model saw {sum(sizes)} rows in all for {total} submitted rows: every row runs exactly once")
    assert max(sizes) <= max_batch_size, (
        f"a batch of {max(sizes)} rows ran; batches may not exceed max_batch_size={max_batch_size}")
    return sizes


@pytest.mark.points(3)
def test_every_caller_gets_its_own_rows_in_merged_batches(student, rng):
    requests = [[int(r) for r in rng.integers(1, 4, 5)] for _ in range(12)]
    out = session(student, requests, max_batch_size=8, batch_timeout_micros=20000)
    sizes = check_results(out, requests, 8)
    n_requests = sum(len(r) for r in requests)
    assert len(sizes) <= n_requests * 0.6, (
        f"{n_requests} concurrent requests ran in {len(sizes)} model calls: requests that wait together should "
        "be merged into one batch")


@pytest.mark.points(1)
def test_close_joins_the_batch_threads(student, rng):
    requests = [[1, 2], [2, 1], [3]]
    out = session(student, requests, max_batch_size=4, batch_timeout_micros=1000, num_batch_threads=2)
    check_results(out, requests, 4)
    assert out["threads_left"] == [], (
        f"after close() these threads are still alive: {out['threads_left']}; close() should stop and join them")


@pytest.mark.points(2)
def test_a_lone_request_waits_for_the_timeout_and_a_full_batch_does_not(student):
    out = session(student, [[1]], max_batch_size=8, batch_timeout_micros=150000)
    check_results(out, [[1]], 8)
    latency = out["results"]["0/0"]["latency"]
    assert 0.14 <= latency < 2.0, (
        f"a lone 1-row request was answered after {latency * 1e3:.0f} ms with batch_timeout_micros=150000: it "
        "should wait for more requests until the timeout (150 ms), then run")
    out = session(student, [[4]], max_batch_size=4, batch_timeout_micros=2000000)
    check_results(out, [[4]], 4)
    latency = out["results"]["0/0"]["latency"]
    assert latency < 1.0, (
        f"a request that fills a batch (4 of max_batch_size=4 rows) waited {latency:.2f} s with a 2 s timeout: a "
        "full batch runs at once")
    out = student.probe("batcher_fill", 4, 2000000, 1)
    checks.assert_tensor(out["outputs"][1], 3 * (np.arange(3.0)[:, None] + 100), expect="any", rtol=0, atol=0,
                         name="the result of the request that filled the batch")
    assert out["elapsed"] < 1.0, (
        f"a 1-row request waited, then a 3-row request filled the batch (max_batch_size=4, 2 s timeout), and the "
        f"batch ran {out['elapsed']:.2f} s later: wake the batch thread when the queue reaches a full batch")


@pytest.mark.points(1)
def test_requests_outside_one_to_max_batch_size_rows_are_rejected(student, rng):
    x = rng.normal(size=(3, 2))
    checks.assert_tensor(student.probe("batcher_echo", x, 4), x + 1, expect="any", rtol=0, atol=0,
                         name="a 3-row request through a batcher with max_batch_size=4")
    checks.assert_raises(student.probe, "batcher_echo", rng.normal(size=(5, 2)), 4, exc_type="ValueError")
    checks.assert_raises(student.probe, "batcher_echo", np.zeros((0, 2)), 4, exc_type="ValueError")  # 1 row at least
    for params in ({"max_batch_size": 0}, {"num_batch_threads": 0}, {"max_enqueued_batches": 0},
                   {"batch_timeout_micros": -1}):
        try:
            checks.assert_raises(student.probe, "batcher_rejects", **params, exc_type="ValueError")
        except checks.CheckFailed as failure:
            raise checks.CheckFailed(f"DynamicBatcher(fn, {params}): {failure}") from None


@pytest.mark.points(2)
def test_a_full_queue_fails_new_requests_at_once(student):
    out = student.probe("batcher_backpressure", 2, 2, 10)
    outcome, failed = out["outcome"], out["failed_early"]
    for i in range(4):
        assert outcome[i] == float(i), (
            f"request {i} of 10 (the queue holds max_enqueued_batches * max_batch_size = 4 rows) should succeed "
            f"once the model is released; got {outcome[i]}")
    for i, value in enumerate(outcome):
        assert value in (float(i), "RuntimeError"), (
            f"request {i} gave {value}: a request either gets its own result or fails with RuntimeError")
    rejected = [i for i, v in enumerate(outcome) if v == "RuntimeError"]
    assert len(rejected) >= 4, (
        f"with the model blocked, only {len(rejected)} of 10 one-row requests were refused; at most 4 queued rows "
        "plus the batch in progress fit, so at least 4 must fail")
    assert rejected == failed, (
        "a refused request's future should fail at once (before the model is released), not after waiting")


@pytest.mark.points(3)
def test_batching_beats_unbatched_serving(student, reference, rng, thresholds):
    seed = int(rng.integers(1 << 30))

    def make_args(r):
        return [seed, r.normal(size=(256, 64)).astype(np.float32)]

    checks.assert_speed({"your DynamicBatcher (32 clients)": (student, "probes.batched_load"),
                         "unbatched serving (32 clients)": (reference, "probes.unbatched_load")},
                        make_args, rng, fast="your DynamicBatcher (32 clients)",
                        slow="unbatched serving (32 clients)", min_ratio=thresholds["min_batching_speedup"],
                        trials=3, calls=1, warmup=1)
