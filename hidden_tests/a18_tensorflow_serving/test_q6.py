"""Hidden tests for A18 Q6: Prometheus metrics scraped over HTTP, drift statistics and an alert rule.

The probe runs the student's ``instrument`` over a scripted stream with a fake clock and starts the student's
``MetricsServer``; the judge scrapes ``/metrics`` itself through ``graders.judge.loopback.forward``, parses it with
``prometheus_client.parser`` and compares every sample with its own count of the script. PSI is compared with the
judge's NumPy computation, KS with SciPy, and the alert with the judge's own replay of the stream.
"""

import math
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families
from scipy import stats

from graders import checks
from graders.judge.loopback import forward, listening

pytestmark = pytest.mark.question("q6")

BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# [model, version, duration in seconds, fails (0 no, 1 ValueError, 2 TimeoutError)]
SCRIPT = [["clf", 1, 0.003, 0], ["clf", 1, 0.02, 0], ["clf", 1, 0.2, 1], ["clf", 1, 3.0, 0],
          ["rank", 2, 0.0007, 0], ["rank", 2, 0.07, 2], ["clf", 1, 12.0, 2], ["rank", 2, 0.3, 0],
          ["clf", 1, 0.0004, 1], ["rank", 2, 0.04, 0]]

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(address, path):
    """``(status, body, content type)`` of one GET from the judge."""
    try:
        with _OPENER.open(f"http://{address}{path}", timeout=10) as response:
            return response.status, response.read().decode(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, "", ""


def expected_samples(script):
    """The judge's own count of the script: ``{(sample name, sorted labels): value}``."""
    want = {}

    def add(name, labels, value):
        key = (name, tuple(sorted(labels.items())))
        want[key] = want.get(key, 0.0) + value

    now = 1000.0
    for model, version, duration, fails in script:
        before = now
        now += duration
        elapsed = now - before
        status = "error" if fails else "ok"
        add("serving_requests_total", {"model": model, "version": str(version), "status": status}, 1)
        if fails:
            add("serving_errors_total", {"model": model, "error_type": "TimeoutError" if fails == 2 else "ValueError"},
                1)
        for le in (*BUCKETS, math.inf):
            add("serving_request_latency_seconds_bucket", {"model": model, "le": _le(le)}, float(elapsed <= le))
        add("serving_request_latency_seconds_count", {"model": model}, 1)
        add("serving_request_latency_seconds_sum", {"model": model}, elapsed)
    want[("serving_requests_in_flight", ())] = 0.0
    return want


def _le(value):
    return "+Inf" if value == math.inf else repr(float(value))


def scraped(text):
    got = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = dict(sample.labels)
            if "le" in labels:
                labels["le"] = _le(float(labels["le"]))
            got[(sample.name, tuple(sorted(labels.items())))] = float(sample.value)
    return got


@pytest.mark.points(4)
def test_scraped_metrics_match_the_scripted_stream(student):
    info = student.probe("metrics_session", SCRIPT)
    try:
        bound = [address for address, port in listening(student) if port == info["port"]]
        assert bound, "MetricsServer(...).port is not a port anything listens on"
        assert set(bound) <= {"127.0.0.1", "::1", "::ffff:127.0.0.1"}, (
            f"the metrics server listens on {sorted(set(bound))}; bind 127.0.0.1 only")
        want_outcome = ["TimeoutError" if f == 2 else "ValueError" if f else 42.0 for *_m, f in SCRIPT]
        checks.assert_value(info["outcome"], want_outcome,
                            name="what the instrumented calls returned or raised (errors are re-raised)")
        checks.assert_value(info["in_flight"], [1.0] * len(SCRIPT),
                            name="serving_requests_in_flight seen inside each call")
        with forward(student, info["port"]) as address:
            status, text, content_type = get(address, "/metrics")
            assert status == 200, f"GET /metrics answered HTTP {status}"
            assert content_type.startswith("text/plain"), (
                f"GET /metrics answered Content-Type {content_type!r}; Prometheus' text format is "
                "prometheus_client.CONTENT_TYPE_LATEST")
            got = scraped(text)
            status, _, _ = get(address, "/not-metrics")
            assert status == 404, f"GET /not-metrics answered HTTP {status}; only /metrics is served"
        want = expected_samples(SCRIPT)
        missing = sorted(f"{name}{dict(labels)}" for name, labels in want if (name, labels) not in got)
        assert not missing, f"samples missing from /metrics: {missing[:4]}"
        for key, value in want.items():
            assert math.isclose(got[key], value, rel_tol=1e-9, abs_tol=1e-12), (
                f"{key[0]}{dict(key[1])} is {got[key]} in /metrics, which does not match the scripted stream")
        assert student.probe("two_registries") is True, "two ServingMetrics on two registries should both work"
    finally:
        start = time.perf_counter()
        student.probe("stop_server", info["key"])
        elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"MetricsServer.stop() took {elapsed:.2f} s; it must return within two seconds"
    assert info["port"] not in {port for _a, port in listening(student)}, "the metrics port is still open after stop()"


def psi_numpy(reference, current, bins=10, eps=1e-6):
    edges = np.quantile(reference, np.arange(1, bins) / bins)
    p = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins) / len(reference)
    q = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins) / len(current)
    p, q = np.maximum(p, eps), np.maximum(q, eps)
    return float(np.sum((q - p) * np.log(q / p)))


