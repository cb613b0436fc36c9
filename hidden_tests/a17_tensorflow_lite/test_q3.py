"""Hidden tests for A17 Q3: post-training quantization (dynamic range, float16, full int8 with int8 I/O)."""

import functools

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks

pytestmark = pytest.mark.question("q3")


@functools.cache
def digits_model(seed=2):
    """A digits MLP 64-128-64-10 trained in the judge (random ReLU features, ridge read-out): weights and data."""
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    x_train, y_train, x_test, y_test = x[:1200], y[:1200], x[1200:], y[1200:]
    r = np.random.default_rng(seed)
    # Held-out rows perturbed in the judge, so that no row of the dataset the sandbox can read matches them.
    x_test = np.clip(x_test + r.normal(0, 0.04, x_test.shape), 0, 1).astype(np.float32)
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


def assert_close_on_average(got, want, mean_tol, max_tol, name):
    """Quantized softmax outputs: the mean absolute error and the worst entry, each within its own tolerance."""
    checks.assert_tensor(got, want, rtol=0, atol=max_tol, name=name)
    mean_error = float(np.mean(np.abs(np.asarray(got, np.float64) - want)))
    assert mean_error <= mean_tol, (f"{name}: the mean absolute error is {mean_error:.4g}, above {mean_tol:g}; "
                                    "check the quantization recipe and the calibration data")


@functools.cache
def _variants(student, inspector):
    weights, x_train, _, x_test, _ = digits_model()
    weights = [np.asarray(w) for w in weights]
    variants = student.probe("quantized_variants", weights, x_train[:300], x_test)
    for mode, entry in variants.items():
        entry.update(inspector.probe("inspect_tflite", entry.pop("model"), x_test, weight_scales=mode == "int8"))
    variants["float_size"] = inspector.probe("float_model_size", weights)
    return variants


@pytest.fixture
def variants(student, inspector):
    return _variants(student, inspector)


@pytest.mark.points(2)
def test_representative_dataset_yields_single_rows(student, rng):
    x = rng.random((40, 7)) * 3 - 1  # float64 on purpose: the generator must cast
    passes = student.probe("calibration_samples", x, 25)
    for k, items in enumerate(passes):
        assert len(items) == 25, (
            f"call {k + 1} of the generator yielded {len(items)} items, expected num_samples=25 (the converter "
            "may call it more than once: return a generator function, not a generator)")
        for i, item in enumerate(items):
            assert item.get("kind") == "list" and item.get("length") == 1, (
                f"item {i} should be a list holding one input array, got {item}")
            assert item["dtypes"] == ["float32"] and item["shapes"] == [[1, 7]], (
                f"item {i} should be one float32 array of shape (1, 7), got dtypes {item['dtypes']}, shapes "
                f"{item['shapes']}")
            checks.assert_tensor(item["value"], x[i:i + 1], rtol=1e-6, atol=1e-6, name=f"calibration item {i}")
    passes = student.probe("calibration_samples", x[:10], 100)
    assert len(passes[0]) == 10, f"with num_samples > len(x), yield every row once; got {len(passes[0])} items"


