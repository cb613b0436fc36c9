"""Hidden tests for A16 Q2: post-training quantization (dynamic range, float16, full int8) and QAT.

The .tflite bytes the student's converters return are opened and run by a probe inside the worker;
only sizes, tensor dtypes and held-out predictions come back.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders.heldout import disguise

pytestmark = pytest.mark.question("q2")


def _digits(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    x = disguise(x, fit=x[order[:1400]], seed=split_seed + 1607)  # no held-out row can be looked up in the dataset
    return x[order[:1400]], y[order[:1400]], x[order[1400:]], y[order[1400:]]


def _report(student, fn, representative_n=None):
    x, y, x_test, y_test = _digits()
    report = student.probe("convert_report", fn, x, y, x_test, representative_n)
    assert report["is_bytes"], f"{fn} should return the .tflite flatbuffer as bytes, got a {report['type']}"
    float_acc = float(np.mean(np.asarray(report["keras_pred"]) == y_test))
    acc = float(np.mean(np.asarray(report["pred"]) == y_test))
    return report, acc, float_acc


def _check_accuracy(fn, acc, float_acc, thresholds):
    assert acc >= float_acc - thresholds["max_accuracy_drop"], (
        f"the {fn} model's held-out accuracy is {acc:.3f}, more than {thresholds['max_accuracy_drop']} below the float "
        f"model's {float_acc:.3f}")


@pytest.mark.points(2)
def test_dynamic_range_quantization(student, thresholds):
    report, acc, float_acc = _report(student, "convert_dynamic_range")
    ratio = report["size"] / report["float_size"]
    assert report["input_dtype"] == "float32" and report["output_dtype"] == "float32", (
        f"dynamic-range models keep float32 input and output, got {report['input_dtype']}/{report['output_dtype']}")
    assert report["kernels"].get("int8", 0) >= 3 and "float16" not in report["kernels"], (
        f"dense kernels by dtype: {report['kernels']}; dynamic-range quantization stores the weights as int8 "
        "(set converter.optimizations = [tf.lite.Optimize.DEFAULT] only; supported_types=[tf.float16] is float16 "
        "quantization, not dynamic range)")
    assert ratio <= thresholds["max_int8_size_ratio"], (
        f"dynamic-range model is {ratio:.2f} of the float model's size, expected at most "
        f"{thresholds['max_int8_size_ratio']}")
    _check_accuracy("dynamic-range", acc, float_acc, thresholds)


@pytest.mark.points(2)
def test_float16_quantization(student, thresholds):
    report, acc, float_acc = _report(student, "convert_float16")
    ratio = report["size"] / report["float_size"]
    assert report["kernels"].get("float16", 0) >= 3 and "int8" not in report["kernels"], (
        f"dense kernels by dtype: {report['kernels']}; float16 quantization stores the weights as float16")
    assert report["input_dtype"] == "float32", f"float16 models keep float32 input, got {report['input_dtype']}"
    lo, hi = thresholds["float16_size_ratio"]
    assert lo <= ratio <= hi, f"float16 model is {ratio:.2f} of the float model's size, expected {lo}-{hi}"
    _check_accuracy("float16", acc, float_acc, thresholds)


@pytest.mark.points(3)
def test_full_integer_quantization_with_representative_data(student, thresholds):
    report, acc, float_acc = _report(student, "convert_full_int8", 200)
    assert report["input_dtype"] == "int8" and report["output_dtype"] == "int8", (
        f"full-integer model has {report['input_dtype']} input and {report['output_dtype']} output, expected int8 "
        "(inference_input_type / inference_output_type = tf.int8 with a representative dataset)")
    assert report["kernels"].get("int8", 0) >= 3 and "float32" not in report["kernels"], (
        f"dense kernels by dtype: {report['kernels']}; every weight should be int8 (TFLITE_BUILTINS_INT8)")
    ratio = report["size"] / report["float_size"]
    assert ratio <= thresholds["max_int8_size_ratio"], (
        f"full-integer model is {ratio:.2f} of the float model's size, expected at most "
        f"{thresholds['max_int8_size_ratio']}")
    _check_accuracy("full-integer", acc, float_acc, thresholds)


@pytest.mark.points(1)
def test_float_conversion_is_the_unchanged_baseline(student):
    report, acc, float_acc = _report(student, "convert_float")
    assert report["input_dtype"] == "float32" and set(report["kernels"]) == {"float32"}, (
        f"convert_float should make a plain float32 model, got kernels {report['kernels']}")
    assert 0.9 <= report["size"] / report["float_size"] <= 1.1, "convert_float should not quantize"
    assert acc == float_acc, f"the float TFLite model should predict like Keras ({acc:.3f} vs {float_acc:.3f})"


@pytest.mark.points(2)
def test_quantization_aware_training(student, thresholds):
    x, y, x_test, y_test = _digits()
    report = student.probe("qat_report", x, y, x_test, 2)
    layers = report["layers"]
    assert "QuantizeLayer" in layers and layers.count("QuantizeWrapperV2") == 3, (
        f"the quantization-aware model's layers are {layers}; use tfmot.quantization.keras.quantize_model")
    float_acc = float(np.mean(np.asarray(report["float_pred"]) == y_test))
    qat_acc = float(np.mean(np.asarray(report["keras_pred"]) == y_test))
    assert qat_acc >= float_acc - thresholds["max_accuracy_drop"], (
        f"after quantization-aware training the accuracy is {qat_acc:.3f}, the float model's {float_acc:.3f}")
    tfl = report["tflite"]
    assert tfl["is_bytes"], "convert_qat should return bytes"
    assert tfl["kernels"].get("int8", 0) >= 3, f"the converted QAT model's kernels: {tfl['kernels']}, expected int8"
    ratio = tfl["size"] / report["float_size"]
    assert ratio <= thresholds["max_int8_size_ratio"], f"the converted QAT model is {ratio:.2f} of the float size"
    tfl_acc = float(np.mean(np.asarray(tfl["pred"]) == y_test))
    assert tfl_acc >= float_acc - thresholds["max_accuracy_drop"], (
        f"the converted QAT model's accuracy is {tfl_acc:.3f}, the float model's {float_acc:.3f}")
