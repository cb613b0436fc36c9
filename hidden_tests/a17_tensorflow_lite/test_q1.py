"""Hidden tests for A17 Q1: a depthwise-separable mobile CNN, mobile recipes (float, dynamic range, float16, full int8)
and a size/operator report.

The mobile CNN is held to the judge's weights: its weight shapes are the judge's arithmetic, its converted flatbuffer is
read by the inspector (operators, logits on fresh inputs) and compared with the reference's Keras logits.
"""

import functools
import gzip

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks

pytestmark = pytest.mark.question("q1")


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
    variants = student.probe("mobile_variants", [np.asarray(w) for w in weights], x_train[:200], x_test)
    for entry in variants.values():
        entry.update(inspector.probe("inspect_tflite", entry["model"], x_test))
        entry["gzip_bytes"] = len(gzip.compress(entry.pop("model").tobytes(), compresslevel=9, mtime=0))
    return variants


@pytest.fixture
def variants(student, inspector):
    return _variants(student, inspector)


@pytest.mark.points(3)
def test_recipes_shrink_the_model_as_documented(variants, thresholds):
    size = {mode: variants[mode]["facts"]["size_bytes"] for mode in variants}
    ratio = {mode: size[mode] / size["float"] for mode in size}
    facts = {mode: variants[mode]["facts"] for mode in variants}
    assert facts["float"]["tensor_dtypes"] == ["float32"], (
        f"'float' should be a plain float32 conversion; its tensors have dtypes {facts['float']['tensor_dtypes']}")
    assert "int8" in facts["latency"]["tensor_dtypes"] and facts["latency"]["input_dtype"] == "float32", (
        "'latency' should be dynamic-range quantization (Optimize.DEFAULT only): int8 weights, float32 I/O; got "
        f"tensor dtypes {facts['latency']['tensor_dtypes']}, input {facts['latency']['input_dtype']}")
    assert "float16" in facts["balanced"]["tensor_dtypes"] and "int8" not in facts["balanced"]["tensor_dtypes"], (
        "'balanced' should store float16 weights (supported_types = [tf.float16]); got tensor dtypes "
        f"{facts['balanced']['tensor_dtypes']}")
    assert (facts["size"]["input_dtype"], facts["size"]["output_dtype"]) == ("int8", "int8"), (
        "'size' should be full integer quantization with int8 input and output; got "
        f"{facts['size']['input_dtype']} -> {facts['size']['output_dtype']}")
    assert "float32" not in facts["size"]["tensor_dtypes"], (
        "'size' should have no float32 tensors left (supported_ops = [TFLITE_BUILTINS_INT8]); got "
        f"{facts['size']['tensor_dtypes']}")
    for mode, lo, hi in (("latency", 0.0, thresholds["max_dynamic_ratio"]),
                         ("balanced", thresholds["min_float16_ratio"], thresholds["max_float16_ratio"]),
                         ("size", 0.0, thresholds["max_int8_ratio"])):
        assert lo <= ratio[mode] <= hi, (
            f"the '{mode}' model is {ratio[mode]:.3f}x the float model's size ({size[mode]} vs {size['float']} "
            f"bytes), expected between {lo} and {hi}")


@pytest.mark.points(3)
def test_every_recipe_keeps_the_predictions(variants, thresholds):
    weights, _, _, x_test, y_test = digits_model()
    want = forward(weights, x_test)
    keras_accuracy = float(np.mean(want.argmax(1) == y_test))
    for mode, kind in (("float", "float"), ("latency", "dynamic"), ("balanced", "float16"), ("size", "int8")):
        got = np.asarray(variants[mode]["out"])
        assert_close_on_average(got, want, thresholds[f"mae_{kind}"], thresholds[f"max_error_{kind}"],
                                name=f"softmax outputs of the '{mode}' model on held-out digits")
        checks.assert_accuracy(got.argmax(1), y_test, keras_accuracy - thresholds["max_accuracy_drop"],
                               name=f"accuracy of the '{mode}' model")