@pytest.mark.points(3)
def test_each_mode_stores_the_right_types(variants, thresholds):
    float_size = variants["float_size"]
    # (I/O dtype, weight dtype that must be present, dtypes that must be absent)
    expect = {"dynamic": ("float32", "int8", {"float16"}), "float16": ("float32", "float16", {"int8"}),
              "int8": ("int8", "int8", {"float32", "float16"})}
    for mode, (io, present, absent) in expect.items():
        facts = variants[mode]["facts"]
        assert (facts["input_dtype"], facts["output_dtype"]) == (io, io), (
            f"the '{mode}' model should have {io} input and output, got {facts['input_dtype']} -> "
            f"{facts['output_dtype']}")
        dtypes = set(facts["tensor_dtypes"])
        assert present in dtypes and not dtypes & absent, (
            f"the '{mode}' model should hold {present} tensors and no {' or '.join(sorted(absent))} tensors; its "
            f"tensors have dtypes {facts['tensor_dtypes']}")
    ratios = {mode: variants[mode]["facts"]["size_bytes"] / float_size for mode in expect}
    assert ratios["dynamic"] <= thresholds["max_dynamic_ratio"], f"dynamic-range model is {ratios['dynamic']:.3f}x"
    assert thresholds["min_float16_ratio"] <= ratios["float16"] <= thresholds["max_float16_ratio"], (
        f"the float16 model is {ratios['float16']:.3f}x the float model, expected about half")
    assert ratios["int8"] <= thresholds["max_int8_ratio"], f"the int8 model is {ratios['int8']:.3f}x the float model"
    weights = digits_model()[0]
    scales = variants["int8"]["fc_scales"]
    assert len(scales) == 3, f"expected 3 FULLY_CONNECTED layers in the int8 model, found {len(scales)}"
    for k, entry in enumerate(scales):
        kernel = np.asarray(weights[2 * k], np.float64)
        want = np.abs(kernel).max(axis=0) / 127.0
        checks.assert_tensor(entry["scales"], want, rtol=1e-5, atol=1e-9,
                             name=f"per-channel weight scales of dense layer {k} (max|w| / 127 per output unit)")
        assert not np.any(entry["zero_points"]), "int8 weights are symmetric: every weight zero point is 0"


@pytest.mark.points(3)
def test_quantized_predictions_within_tolerance(variants, thresholds):
    weights, _, _, x_test, y_test = digits_model()
    want = forward(weights, x_test).astype(np.float32)
    keras_accuracy = float(np.mean(want.argmax(1) == y_test))
    for mode in ("dynamic", "float16", "int8"):
        assert_close_on_average(variants[mode]["out"], want, thresholds[f"mae_{mode}"],
                                thresholds[f"max_error_{mode}"],
                                name=f"outputs of the '{mode}' model (the test's own interpreter loop)")
        checks.assert_tensor(variants[mode]["predict"], variants[mode]["out"], rtol=0, atol=1e-6, dtype="float32",
                             name=f"predict_quantized on the '{mode}' model (quantize input, dequantize output)")
        checks.assert_accuracy(np.asarray(variants[mode]["predict"]).argmax(1), y_test,
                               keras_accuracy - thresholds["max_accuracy_drop"], name=f"accuracy of the '{mode}' model")


@pytest.mark.points(2)
def test_quantize_and_dequantize_helpers(student, rng):
    x = rng.normal(0, 3, size=(5, 8)).astype(np.float32)
    x[0, :4] = [100.0, -100.0, 0.25, -0.25]
    for dtype, zero_point in (("int8", -3), ("uint8", 125)):
        scale = float(rng.uniform(0.02, 0.08))
        detail = {"dtype": dtype, "quantization": [scale, zero_point]}
        info = np.iinfo(dtype)
        want = np.clip(np.round(x.astype(np.float64) / scale) + zero_point, info.min, info.max).astype(dtype)
        got = student.call("quantize_input", x, detail)
        checks.assert_tensor(got, want, expect="array", dtype=dtype, atol=0,
                             name=f"quantize_input(x, {detail}) (round, add the zero point, clip to the {dtype} range)")
        checks.assert_tensor(student.call("dequantize_output", want, detail),
                             ((want.astype(np.float64) - zero_point) * scale).astype(np.float32),
                             expect="array", dtype="float32", rtol=1e-6, atol=1e-7,
                             name=f"dequantize_output(q, {detail})")
    detail = {"dtype": "float32", "quantization": [0.0, 0]}
    checks.assert_tensor(student.call("quantize_input", x, detail), x, expect="array", dtype="float32", atol=0,
                         name="quantize_input for a float input (unchanged)")
