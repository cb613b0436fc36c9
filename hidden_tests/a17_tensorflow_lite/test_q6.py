"""Hidden tests for A17 Q6: latency statistics with an injected clock, throughput, and TFLite against Keras."""

import functools

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks

pytestmark = pytest.mark.question("q6")


@functools.cache
def digits_model(seed=2):
    """A digits MLP 64-128-64-10 trained in the judge (random ReLU features, ridge read-out): weights and data."""
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    x_train, y_train, x_test, y_test = x[:1200], y[:1200], x[1200:], y[1200:]
    r = np.random.default_rng(seed)
    w1 = (r.standard_normal((64, 128)) * 0.35).astype(np.float32)
    b1 = (r.standard_normal(128) * 0.5).astype(np.float32)
    w2 = (r.standard_normal((128, 64)) * 1.4 / np.sqrt(128)).astype(np.float32)
    b2 = np.full(64, 0.1, np.float32)
    h = np.maximum(np.maximum(x_train @ w1 + b1, 0) @ w2 + b2, 0)
    h = np.c_[h, np.ones(len(h))]
    beta = np.linalg.solve(h.T @ h + 1e-2 * np.eye(h.shape[1]), h.T @ (2 * np.eye(10)[y_train] - 1)) * 4
    weights = (w1, b1, w2, b2, beta[:-1].astype(np.float32), beta[-1].astype(np.float32))
    return weights, x_train, y_train, x_test, y_test


def forward(weights, x):
    w1, b1, w2, b2, w3, b3 = (np.asarray(w, np.float64) for w in weights)
    z = np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 0) @ w3 + b3
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _weights():
    return [np.asarray(w) for w in digits_model()[0]]


def _stats(ms):
    ms = np.asarray(ms, np.float64)
    return {"mean": ms.mean(), "std": ms.std(), "min": ms.min(), "max": ms.max(),
            "p50": np.percentile(ms, 50), "p95": np.percentile(ms, 95), "p99": np.percentile(ms, 99)}


@pytest.mark.points(2)
def test_latency_stats_match_numpy(student, rng):
    times = rng.gamma(2.0, 1.5, size=57)
    checks.assert_value(student.call("latency_stats", times), {k: float(v) for k, v in _stats(times).items()},
                        rtol=1e-9, name="latency_stats(times_ms) (population std, np.percentile linear)")


@pytest.mark.points(3)
def test_measure_latency_with_a_scripted_clock(student, rng):
    runs, warmup = 23, 4
    durations = rng.gamma(2.0, 0.002, size=runs)  # seconds
    gaps = rng.uniform(0.01, 0.05, size=runs)
    stamps, now = [], 1000.0
    for d, g in zip(durations, gaps, strict=True):
        stamps += [now, now + d]
        now += d + g
    got = student.probe("fake_clock_latency", stamps, runs, warmup)
    assert got["fn_calls"][:warmup] == [0] * warmup, (
        f"the {warmup} warm-up calls must come first and untimed (no timer() call before them); timer() had been "
        f"called {got['fn_calls'][:warmup]} times at those calls")
    calls = len(got["fn_calls"])
    assert calls == runs + warmup, f"fn should be called {runs + warmup} times, got {calls}"
    assert got["fn_calls"][warmup:] == list(range(1, 2 * runs, 2)), (
        "each timed run must be exactly t0 = timer(); fn(); t1 = timer() (timer called once before and once after "
        "each call, nothing else in between)")
    assert got["timer_calls"] == 2 * runs, f"timer() should be called {2 * runs} times, got {got['timer_calls']}"
    want = {k: float(v) for k, v in _stats(durations * 1000.0).items()}
    checks.assert_value(got["stats"], want, rtol=1e-7, atol=1e-9,
                        name="measure_latency statistics (milliseconds) under the scripted clock")


@pytest.mark.points(2)
def test_measure_throughput_with_a_scripted_clock(student, rng):
    elapsed = float(rng.uniform(0.2, 0.9))
    got = student.probe("fake_clock_throughput", [50.0, 50.0 + elapsed], 32, 15)
    assert got["timer_calls"] == 2, f"timer() should be called twice (start, end), got {got['timer_calls']}"
    assert got["fn_calls"] == [0] + [1] * 15, (
        "expected one untimed warm-up call, then the 15 timed calls between the two timer() calls; timer() counts "
        f"at each call: {got['fn_calls']}")
    checks.assert_value(got["value"], 32 * 15 / elapsed, rtol=1e-9, name="samples per second")


def _single_digits(r):
    """One timed request: 8 digits, each a separate single-sample call of the model in the worker."""
    return [r.random((8, 64)).astype(np.float32)]


