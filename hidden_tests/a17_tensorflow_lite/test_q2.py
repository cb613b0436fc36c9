"""Hidden tests for A17 Q2: conversion from Keras, SavedModel signatures and concrete functions; Select TF ops."""

import functools

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks

pytestmark = pytest.mark.question("q2")


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


@pytest.mark.points(3)
def test_keras_conversion_and_batch_predict(student, rng):
    weights, _, _, x_test, _ = digits_model()
    x = x_test[rng.permutation(len(x_test))[:37]]
    got = student.probe("keras_conversion", _weights(), x)
    assert got["facts"]["tensor_dtypes"] == ["float32"] and got["facts"]["input_dtype"] == "float32", (
        f"convert_keras should give a plain float32 model; its tensors have dtypes {got['facts']['tensor_dtypes']}")
    want = forward(weights, x).astype(np.float32)
    checks.assert_tensor(got["out"], want, rtol=0, atol=1e-5, name="outputs of the convert_keras model")
    checks.assert_tensor(got["predict"], want, rtol=0, atol=1e-5,
                         name="tflite_predict(model, x) on a batch of 37 (resize the input to x.shape)")
    checks.assert_tensor(got["predict_one"], want[:1], rtol=0, atol=1e-5, name="tflite_predict on a batch of 1")


@pytest.mark.points(2)
def test_saved_model_signature_conversion(student, rng):
    w = rng.normal(0, 0.5, size=(6, 4)).astype(np.float32)
    b = rng.normal(0, 0.5, size=4).astype(np.float32)
    x = rng.normal(0, 1, size=(9, 6)).astype(np.float32)
    logits = x.astype(np.float64) @ w + b
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    for key, output, want in (("logits", "logits", logits), ("serving_default", "probs", probs)):
        got = student.probe("saved_model_conversion", w, b, x, key)
        assert key in got["signatures"], (
            f"convert_saved_model(folder, {key!r}) should keep the signature {key!r} "
            f"(from_saved_model(..., signature_keys=[key])); the model has {sorted(got['signatures'])}")
        assert sorted(got["signatures"]) == [key], (
            f"convert_saved_model(folder, {key!r}) converts that one signature; the model has "
            f"{sorted(got['signatures'])} (without signature_keys the converter takes every signature)")
        checks.assert_value(got["signatures"][key], {"inputs": ["features"], "outputs": [output]},
                            name=f"signature {key!r} of the converted SavedModel")
        checks.assert_tensor(got["outputs"][output], want.astype(np.float32), rtol=1e-5, atol=1e-5,
                             name=f"output {output!r} of signature {key!r} on a batch of 9")


@pytest.mark.points(2)
def test_concrete_function_with_variables(student, rng):
    a = rng.normal(0, 1, size=5).astype(np.float32)
    c = float(rng.normal(0, 1))
    x = rng.normal(0, 1, size=(11, 5)).astype(np.float32)
    got = student.probe("concrete_conversion", a, c, x)
    want = a * np.sin(x.astype(np.float64)) + np.float32(c) * np.sum(x.astype(np.float64) ** 2, axis=1, keepdims=True)
    checks.assert_tensor(got["out"], want.astype(np.float32), rtol=1e-5, atol=1e-5,
                         name="outputs of convert_concrete_function(module.__call__, module)")
    assert not any(op.startswith("Flex") for op in got["facts"]["ops"]), (
        f"this function needs no Select TF ops, but the model contains {sorted(got['facts']['ops'])}")


@pytest.mark.points(3)
def test_select_ops_only_where_needed(student, rng):
    matrices = rng.normal(0, 1, size=(6, 3, 3)).astype(np.float32)
    got = student.probe("select_ops_conversion", matrices)
    assert got["det"]["used"] is True, (
        "tf.linalg.det has no builtin TFLite kernel: convert_with_select_ops should catch the ConverterError, "
        "retry with SELECT_TF_OPS and report used_select_ops=True")
    assert "FlexMatrixDeterminant" in got["det"]["ops"], (
        f"the determinant model should run the Flex op FlexMatrixDeterminant; its ops are {got['det']['ops']}")
    checks.assert_tensor(got["det"]["out"], np.linalg.det(matrices.astype(np.float64)).astype(np.float32),
                         rtol=1e-4, atol=1e-4, name="determinants from the Select-ops model")
    assert got["frobenius"]["used"] is False, (
        "a sum of squares converts with builtins only: convert_with_select_ops must try TFLITE_BUILTINS first "
        "and report used_select_ops=False (Flex ops bloat the app and run only with the TF runtime)")
    assert not any(op.startswith("Flex") for op in got["frobenius"]["ops"]), (
        f"the builtin-only model should contain no Flex op; it has {got['frobenius']['ops']}")
    checks.assert_tensor(got["frobenius"]["out"], np.sum(matrices.astype(np.float64) ** 2, axis=(1, 2)),
                         rtol=1e-5, atol=1e-5, name="sums of squares from the builtin model")
