"""Hidden tests for A05 Q5: streaming ingestion from a loopback TCP server with bounded memory and error recovery.

The probe starts a one-connection server thread on 127.0.0.1 inside the worker; it cuts the stream
into random chunks (lines split anywhere), as TCP may. The consumer is deliberately slow, and the
probe counts how many records the source had handed out beyond what the consumer had received. The resumable
server breaks, resets, stalls and refuses connections on a script the judge draws; the time bound is the judge's clock.
"""

import time

import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")


@pytest.mark.points(3)
def test_socket_records_reassemble_lines_in_order(student, reference, rng):
    seed, count = int(rng.integers(10**6)), int(rng.integers(300, 500))
    got = student.probe("socket_probe", seed, count)
    want = reference.probe("socket_probe", seed, count)
    assert got["server_error"] is None, f"the server saw an error: {got['server_error']} (read until it closes)"
    checks.assert_value(len(got["seqs"]), count, name="number of records from socket_records (a recv may hold "
                                                      "half a line or several lines: buffer and cut at newlines)")
    checks.assert_value(got["seqs"], want["seqs"], name="record sequence numbers, in stream order")
    checks.assert_tensor(got["values"], want["values"], expect="array", rtol=1e-9, atol=0, name="record values")


@pytest.mark.points(3)
def test_stream_batches_deliver_everything_in_order(student, reference, rng):
    seed, count, batch = int(rng.integers(10**6)), int(rng.integers(200, 400)), int(rng.integers(5, 12))
    got = student.probe("stream_probe", seed, count, batch, 2)
    want = reference.probe("stream_probe", seed, count, batch, 2)
    checks.assert_value(got["spec"], want["spec"], name="stream_batches element_spec ([shape, dtype])")
    checks.assert_value(got["batch_sizes"], want["batch_sizes"], name=f"batch sizes (batch_size={batch}, last "
                                                                      "batch kept)")
    checks.assert_value(got["seqs"], list(range(count)), name="sequence numbers received (none lost, none "
                                                              "repeated, in order)")
    checks.assert_tensor(got["values"], want["values"], expect="array", rtol=1e-6, atol=1e-6, name="values")


@pytest.mark.points(4)
@pytest.mark.parametrize("buffer_batches", [1, 3])
def test_stream_memory_stays_bounded(student, rng, buffer_batches):
    seed, count, batch = int(rng.integers(10**6)), 480, int(rng.integers(6, 10))
    got = student.probe("stream_probe", seed, count, batch, buffer_batches)
    checks.assert_value(got["seqs"], list(range(count)), name="sequence numbers received")
    bound = (buffer_batches + 2) * batch
    assert got["max_lead"] <= bound, (
        f"with batch_size={batch} and buffer_batches={buffer_batches} the pipeline ran {got['max_lead']} records "
        f"ahead of a slow consumer (at most {bound} allowed): read the source lazily with from_generator and "
        "prefetch a fixed number of batches (no list(source()), no large shuffle buffer, no AUTOTUNE buffer)")


STALL_S = 8.0  # a stalled connection stays silent this long; the reference's whole run takes 1.5 s


def _line_breaks(rng):
    """Faults for the first connections: two breaks inside the stream, a reset, a stall, a refusal; then none."""
    kinds = ["drop", "reset", "stall", "drop"]
    faults = [[k, [kind, int(rng.integers(40, 900))]] for k, kind in enumerate(rng.permutation(kinds))]
    faults.insert(int(rng.integers(1, len(faults))), [None, ["refuse"]])
    return [[k, fault] for k, (_, fault) in enumerate(faults)]


@pytest.mark.points(3)
def test_resilient_records_resume_exactly_once_within_the_latency_bound(student, reference, rng):
    seed, count = int(rng.integers(10**6)), int(rng.integers(150, 250))
    args = (seed, count, _line_breaks(rng), STALL_S, 0.5, 3)
    started = time.monotonic()
    got = student.probe("resilient_probe", *args)
    elapsed = time.monotonic() - started
    want = reference.probe("resilient_probe", *args)
    assert got["raised"] is None, f"resilient_records raised {got['raised']} on a stream it can finish"
    checks.assert_value(got["seqs"], list(range(count)), name="sequence numbers across five broken connections "
                                                              "(none lost, none repeated, in order)")
    checks.assert_tensor(got["values"], want["values"], expect="array", rtol=1e-9, atol=0, name="record values")
    checks.assert_value(got["requests"], want["requests"],
                        name="the requests the server read, one per connection (FROM the first record not yet "
                             "received in full: a partial line is dropped and asked for again)")
    assert elapsed < STALL_S, (
        f"resilient_records took {elapsed:.1f} s: a stalled connection stayed silent for {STALL_S:g} s and was "
        "waited out; give every recv a timeout of timeout_s and reconnect")


@pytest.mark.points(2)
def test_resilient_records_give_up_after_max_retries(student, rng):
    seed, retries, progress = int(rng.integers(10**6)), int(rng.integers(1, 5)), int(rng.integers(100, 400))
    got = student.probe("resilient_probe", seed, 100, [[0, ["drop", progress]]], STALL_S, 0.5, retries, ["refuse"])
    assert got["raised"] == "ConnectionError", (
        f"when every reconnection is refused resilient_records should raise ConnectionError, it "
        f"{'raised ' + got['raised'] if got['raised'] else 'ended quietly'}")
    received = len(got["seqs"])
    checks.assert_value(got["seqs"], list(range(received)), name="records before the server went away")
    checks.assert_value(got["requests"], ["FROM 0"] + [f"FROM {received}"] * (retries + 1),
                        name=f"connections the server saw with max_retries={retries} (one that made progress, then "
                             "max_retries + 1 in a row without progress)")