def _prepare_runners(student, reference):
    """The student's runner in the student's worker; the course's runner and the Keras baseline in the reference's.

    Both are built once from the same weights, so each timed call carries only its input.
    """
    weights = _weights()
    student.probe("prepare_runner", weights)
    reference.probe("prepare_runner", weights)


@pytest.mark.points(2)
def test_tflite_runner_is_faster_than_keras(student, reference, rng, thresholds):
    _prepare_runners(student, reference)

    # The Keras baseline is built by course code in the reference worker and timed while the student's sandbox is
    # frozen, so nothing in the student's worker can slow it down.
    checks.assert_speed({"keras": (reference, "probes.keras_rows"),
                         "tflite": (student, "probes.tflite_runner_rows")},
                        _single_digits, rng, fast="tflite", slow="keras",
                        min_ratio=thresholds["min_tflite_vs_keras"], trials=3, calls=10, rtol=1e-5, atol=1e-6)


@pytest.mark.points(1)
def test_tflite_runner_allocates_once(student, reference, rng, thresholds):
    _prepare_runners(student, reference)

    # Against the course's runner on the same single digits: an interpreter built (and its tensors allocated) on
    # every call is many times slower, while still beating eager Keras.
    checks.assert_speed({"course runner": (reference, "probes.tflite_runner_rows"),
                         "your runner": (student, "probes.tflite_runner_rows")},
                        _single_digits, rng, fast="your runner", slow="course runner",
                        min_ratio=thresholds["min_runner_vs_course_runner"], trials=3, calls=10, rtol=1e-5,
                        atol=1e-6)


@pytest.mark.points(1)
def test_tflite_batch_throughput_beats_keras(student, reference, rng, thresholds):
    _prepare_runners(student, reference)

    def make_args(r):
        return [r.random((64, 64)).astype(np.float32)]  # a batch of 64 digits: throughput, not latency

    checks.assert_speed({"keras": (reference, "probes.keras_predict"),
                         "tflite": (student, "probes.tflite_runner_predict")},
                        make_args, rng, fast="tflite", slow="keras",
                        min_ratio=thresholds["min_batch_throughput_vs_keras"], trials=3, calls=10, rtol=1e-5,
                        atol=1e-6)


@pytest.mark.points(1)
def test_compare_with_keras_reports_ratios(student, thresholds):
    x = digits_model()[3][:64]
    observed = student.probe("keras_comparison", _weights(), x, 10)
    got = observed["report"]
    assert isinstance(got, dict), f"compare_with_keras should return a dict, got {type(got).__name__}"
    for key in ("latency_speedup", "throughput_ratio", "max_abs_diff"):
        assert isinstance(got.get(key), float), f"compare_with_keras()[{key!r}] should be a float, got {got.get(key)!r}"
    assert got["max_abs_diff"] < 1e-5, f"max_abs_diff is {got['max_abs_diff']:.3g}: the two models disagree"
    assert got["latency_speedup"] >= thresholds["min_reported_speedup"], (
        f"the reported single-sample latency speedup of TFLite over Keras is {got['latency_speedup']:.2f}; a "
        "LiteRT interpreter allocated once is far faster than an eager Keras call (Keras p50 / TFLite p50)")
    assert got["throughput_ratio"] > 1.0, (
        f"the reported throughput ratio (TFLite samples/s over Keras samples/s) is {got['throughput_ratio']:.2f}")
    # Against a converted model whose last layer differs, max_abs_diff is the largest disagreement, computed here.
    weights = _weights()
    changed = [w.copy() for w in weights]
    changed[-2] = changed[-2] + np.random.default_rng(5).normal(0, 0.5, changed[-2].shape).astype(np.float32)
    other = student.probe("keras_comparison", weights, x, 10, changed)["report"]
    want = float(np.max(np.abs(forward(changed, x) - forward(weights, x))))
    assert isinstance(other, dict) and isinstance(other.get("max_abs_diff"), float), "compare_with_keras returns a dict"
    checks.assert_value(other["max_abs_diff"], want, rtol=1e-3, atol=1e-5,
                        name="max_abs_diff when the TFLite model is not the Keras model (the largest |difference| "
                             "over every output)")
    # The ratios are only evidence if they were measured: runs=10 single-sample calls of model(x[:1]) at least.
    assert observed["keras_calls"] >= 10, (
        f"compare_with_keras called the Keras model {observed['keras_calls']} times with runs=10: time "
        "model(x[:1], training=False) with measure_latency (runs calls) and the batch with measure_throughput")
