"""Hidden tests for A27 Q6: CPU backends (XNNPACK, builtin, reference kernels), delegate fallback, an NPU
compatibility check and heterogeneous scheduling.

Outputs are compared with the CNN computed by the judge in NumPy. Speed is a ratio measured in one run: the slow
side is TFLite's reference kernels built by course code in the reference worker and timed while the student's
sandbox is frozen. Planted models are converted and read by course code in the reference worker.
"""

import functools
import itertools

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


@functools.cache
def cnn_weights(seed=27):
    r = np.random.default_rng(seed)
    shapes = [(3, 3, 3, 16), (3, 3, 16, 32), (3, 3, 32, 32), (32, 10)]
    weights = []
    for shape in shapes:
        fan_in = int(np.prod(shape[:-1]))
        weights.append((r.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        weights.append((r.standard_normal(shape[-1]) * 0.05).astype(np.float32))
    return weights


def _conv_same_relu(x, kernel, bias, stride=1):
    size, (n, h, w, _) = kernel.shape[0], x.shape
    out_h, out_w = -(-h // stride), -(-w // stride)
    pad_h, pad_w = max((out_h - 1) * stride + size - h, 0), max((out_w - 1) * stride + size - w, 0)
    padded = np.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    out = np.zeros((n, out_h, out_w, kernel.shape[-1]))
    for i in range(size):
        for j in range(size):
            out += padded[:, i:i + stride * out_h:stride, j:j + stride * out_w:stride, :] @ kernel[i, j]
    return np.maximum(out + bias, 0.0)


def cnn_forward(weights, x):
    w = [np.asarray(a, np.float64) for a in weights]
    h = _conv_same_relu(np.asarray(x, np.float64), w[0], w[1])
    h = _conv_same_relu(h, w[2], w[3], stride=2)
    h = _conv_same_relu(h, w[4], w[5])
    return (h.mean(axis=(1, 2)) @ w[6] + w[7]).astype(np.float32)


def _model(reference):
    return reference.probe("cnn_tflite", [np.asarray(w) for w in cnn_weights()])


@pytest.mark.points(2)
def test_backends_compute_the_model(student, reference, rng):
    model = _model(reference)
    x = rng.random((1, 32, 32, 3)).astype(np.float32)
    got = student.probe("student_backend_outputs", model, x)
    want = cnn_forward(cnn_weights(), x)
    for backend, delegated in (("xnnpack", True), ("builtin", False), ("reference", False)):
        checks.assert_tensor(got[backend]["y"], want, expect="array", rtol=1e-4, atol=1e-4,
                             name=f"predict of the '{backend}' interpreter vs the CNN")
        assert got[backend]["delegated"] is delegated, (
            f"the '{backend}' interpreter {'has no' if delegated else 'has an'} XNNPACK DELEGATE node: 'xnnpack' is "
            "OpResolverType.AUTO, 'builtin' BUILTIN_WITHOUT_DEFAULT_DELEGATES, 'reference' BUILTIN_REF")
    checks.assert_raises(student.call, "make_interpreter", model, "npu", exc_type="ValueError")


def _speed(student, reference, rng, backend, min_ratio):
    model = _model(reference)
    student.probe("prepare_backends", model)
    x = rng.random((1, 32, 32, 3)).astype(np.float32)
    checks.assert_tensor(student.probe(f"student_{backend}", x, model), cnn_forward(cnn_weights(), x),
                         expect="array", rtol=1e-4, atol=1e-4, name=f"predict of the '{backend}' interpreter")

    def make_args(r):
        return [r.random((1, 32, 32, 3)).astype(np.float32), model]

    checks.assert_speed({"reference kernels": (reference, "probes.course_reference_kernels"),
                         backend: (student, f"probes.student_{backend}")},
                        make_args, rng, fast=backend, slow="reference kernels", min_ratio=min_ratio, trials=3,
                        calls=10, rtol=1e-4, atol=1e-5)


@pytest.mark.points(2)
def test_xnnpack_is_faster_than_reference_kernels(student, reference, rng, thresholds):
    _speed(student, reference, rng, "xnnpack", thresholds["min_xnnpack_vs_reference"])


@pytest.mark.points(1)
def test_builtin_is_faster_than_reference_kernels(student, reference, rng, thresholds):
    _speed(student, reference, rng, "builtin", thresholds["min_builtin_vs_reference"])


@pytest.mark.points(1)
def test_missing_or_broken_delegate_falls_back_to_xnnpack(student, reference, rng):
    model = _model(reference)
    x = rng.random((1, 32, 32, 3)).astype(np.float32)
    want = cnn_forward(cnn_weights(), x)
    for path in ("/nonexistent/libnpu_delegate.so", student.probe("garbage_library")):
        got = student.probe("fallback_run", model, path, x)
        assert str(path) in got["tried"], (
            f"with_fallback({path!r}) never asked load_delegate for that library (it asked for {got['tried']}): try "
            "the hardware delegate first, fall back only when loading it fails")
        assert got["backend"] == "xnnpack" and got["delegated"], (
            f"with_fallback({path!r}) should fall back to an XNNPACK interpreter, got backend {got['backend']!r} "
            f"(delegated: {got['delegated']})")
        checks.assert_tensor(got["y"], want, expect="array", rtol=1e-4, atol=1e-4, name="the fallback's output")


@pytest.mark.points(2)
def test_compatibility_flags_planted_problems(student, reference, rng):
    r = np.random.default_rng(int(rng.integers(0, 2**16)))
    weights = [r.normal(0, 0.5, (6, 10)).astype(np.float32), np.zeros(10, np.float32),
               r.normal(0, 0.5, (10, 3)).astype(np.float32), np.zeros(3, np.float32)]
    calibration = r.normal(size=(30, 6)).astype(np.float32)
    models = reference.probe("planted_models", weights, calibration)
    allowed = ["FULLY_CONNECTED", "QUANTIZE", "DEQUANTIZE", "RESHAPE"]
    for name, model in models.items():
        facts = reference.probe("facts", model)
        want = {"unsupported_ops": sorted(set(facts["ops"]) - set(allowed)), "float_tensors": facts["float_tensors"],
                "dynamic_inputs": facts["dynamic_inputs"]}
        want["compatible"] = not want["unsupported_ops"] and not want["float_tensors"] and not want["dynamic_inputs"]
        checks.assert_value(student.call("delegate_compatibility", model, allowed), want,
                            name=f"delegate_compatibility of the planted model '{name}'")


def brute_force(tasks, devices):
    options = [[d for d in devices if t["latency"].get(d) is not None] for t in tasks]
    best = None
    for choice in itertools.product(*options):
        load = dict.fromkeys(devices, 0.0)
        for t, d in zip(tasks, choice, strict=True):
            load[d] += t["latency"][d]
        best = max(load.values()) if best is None else min(best, max(load.values()))
    return best


@pytest.mark.points(2)
def test_schedule_is_optimal_and_respects_unsupported_ops(student, rng):
    devices = ["cpu", "gpu", "npu"]
    for n in (4, 6, 7):
        tasks = []
        for i in range(n):
            cpu = float(rng.uniform(2, 10))
            latency = {"cpu": cpu, "gpu": cpu / float(rng.uniform(1.5, 4)), "npu": cpu / float(rng.uniform(3, 10))}
            if rng.random() < 0.4:
                latency["npu"] = None
            if rng.random() < 0.2:
                del latency["gpu"]
            tasks.append({"name": f"task{i}", "latency": latency})
        got = student.call("schedule_heterogeneous", tasks, devices)
        assert isinstance(got, dict) and isinstance(got.get("assignment"), dict), (
            f"schedule_heterogeneous should return {{'assignment': {{...}}, 'makespan': ...}}, got {got!r}")
        assignment = got["assignment"]
        assert sorted(assignment) == sorted(t["name"] for t in tasks), "every task must be assigned exactly once"
        load = dict.fromkeys(devices, 0.0)
        for t in tasks:
            device = assignment[t["name"]]
            assert t["latency"].get(device) is not None, f"{t['name']} was placed on {device!r}, which cannot run it"
            load[device] += t["latency"][device]
        best = brute_force(tasks, devices)
        checks.assert_value(max(load.values()), best, rtol=1e-9, name=f"makespan of your assignment of {n} tasks "
                                                                        "vs the optimum")
        checks.assert_value(got["makespan"], max(load.values()), rtol=1e-9, name="the makespan you report")
    checks.assert_raises(student.call, "schedule_heterogeneous",
                         [{"name": "x", "latency": {"cpu": None, "npu": None}}], ["cpu", "npu"], exc_type="ValueError")