@pytest.mark.points(3)
def test_deployment_report_matches_the_flatbuffer(variants):
    for mode, entry in variants.items():
        report, facts = entry["report"], entry["facts"]
        assert isinstance(report, dict), f"deployment_report should return a dict, got {type(report).__name__}"
        want = {"size_bytes": facts["size_bytes"], "gzip_bytes": entry["gzip_bytes"], "ops": facts["ops"],
                "input_dtype": facts["input_dtype"], "output_dtype": facts["output_dtype"], "within_budget": True}
        checks.assert_value(report, want, name=f"deployment_report of the '{mode}' model")
        extra = sorted(set(report["ops"]) - set(facts["ops"]))
        assert not extra, (
            f"deployment_report of the '{mode}' model lists ops {extra} that are not in the model (a 'DELEGATE' "
            "node is XNNPACK's, added by the default resolver: use BUILTIN_WITHOUT_DEFAULT_DELEGATES)")
        assert entry["report_small_budget"].get("within_budget") is False, (
            f"deployment_report(model, max_model_bytes=size - 1)['within_budget'] should be False ('{mode}' model)")
        assert entry["report_exact_budget"].get("within_budget") is True, (
            f"deployment_report(model, max_model_bytes=size)['within_budget'] should be True: a model of exactly the "
            f"budget fits it ('{mode}' model)")


@pytest.mark.points(1)
def test_size_recipe_requires_representative_data(student):
    weights = digits_model()[0]
    checks.assert_raises(student.probe, "size_mode_without_data", [np.asarray(w) for w in weights],
                         exc_type="ValueError")


def _mobile_cnn_shapes(input_shape, num_classes, separable, width):
    """The weight shapes of the docstring's architecture, in build order: the judge's own arithmetic."""
    c1, c2, c3 = (max(8, int(k * width)) for k in (16, 32, 64))

    def batch_norm(c):
        return [(c,)] * 4  # gamma, beta, moving mean, moving variance

    shapes, previous = [(3, 3, input_shape[-1], c1), *batch_norm(c1)], c1
    for channels in (c2, c3):
        if separable:
            shapes += [(3, 3, previous, 1), *batch_norm(previous), (1, 1, previous, channels), *batch_norm(channels)]
        else:
            shapes += [(3, 3, previous, channels), *batch_norm(channels)]
        previous = channels
    return shapes + [(c3, num_classes), (num_classes,)]


@pytest.mark.points(3)
@pytest.mark.parametrize("separable", [True, False], ids=["separable", "standard"])
def test_mobile_cnn_blocks_by_values_and_operators(student, reference, inspector, rng, separable):
    input_shape, num_classes = [(8, 8, 1), (12, 12, 3)][int(rng.integers(2))], int(rng.integers(3, 11))
    width = float(rng.choice([0.5, 0.75, 1.0, 1.5]))
    shapes = _mobile_cnn_shapes(input_shape, num_classes, separable, width)
    weights, k = [], 0
    while k < len(shapes):
        if shapes[k:k + 4] == [shapes[k]] * 4 and len(shapes[k]) == 1:  # batch norm: gamma, beta, mean, variance
            c = shapes[k][0]
            weights += [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.1, c), rng.normal(0, 0.1, c),
                        rng.uniform(0.5, 1.5, c)]
            k += 4
        else:
            fan_in = int(np.prod(shapes[k][:-1])) if len(shapes[k]) > 1 else 1
            weights.append(rng.normal(0, 1.0 / np.sqrt(fan_in), shapes[k]))
            k += 1
    weights = [w.astype(np.float32) for w in weights]
    x = rng.uniform(0, 1, (16, *input_shape)).astype(np.float32)
    x[8:] *= 12.0  # activations well above 6, where ReLU6 clips in every block
    got = student.probe("mobile_cnn", weights, input_shape, num_classes, separable, width, x)
    want = reference.probe("mobile_cnn", weights, input_shape, num_classes, separable, width, x)
    read = inspector.probe("inspect_tflite", got["model"], x)
    ops = read["facts"]["ops"]
    expected_ops = {"DEPTHWISE_CONV_2D": 2 if separable else 0, "CONV_2D": 3}
    for op, count in expected_ops.items():
        checks.assert_value(ops.get(op, 0), count, name=f"{op} operators in the converted build_mobile_cnn("
                            f"separable={separable}) (batch norm folds into them)")
    checks.assert_tensor(read["out"], want["logits"], rtol=1e-4, atol=1e-4,
                         name=f"logits of the converted build_mobile_cnn(separable={separable}, width={width}) "
                              "under the judge's weights, computed by the grader's interpreter")
