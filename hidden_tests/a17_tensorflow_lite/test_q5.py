"""Hidden tests for A17 Q5: edge deployment (C array for TFLite Micro, a model package, a TensorFlow-free run)."""

import functools
import hashlib
import re

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks

pytestmark = pytest.mark.question("q5")


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
def test_c_array_round_trips(student):
    got = student.probe("c_array", _weights(), "g_digits")
    source = got["source"]
    assert isinstance(source, str), f"export_c_array should return a str, got {type(source).__name__}"
    match = re.search(r"alignas\(16\)\s+const\s+unsigned\s+char\s+g_digits\[\]\s*=\s*\{([^}]*)\}\s*;", source)
    assert match, ("expected `alignas(16) const unsigned char g_digits[] = {0x.., ...};` (TFLite Micro reads the "
                   "flatbuffer in place, so it must be 16-byte aligned)")
    literals = [t.strip() for t in match.group(1).split(",") if t.strip()]
    bad = [t for t in literals if not re.fullmatch(r"0x[0-9a-f]{2}", t)]
    assert not bad, f"every byte should be a lower-case 0x.. literal; found {bad[:3]}"
    data = bytes(int(t, 16) for t in literals)
    assert len(data) == got["length"], f"the array holds {len(data)} bytes, the model has {got['length']}"
    assert hashlib.sha256(data).hexdigest() == got["sha256"], "the array's bytes differ from the model's bytes"
    length = re.search(r"const\s+unsigned\s+int\s+g_digits_len\s*=\s*(\d+)\s*;", source)
    assert length and int(length.group(1)) == got["length"], (
        f"expected `const unsigned int g_digits_len = {got['length']};`")


@pytest.mark.points(3)
def test_package_files_and_manifest(student, rng):
    labels = [f"digit_{k}" for k in rng.permutation(10)]
    weights, x_train, _, _, _ = digits_model()
    got = student.probe("package", _weights(), x_train[:100], labels)
    for name in ("labels.txt", "manifest.json", "model.tflite"):
        assert name in got["files"], f"package_model should write {name} into out_dir; found {got['files']}"
    assert got["file_sha256"] == got["expected_sha256"], "model.tflite should hold exactly the model's bytes"
    assert got["labels_lines"] == labels, "labels.txt should hold one label per line, in order"
    want = {"model_file": "model.tflite", "sha256": got["expected_sha256"], "size_bytes": got["expected_size"],
            "labels": len(labels), **got["truth"]}
    checks.assert_value(got["returned"], want, rtol=1e-6, name="the manifest returned by package_model")
    checks.assert_value(got["manifest_file"], want, rtol=1e-6, name="manifest.json")


@pytest.mark.points(4)
def test_edge_run_without_tensorflow(student, rng):
    weights, x_train, _, x_test, _ = digits_model()
    x = x_test[rng.permutation(len(x_test))[:25]]
    got = student.probe("edge_run", _weights(), x_train[:100], x, False)
    checks.assert_tensor(got["out"], got["in_process"], expect="array", dtype="float32", rtol=0, atol=1e-6,
                         name="run_on_edge outputs of the float model (in a subprocess, without TensorFlow)")
    checks.assert_tensor(got["out"], forward(weights, x).astype(np.float32), rtol=0, atol=1e-5,
                         name="run_on_edge outputs vs the Keras model")
    got = student.probe("edge_run", _weights(), x_train[:100], x, True)
    checks.assert_tensor(got["out"], got["in_process"], expect="array", dtype="float32", rtol=0, atol=1e-6,
                         name="run_on_edge outputs of the int8 model (quantize input, dequantize output)")