@pytest.mark.points(2)
def test_psi_matches_the_judges_computation(student, rng):
    ref = rng.normal(0, 1, 5000)
    cases = [("a shift of 0.5 sd", ref, rng.normal(0.5, 1, 4000), 10),
             ("the same distribution", ref, rng.normal(0, 1, 4000), 10),
             ("a current sample in one tail (empty bins)", ref, rng.normal(3, 0.1, 800), 10),
             ("20 bins on a skewed feature", rng.exponential(1, 3000), rng.exponential(1.3, 3000), 20)]
    for what, a, b, bins in cases:
        got = student.call("psi", a, b, bins)
        checks.assert_value(float(got), psi_numpy(a, b, bins), rtol=1e-9, atol=1e-12, name=f"psi for {what}")
    assert psi_numpy(ref, cases[0][2]) > 0.1 > psi_numpy(ref, cases[1][2])


@pytest.mark.points(2)
def test_ks_matches_scipy(student, rng):
    for n, m, shift in ((500, 400, 0.0), (800, 300, 0.25), (200, 1000, 0.6), (400, 400, None)):
        a = rng.normal(0, 1, n)
        # the last case: each current value a hair above a reference value (the ECDFs must be compared in float64)
        b = rng.normal(shift, 1.1, m) if shift is not None else a + 1e-12
        d, p = student.call("ks_2sample", a, b)
        want_d = stats.ks_2samp(a, b).statistic
        want_p = float(stats.kstwobign.sf(math.sqrt(n * m / (n + m)) * want_d))
        checks.assert_value(float(d), float(want_d), rtol=1e-12, name=f"KS statistic D (n={n}, m={m}, shift {shift})")
        checks.assert_value(float(p), want_p, rtol=1e-6, atol=1e-12, name=f"KS asymptotic p-value (n={n}, m={m})")
    student.probe("import_ground_truth", False)
    checks.assert_no_forbidden_calls(student, "ks_2sample", [rng.normal(size=50), rng.normal(size=60)],
                                     ["scipy.stats.ks_2samp", "scipy.stats.kstest", "scipy.stats.kstwobign.sf"],
                                     why="compute the empirical CDFs and the Kolmogorov series yourself")


def alert_replay(threshold, for_s, stream):
    state, since, fired, states = "inactive", None, 0, []
    for t, v in stream:
        if not v > threshold:
            state, since = "inactive", None
        else:
            if since is None:
                since, state = t, "pending"
            if state == "pending" and t - since >= for_s:
                state, fired = "firing", fired + 1
        states.append(state)
    return states, fired


@pytest.mark.points(3)
def test_alert_rule_goes_pending_then_firing_then_resolves(student, rng):
    times = np.cumsum(rng.uniform(5, 20, 60)).round(3)
    values = np.where((times % 400) < 170, 0.05, 0.005) + rng.uniform(-0.002, 0.002, 60)
    values[25] = 0.001  # a blip inside a breach resets the pending timer
    values[40] = 0.02  # exactly at the threshold: not above it, so not a breach
    stream = [[float(t), float(v)] for t, v in zip(times, values, strict=True)]
    for threshold, for_s in ((0.02, 60.0), (0.02, 0.0), (0.04, 150.0)):
        got = student.probe("alert_stream", threshold, for_s, stream)
        states, fired = alert_replay(threshold, for_s, stream)
        assert "firing" in states
        checks.assert_value(got["states"], states, name=f"alert states (threshold {threshold}, for {for_s} s)")
        checks.assert_value(got["fired"], fired, name=f"number of times the alert fired (for {for_s} s)")
