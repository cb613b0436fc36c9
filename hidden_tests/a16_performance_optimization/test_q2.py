"""Hidden tests for A16 Q2: the arithmetic of quantization (fake quantization with a straight-through gradient,
per-channel int8 scales, ternary weights) and quantization-aware training that really fine-tunes.

Ground truth comes from TensorFlow's own FakeQuant kernel and TFLite's converter, both run in the reference worker,
and from the judge's NumPy; the QAT model's held-out predictions are scored here.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q2")

FAKE_QUANT_CASES = [  # (x_min, x_max, num_bits, narrow_range): ranges that need nudging, few and many bits
    (-1.3, 2.1, 8, False), (-0.5, 0.7, 4, True), (-3.0, 0.02, 8, True), (-0.01, 1.0, 5, False), (-2.0, 2.0, 16, False),
]
FORBIDDEN = ["tf.quantization.fake_quant_with_min_max_args", "tf.quantization.fake_quant_with_min_max_vars",
             "tf.quantization.fake_quant_with_min_max_vars_per_channel", "tf.raw_ops.FakeQuantWithMinMaxArgs",
             "tf.raw_ops.FakeQuantWithMinMaxVars", "tf.raw_ops.FakeQuantWithMinMaxVarsPerChannel",
             "tf.quantization.quantize_and_dequantize", "tf.quantization.quantize_and_dequantize_v2"]


def _digits(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    x = disguise(x, fit=x[order[:1400]], seed=split_seed + 1607)  # no held-out row can be looked up in the dataset
    return x[order[:1400]], y[order[:1400]], x[order[1400:]], y[order[1400:]]


def _fake_quant_inputs(rng, x_min, x_max):
    # Values inside the range and beyond both of its ends.
    x = rng.uniform(1.4 * x_min - 0.2, 1.4 * x_max + 0.2, size=(300,)).astype(np.float32)
    return x, rng.normal(size=x.shape).astype(np.float32)


@pytest.mark.points(2)
def test_fake_quant_matches_tensorflows_nudged_quantization(student, reference, rng):
    for x_min, x_max, bits, narrow in FAKE_QUANT_CASES:
        x, upstream = _fake_quant_inputs(rng, x_min, x_max)
        got = student.probe("fake_quant_case", x, x_min, x_max, bits, narrow, upstream)
        want = reference.probe("tensorflow_fake_quant_case", x, x_min, x_max, bits, narrow, upstream)
        step = (x_max - x_min) / (2 ** bits - 1 - int(narrow))
        checks.assert_tensor(got["value"], want["value"], expect="array", dtype="float32", rtol=0,
                             atol=max(1e-5, 1e-3 * step),
                             name=f"fake_quant(x, {x_min}, {x_max}, num_bits={bits}, narrow_range={narrow}) against "
                                  "tf.quantization.fake_quant_with_min_max_args (is the range nudged so that 0.0 is "
                                  "exactly representable?)")
    checks.assert_no_forbidden_calls(student, "fake_quant", (x, x_min, x_max, bits, narrow), forbidden=FORBIDDEN,
                                     why="write the nudging, clipping and rounding yourself")


@pytest.mark.points(2)
def test_fake_quant_gradient_is_straight_through_inside_the_nudged_range(student, reference, rng):
    for x_min, x_max, bits, narrow in FAKE_QUANT_CASES[:4]:
        x, upstream = _fake_quant_inputs(rng, x_min, x_max)
        got = student.probe("fake_quant_case", x, x_min, x_max, bits, narrow, upstream)
        want = reference.probe("tensorflow_fake_quant_case", x, x_min, x_max, bits, narrow, upstream)
        assert got["gradient"] is not None, (
            "no gradient flows through fake_quant: round() has a zero gradient almost everywhere, so QAT needs the "
            "straight-through estimator (tf.custom_gradient)")
        checks.assert_tensor(got["gradient"], want["gradient"], expect="array", dtype="float32", rtol=0, atol=1e-6,
                             name=f"the gradient of fake_quant(x, {x_min}, {x_max}, num_bits={bits}, "
                                  f"narrow_range={narrow}) (upstream passes where nudged_min <= x <= nudged_max, "
                                  "zero outside)")


def _expected_per_channel(w, bits):
    levels = 2 ** (bits - 1) - 1
    peak = np.max(np.abs(w), axis=tuple(range(w.ndim - 1)))
    scales = np.where(peak > 0, peak / np.float32(levels), np.float32(1.0)).astype(np.float32)
    return np.clip(np.round(w / scales), -levels, levels).astype(np.int32), scales


@pytest.mark.points(2)
def test_per_channel_scales_are_the_ones_tflite_writes(student, reference, rng):
    dense = (rng.normal(size=(40, 24)) * rng.uniform(0.05, 2.0, size=24)).astype(np.float32)
    dense[:, 7] = 0.0  # a dead unit: its channel needs a positive scale all the same
    conv = rng.normal(scale=0.3, size=(3, 3, 4, 8)).astype(np.float32)
    for w, bits, what in ((dense, 8, "a Dense kernel (40, 24)"), (conv, 8, "a Conv2D kernel (3, 3, 4, 8)"),
                          (dense, 4, "a Dense kernel at num_bits=4")):
        got = student.probe("per_channel_case", w, bits)
        want_q, want_scales = _expected_per_channel(w, bits)
        assert got["q_dtype"] == "int8", f"quantize_per_channel should return int8 values, got {got['q_dtype']}"
        checks.assert_tensor(got["scales"], want_scales, expect="array", dtype="float32", rtol=1e-6, atol=0,
                             name=f"scales of {what} (one per output channel, the last axis: max|w| / "
                                  f"{2 ** (bits - 1) - 1}, 1.0 for a channel of zeros)")
        checks.assert_tensor(got["q"], want_q, expect="array", rtol=0, atol=0,
                             name=f"the quantized values of {what} (round(w / scale), symmetric, zero point 0)")
    tflite = reference.probe("tflite_dense_kernel", dense, rng.normal(size=(32, 40)).astype(np.float32))
    got = student.probe("per_channel_case", dense, 8)
    live = np.flatnonzero(np.abs(dense).max(axis=0) > 0)
    assert tflite["quantized_dimension"] == 0
    checks.assert_tensor(got["scales"][live], tflite["scales"][live], expect="array", rtol=1e-6, atol=0,
                         name="your per-channel scales against the ones TFLite's full-int8 converter stores for the "
                              "same Dense kernel")
    checks.assert_tensor(got["q"], tflite["q"], expect="array", rtol=0, atol=0,
                         name="your int8 kernel against the one TFLite's converter stores")


@pytest.mark.points(2)
def test_ternary_weights_and_their_straight_through_gradient(student, rng):
    for delta_factor in (0.7, 0.4):
        w = rng.laplace(scale=0.2, size=(30, 12)).astype(np.float32)
        upstream = rng.normal(size=w.shape).astype(np.float32)
        got = student.probe("ternarize_case", w, delta_factor, upstream)
        mask = np.abs(w) > delta_factor * np.mean(np.abs(w))
        alpha = np.float32(np.abs(w)[mask].mean())
        checks.assert_tensor(got["alpha"], alpha, expect="array", dtype="float32", rtol=1e-5, atol=0,
                             name=f"alpha of ternarize(w, delta_factor={delta_factor}) (mean |w| over the weights "
                                  "above delta = delta_factor * mean|w|)")
        checks.assert_tensor(got["value"], np.where(mask, np.sign(w) * alpha, 0.0).astype(np.float32),
                             expect="array", dtype="float32", rtol=1e-5, atol=1e-7,
                             name=f"w_t of ternarize(w, delta_factor={delta_factor}) (values in -alpha, 0, alpha)")
        assert got["gradient"] is not None, "no gradient reaches w through ternarize: use a straight-through estimator"
        checks.assert_tensor(got["gradient"], upstream, expect="array", dtype="float32", rtol=0, atol=1e-6,
                             name="the gradient of ternarize's w_t with respect to w (straight-through: the identity)")


@pytest.mark.points(2)
def test_quantization_aware_training_fine_tunes_and_converts_to_int8(student, thresholds):
    x, y, x_test, y_test = _digits()
    report = student.probe("qat_report", x, y, x_test, 2)
    layers = report["layers"]
    assert "QuantizeLayer" in layers and layers.count("QuantizeWrapperV2") == 3, (
        f"the quantization-aware model's layers are {layers}; use tfmot.quantization.keras.quantize_model")
    start_acc = float(np.mean(np.asarray(report["start_pred"]) == y_test))
    qat_acc = float(np.mean(np.asarray(report["keras_pred"]) == y_test))
    assert qat_acc >= thresholds["min_qat_accuracy"], (
        f"the model handed to quantization_aware_train has a freshly initialised output layer (held-out accuracy "
        f"{start_acc:.3f}); after your quantization-aware fine-tuning (2 epochs) it reaches {qat_acc:.3f}, expected at "
        f"least {thresholds['min_qat_accuracy']}: compile the QAT model and fit it for the given epochs")
    tfl = report["tflite"]
    assert tfl["is_bytes"], "convert_qat should return bytes"
    assert tfl["kernels"].get("int8", 0) >= 3, f"the converted QAT model's kernels: {tfl['kernels']}, expected int8"
    ratio = tfl["size"] / report["float_size"]
    assert ratio <= thresholds["max_int8_size_ratio"], f"the converted QAT model is {ratio:.2f} of the float size"
    tfl_acc = float(np.mean(np.asarray(tfl["pred"]) == y_test))
    assert tfl_acc >= qat_acc - thresholds["max_accuracy_drop"], (
        f"the converted QAT model's accuracy is {tfl_acc:.3f}, the QAT Keras model's {qat_acc:.3f}")
