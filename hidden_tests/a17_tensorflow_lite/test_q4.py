"""Hidden tests for A17 Q4: delegate fallback chain, CPU backends (XNNPACK, builtin, reference kernels), speed."""

import functools

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

HARDWARE = ("gpu", "nnapi", "hexagon", "edgetpu")
MISSING = {name: f"/nonexistent/lib{name}_delegate.so" for name in HARDWARE}


@functools.cache
def cnn_weights(seed=17):
    """Weights of the probe's CNN: conv 3->16, conv 16->32 (stride 2), conv 32->32, dense 32->10 (He scaling)."""
    r = np.random.default_rng(seed)
    shapes = [(3, 3, 3, 16), (3, 3, 16, 32), (3, 3, 32, 32), (32, 10)]
    weights = []
    for shape in shapes:
        fan_in = int(np.prod(shape[:-1]))
        weights.append((r.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        weights.append((r.standard_normal(shape[-1]) * 0.05).astype(np.float32))
    return weights


def _conv_same_relu(x, kernel, bias, stride=1):
    """A Conv2D with TensorFlow's "same" padding (an odd pad goes after) and ReLU, in float64."""
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
    """The probe's CNN (conv, conv stride 2, conv, global average pool, dense) computed by the judge."""
    w = [np.asarray(a, np.float64) for a in weights]
    h = _conv_same_relu(np.asarray(x, np.float64), w[0], w[1])
    h = _conv_same_relu(h, w[2], w[3], stride=2)
    h = _conv_same_relu(h, w[4], w[5])
    return (h.mean(axis=(1, 2)) @ w[6] + w[7]).astype(np.float32)


def _loads_the_given_libraries(got, names):
    # Seen only where the code calls load_delegate by the notebook's name for it (or the module's); a copy imported
    # under another name is not seen, and then this check has nothing to say.
    if got["loaded"]:
        checks.assert_value(got["loaded"], [got["paths"][name] for name in names],
                            name="libraries passed to load_delegate (delegate_paths overrides DELEGATE_LIBRARIES)")


@pytest.mark.points(3)
def test_fallback_chain_records_failures_and_lands_on_xnnpack(student):
    got = student.probe("fallback_report", cnn_weights(), delegate_paths=MISSING)
    want = [[name, "OSError"] for name in HARDWARE] + [["xnnpack", "ok"]]
    checks.assert_value(got["attempts"], want, name="attempts with the default preference and missing delegate "
                                                     "libraries (load_delegate raises OSError; record it, go on)")
    assert got["backend"] == "xnnpack", f"backend should be 'xnnpack' after the hardware delegates fail, got {got}"
    _loads_the_given_libraries(got, HARDWARE)
    assert "DELEGATE" in got["ops"], (
        "the 'xnnpack' interpreter should use the default op resolver, which applies the XNNPACK delegate (a "
        f"DELEGATE node in _get_ops_details()); its ops are {got['ops']}")
    got = student.probe("fallback_report", cnn_weights(), preferred=["edgetpu", "builtin"], delegate_paths=MISSING,
                        garbage_delegate="edgetpu")
    checks.assert_value(got["attempts"], [["edgetpu", "OSError"], ["builtin", "ok"]],
                        name="attempts when the Edge TPU library exists but is not a shared library")
    _loads_the_given_libraries(got, ["edgetpu"])
    assert got["backend"] == "builtin" and "DELEGATE" not in got["ops"], (
        "the 'builtin' backend uses OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES (no XNNPACK DELEGATE node); "
        f"got backend {got['backend']!r} with ops {got['ops']}")


@pytest.mark.points(2)
def test_no_working_backend_fails_clearly(student):
    checks.assert_raises(student.probe, "fallback_report", cnn_weights(), preferred=["gpu", "nnapi"],
                         delegate_paths=MISSING, exc_type="RuntimeError")
    checks.assert_raises(student.probe, "fallback_report", cnn_weights(), preferred=["tpu", "xnnpack"],
                         delegate_paths=MISSING, exc_type="ValueError")


@pytest.mark.points(2)
def test_cpu_backends_agree(student, rng):
    x = rng.random((1, 32, 32, 3)).astype(np.float32)
    got = student.probe("backend_outputs", cnn_weights(), x, "cnn")
    for backend in ("xnnpack", "builtin", "reference"):
        checks.assert_tensor(got["outputs"][backend], got["keras"], rtol=1e-4, atol=1e-5,
                             name=f"predict of the '{backend}' backend vs the Keras model")
    calibration = rng.random((20, 32, 32, 3)).astype(np.float32)
    got = student.probe("backend_outputs", cnn_weights(), x, "cnn_int8", calibration)
    step = got["output_scale"]
    for backend in ("builtin", "reference"):
        checks.assert_tensor(got["outputs"][backend], got["outputs"]["xnnpack"], rtol=0, atol=1.01,
                             name=f"int8 outputs of '{backend}' vs 'xnnpack' (within one quantization step, "
                                  f"{step:.3g})")


@pytest.mark.points(3)
def test_xnnpack_is_faster_than_reference_kernels(student, reference, rng, thresholds):
    student.probe("prepare_backends", cnn_weights())
    # Speed is only worth points for backends that predict: the timing run checks that the two agree, and two
    # predicts that return nothing agree as well. So both must first give the CNN's output, computed here.
    x = rng.random((1, 32, 32, 3)).astype(np.float32)
    want = cnn_forward(cnn_weights(), x)
    for backend in ("xnnpack", "reference"):
        checks.assert_tensor(student.probe(f"predict_{backend}", x), want, expect="array", rtol=1e-4, atol=1e-4,
                             name=f"predict of the '{backend}' backend vs the CNN's output")

    weights = cnn_weights()

    def make_args(r):
        return [r.random((1, 32, 32, 3)).astype(np.float32), weights]

    # The slow side is TFLite's reference kernels built by course code in the reference worker, timed while the
    # student's sandbox is frozen: the student's own 'reference' backend could be slowed down on purpose.
    checks.assert_speed({"reference kernels": (reference, "probes.course_reference_kernels"),
                         "xnnpack": (student, "probes.student_xnnpack")},
                        make_args, rng, fast="xnnpack", slow="reference kernels",
                        min_ratio=thresholds["min_xnnpack_vs_reference"], trials=3, calls=10, rtol=1e-4, atol=1e-5)
