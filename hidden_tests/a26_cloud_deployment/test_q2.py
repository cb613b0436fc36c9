"""Hidden tests for A26 Q2: a SageMaker model archive driven by the real ``sagemaker-inference`` toolkit.

The probe builds the student's ``model.tar.gz`` around the course's SavedModel, extracts it as SageMaker extracts to
``/opt/ml/model``, puts ``code/`` on the path and lets the toolkit's ``Transformer`` (the handler service of
SageMaker's framework containers) import ``inference.py`` and call its handlers. The judge checks the layout it is
told about and compares every prediction with the MLP computed in NumPy from its own weights.
"""

import csv
import io
import json

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

FEATURES, HIDDEN, CLASSES = 8, 6, 3


def make_weights(rng):
    return [rng.normal(0, 1.0, (FEATURES, HIDDEN)).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            rng.normal(0, 1.2, (HIDDEN, CLASSES)).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]


def probabilities(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    z = np.maximum(np.asarray(x, np.float64) @ w1 + b1, 0) @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def wire(weights):
    return [np.asarray(w) for w in weights]


@pytest.mark.points(2)
def test_tarball_layout(student, rng):
    version = int(rng.integers(2, 40))
    info = student.probe("sagemaker_tarball", wire(make_weights(rng)), version)
    assert info["returned"], "build_model_tarball should return out_path"
    assert info["magic"] == "1f8b", "model.tar.gz must be gzip-compressed (mode 'w:gz')"
    names = [m["name"] for m in info["members"]]
    bad = [n for n in names if n.startswith("/") or ".." in n.split("/") or n.startswith("./")]
    assert not bad, f"member names must be relative, without '..' or './': {bad[:3]}"
    assert all(m["type"] in ("file", "dir") for m in info["members"]), "only files and folders (no links) belong"
    unreadable = [m["name"] for m in info["members"] if m["type"] == "file" and not m["mode"] & 0o400]
    assert not unreadable, f"the model server must be able to read every file; these have no read bit: {unreadable[:3]}"
    files = {m["name"] for m in info["members"] if m["type"] == "file"}
    for need in (f"{version}/saved_model.pb", f"{version}/variables/variables.index", "code/inference.py",
                 "code/requirements.txt"):
        assert need in files, f"the archive should hold {need}"
    tops = sorted({n.split("/")[0] for n in names})
    checks.assert_value(tops, sorted([str(version), "code"]), name="the archive's top-level entries")


@pytest.mark.points(3)
def test_json_requests_through_the_toolkit(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.5, (5, FEATURES)).round(4)
    answers = student.probe("sagemaker_invoke", wire(weights), 3, [
        [json.dumps({"instances": x.tolist()}), "application/json", "application/json"],
        [json.dumps({"instances": x[:2].tolist()}).encode().decode(), "application/json; charset=utf-8",
         "application/json"]])
    for answer, rows in zip(answers, (x, x[:2]), strict=True):
        assert answer["status"] == 200, f"the toolkit answered {answer['status']}: {(answer['body'] or '')[:300]}"
        assert answer["content_type"] == "application/json", "output_fn should return the content type it wrote"
        body = json.loads(answer["body"])
        checks.assert_tensor(np.asarray(body["predictions"], np.float64), probabilities(weights, rows),
                             expect="any", rtol=0, atol=2e-6, name='the JSON response\'s "predictions"')


@pytest.mark.points(3)
def test_csv_in_and_out(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.5, (4, FEATURES)).round(3)
    body = "\n".join(",".join(repr(float(v)) for v in row) for row in x) + "\n"
    answers = student.probe("sagemaker_invoke", wire(weights), 1, [
        [body, "text/csv", "text/csv"], [body, "text/csv", "application/json"]])
    assert answers[0]["status"] == 200, f"CSV in, CSV out answered {answers[0]['status']}: {answers[0]['body']}"
    assert answers[0]["content_type"] == "text/csv", "Accept: text/csv should get text/csv back"
    rows = [[float(v) for v in r] for r in csv.reader(io.StringIO(answers[0]["body"])) if r]
    checks.assert_tensor(np.asarray(rows, np.float64), probabilities(weights, x), expect="any", rtol=0, atol=1e-6,
                         name="the CSV response (one line of probabilities per instance)")
    assert answers[1]["status"] == 200 and answers[1]["content_type"] == "application/json", (
        "CSV in with Accept: application/json should answer JSON")
    checks.assert_tensor(np.asarray(json.loads(answers[1]["body"])["predictions"], np.float64),
                         probabilities(weights, x), expect="any", rtol=0, atol=2e-6, name="CSV in, JSON out")


@pytest.mark.points(1)
def test_unsupported_content_type_is_refused(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.0, (2, FEATURES))
    answers = student.probe("sagemaker_invoke", wire(weights), 1, [
        [json.dumps({"instances": x.tolist()}), "application/x-npy", "application/json"],
        [json.dumps({"instances": x.tolist()}), "application/json", "application/json"]])
    assert answers[0]["status"] != 200, "an unsupported content type must not be answered with predictions"
    assert "unsupported content type" in (answers[0]["body"] or "").lower(), (
        "input_fn should raise ValueError('unsupported content type ...')")
    assert answers[1]["status"] == 200, "a JSON request should still work"


@pytest.mark.points(1)
def test_model_fn_serves_the_highest_version(student, rng):
    weights, old = make_weights(rng), make_weights(rng)
    x = rng.normal(0, 1.0, (3, FEATURES))
    answers = student.probe("sagemaker_invoke", wire(weights), 12, [
        [json.dumps({"instances": x.tolist()}), "application/json", "application/json"]],
        [[3, wire(old)], [9, wire(old)]])
    assert answers[0]["status"] == 200, f"the toolkit answered {answers[0]['status']}: {answers[0]['body']}"
    checks.assert_tensor(np.asarray(json.loads(answers[0]["body"])["predictions"], np.float64),
                         probabilities(weights, x), expect="any", rtol=0, atol=2e-6,
                         name="predictions with versions 3, 9 and 12 present (12 is served)")


def _ideal_split(records, limit):
    batches, current, size = [], [], 0
    for r in records:
        n = len(r.encode())
        grown = n if not current else size + 1 + n
        if current and grown > limit:
            batches.append(current)
            current, grown = [], n
        current.append(r)
        size = grown
    return batches + ([current] if current else [])


@pytest.mark.points(2)
def test_batch_transform_split(student, rng):
    records = ["".join(chr(int(c)) for c in rng.integers(97, 123, int(n))) + ("é" * int(e))
               for n, e in zip(rng.integers(1, 60, 80), rng.integers(0, 3, 80), strict=True)]
    limit = int(rng.integers(100, 200))
    got = student.call("split_for_batch_transform", records, limit)
    assert isinstance(got, list) and all(isinstance(b, list) for b in got), "return a list of lists of records"
    assert [r for b in got for r in b] == records, "every record exactly once, in order, never cut"
    sizes = [len("\n".join(b).encode("utf-8")) for b in got]
    assert max(sizes) <= limit, "a mini-batch's payload (UTF-8 bytes, joined with newlines) is over the limit"
    assert len(got) == len(_ideal_split(records, limit)), (
        "fill each mini-batch while the next record still fits (too many mini-batches)")
    checks.assert_value(student.call("split_for_batch_transform", ["y", "é" * (limit // 2), "z"], limit // 2 * 2),
                        [["y"], ["é" * (limit // 2)], ["z"]], name="records of exactly the limit, alone")
    checks.assert_raises(student.call, "split_for_batch_transform", ["x" * (limit + 1)], limit, exc_type="ValueError")
