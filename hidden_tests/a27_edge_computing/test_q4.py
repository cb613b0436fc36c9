"""Hidden tests for A27 Q4: a SQLite outbox with exactly-once effects across dropped links, lost acknowledgements,
reopened databases and a killed process; Lamport clocks and a last-writer-wins merge.

The servers are the probe's: one drops connections or loses acknowledgements at the calls the judge scripts and
logs every delivery; the durable one appends its log to the scratch folder, so the judge can read what it received
after the worker that ran the sync was killed. The judge computes the exact sequence of calls an at-least-once
client with stable request ids must make.
"""

import json

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _records(rng, n):
    return [[f"sensor-{int(k)}", {"reading": round(float(v), 4), "n": i}]
            for i, (k, v) in enumerate(zip(rng.integers(0, 5, n), rng.normal(20, 3, n), strict=True))]


def expected_calls(ids, records, faults, device_id="dev-a"):
    """The calls a correct client makes: oldest pending first, the same request again after any fault."""
    calls, position, index = [], 0, 0
    while position < len(ids):
        key, value = records[position]
        calls.append([ids[position], key, json.dumps(value, sort_keys=True), position + 1, device_id])
        if faults.get(index) is None:
            position += 1
        index += 1
    return calls


@pytest.mark.points(2)
def test_outbox_persists_and_syncs_in_order(student, rng):
    records = _records(rng, 7)
    got = student.probe("outbox_session", records, [], reopen_between=True)
    ids = got["ids"]
    assert len(set(ids)) == len(ids) == len(records), f"record() should return a fresh request id each time: {ids}"
    assert got["pending_before"] == len(records), (
        f"a reopened outbox reports {got['pending_before']} pending changes, {len(records)} were recorded: commit "
        "each record to the SQLite file")
    checks.assert_value(got["calls"], expected_calls(ids, records, {}),
                        name="server.apply calls [request_id, key, value (JSON), lamport, device_id] of one sync")
    assert got["pending_after"] == 0, f"{got['pending_after']} changes are still pending after a complete sync"


@pytest.mark.points(3)
def test_faults_are_retried_with_the_same_request_id(student, rng):
    records = _records(rng, 10)
    positions = sorted(rng.choice(np.arange(14), 6, replace=False).tolist())
    faults = {int(p): str(rng.choice(["drop", "lost_ack"])) for p in positions}
    faults[int(positions[0])], faults[int(positions[1])] = "drop", "lost_ack"
    got = student.probe("outbox_session", records, [[k, v] for k, v in faults.items()], reopen_between=True,
                        syncs=12)
    ids = got["ids"]
    want = expected_calls(ids, records, faults)
    checks.assert_value(got["calls"], want,
                        name="server.apply calls when the link drops and acknowledgements are lost (stop the sync "
                             "at a ConnectionError; resend the same request next time; acknowledge only after "
                             "apply returns)")
    checks.assert_value(got["order"], ids, name="the order in which changes took effect on the server")
    assert got["pending_after"] == 0, f"{got['pending_after']} changes are still pending after the retries"
    checks.assert_value(got["results"], expected_results(len(records), faults),
                        name="what each sync() returned ({'sent': acknowledged in that call, 'pending', 'complete'})")


def expected_results(n, faults):
    """Each sync stops at its first fault; ``sent`` counts the calls of that sync that returned."""
    results, index, done = [], 0, 0
    while done < n:
        sent = 0
        while done < n:
            fault = faults.get(index)
            index += 1
            if fault is not None:
                break
            sent += 1
            done += 1
        results.append({"sent": sent, "pending": n - done, "complete": done == n})
    return results


@pytest.mark.points(3)
def test_killed_sync_resumes_exactly_once(student, rng):
    seed = int(rng.integers(0, 2**20))
    folder = f"{student.scratch}/outbox-{seed}"
    student.harness("open_folder", folder)
    records = _records(rng, 24)
    ids = student.probe("record_into", f"{folder}/outbox.db", records)
    server = student.probe("durable_server", folder, 0.03)
    killed = student.interrupt("sync_outbox", f"{folder}/outbox.db", "dev-k", server,
                               when=lambda: student.scratch_exists(f"outbox-{seed}/delivered-8"))
    assert killed, "sync_outbox finished before the judge could interrupt it (it should send one change per call)"
    before = len(student.probe("server_log", folder))
    assert 8 <= before < len(records), f"the server had {before} deliveries when the worker was killed"
    server = student.probe("durable_server", folder, 0.0)
    result = student.call("sync_outbox", f"{folder}/outbox.db", "dev-k", server)
    log = student.probe("server_log", folder)
    checks.assert_value(result, {"sent": len(log) - before, "pending": 0, "complete": True},
                        name="sync_outbox's result after the restart (the last sync's {'sent', 'pending', 'complete'})")
    seen = []
    for entry in log:
        if entry[0] not in seen:
            seen.append(entry[0])
    checks.assert_value(seen, ids, name="distinct request ids the server received, in order, across the kill")
    for entry in log:
        n = ids.index(entry[0])
        assert entry[1:3] == [records[n][0], json.dumps(records[n][1], sort_keys=True)] and entry[3] == n + 1, (
            f"request {entry[0]} was delivered with {entry[1:]}; it was recorded as {records[n]} with Lamport "
            f"time {n + 1}")
    assert len(log) <= len(ids) + 1, (
        f"the server received {len(log)} deliveries for {len(ids)} changes: after the restart only the change in "
        "flight at the kill may be sent again (acknowledge each change in the database as soon as apply returns)")


def merge(changes):
    best = {}
    for c in changes:
        stamp = (c["lamport"], c["device_id"])
        if c["key"] not in best or stamp > best[c["key"]][0]:
            best[c["key"]] = (stamp, c["value"])
    return {k: v for k, (_, v) in best.items()}


@pytest.mark.points(1)
def test_lww_merge_converges_in_any_order(student, rng):
    changes, stamps = [], set()
    while len(changes) < 16:  # one device stamps one Lamport time once: (key, lamport, device_id) never repeats
        change = {"key": f"k{int(rng.integers(0, 4))}", "value": int(rng.integers(0, 1000)),
                  "lamport": int(rng.integers(1, 10)), "device_id": str(rng.choice(["dev-a", "dev-b", "dev-c"]))}
        if (change["lamport"], change["device_id"]) not in stamps:
            stamps.add((change["lamport"], change["device_id"]))
            changes.append(change)
    want = merge(changes)
    for _ in range(3):
        order = rng.permutation(len(changes)).tolist()
        shuffled = [changes[i] for i in order] + [changes[order[0]]]
        checks.assert_value(student.call("merge_lww", shuffled), want,
                            name="merge_lww of the same changes delivered in another order (with a duplicate)")


@pytest.mark.points(1)
def test_lamport_clock_merges_received_time(student, rng):
    steps, clock, want = [], 0, []
    # records; a received time ahead of the local clock; records; a received time behind it (the clock must not go
    # back); records
    plan = ["record"] * int(rng.integers(1, 4)) + ["ahead"] + ["record"] * int(rng.integers(1, 4)) + ["behind"]
    for op in [*plan, "record", "record"]:
        if op == "record":
            steps.append(["record", f"k{len(steps)}"])
            clock += 1
            want.append(clock)
        else:
            stamp = clock + int(rng.integers(3, 12)) if op == "ahead" else int(rng.integers(0, clock))
            steps.append(["receive", stamp])
            clock = max(clock, stamp)
    checks.assert_value(student.probe("lamport_session", steps), want,
                        name=f"Lamport stamps of the recorded changes after the steps {steps}")
