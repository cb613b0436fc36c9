"""Hidden tests for A26 Q1: a Vertex AI custom-container server, called over HTTP by the judge.

The probe sets Vertex's ``AIP_*`` variables (a port, routes and a model folder of the judge's choosing) and starts
the student's server in the worker; every request comes from this judge through ``graders.judge.loopback.forward``
and every prediction is compared with the MLP computed in NumPy from the judge's weights.
"""

import contextlib
import json
import urllib.error
import urllib.request

import numpy as np
import pytest

from graders import checks
from graders.judge.loopback import forward, listening

pytestmark = pytest.mark.question("q1")

FEATURES, HIDDEN, CLASSES = 8, 6, 3


def make_weights(rng):
    return [rng.normal(0, 1.0, (FEATURES, HIDDEN)).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            rng.normal(0, 1.2, (HIDDEN, CLASSES)).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]


def probabilities(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    z = np.maximum(np.asarray(x, np.float64) @ w1 + b1, 0) @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def request(address, path, body=None, method=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(f"http://{address}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextlib.contextmanager
def vertex(student, weights, health="/v1/endpoints/e1/deployedModels/d1", predict="/v1/endpoints/e1:predict",
           max_request_bytes=None):
    started = student.probe("vertex_start", [np.asarray(w) for w in weights], health, predict, max_request_bytes)
    port = started["chosen"]
    try:
        assert started["returned"] == port, (
            f"run_vertex_server() should serve on $AIP_HTTP_PORT and return that port; it returned "
            f"{started['returned']!r}")
        found = listening(student)
        assert ("127.0.0.1", port) in found, f"nothing listens on 127.0.0.1:$AIP_HTTP_PORT (found {found})"
        with forward(student, port) as address:
            yield address
    finally:
        student.probe("vertex_stop", port)


@pytest.mark.points(2)
def test_server_honours_the_aip_environment(student, rng):
    with vertex(student, make_weights(rng), health="/hc/a26", predict="/v1/models/m:predict") as address:
        status, body = request(address, "/hc/a26")
        assert status == 200, f"GET $AIP_HEALTH_ROUTE should answer 200 once the model is loaded, got {status}"
        status, _ = request(address, "/hc/a26", {"instances": [[0.0] * FEATURES]})
        assert status == 405, f"POST on $AIP_HEALTH_ROUTE should be 405, got {status}"
        status, _ = request(address, "/health")
        assert status == 404, f"with AIP_HEALTH_ROUTE set, /health is not a route (expected 404, got {status})"
        status, _ = request(address, "/predict", {"instances": [[0.0] * FEATURES]})
        assert status == 404, f"with AIP_PREDICT_ROUTE set, /predict is not a route (expected 404, got {status})"
        status, body = request(address, "/v1/models/m:predict", {"instances": [[0.5] * FEATURES]})
        assert status == 200, f"POST $AIP_PREDICT_ROUTE answered {status}: {body[:200]!r}"


@pytest.mark.points(3)
def test_predictions_match_the_model(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.5, (7, FEATURES)).round(4)
    with vertex(student, weights) as address:
        status, body = request(address, "/v1/endpoints/e1:predict",
                               {"instances": x.tolist(), "parameters": {"confidence": 0.5}})
    assert status == 200, f"predict answered {status}: {body[:200]!r}"
    payload = json.loads(body)
    assert isinstance(payload, dict) and isinstance(payload.get("predictions"), list), (
        'the response body should be {"predictions": [...]}')
    assert len(payload["predictions"]) == len(x), "one prediction per instance, in order"
    want = probabilities(weights, x)
    got = [p.get("probabilities") if isinstance(p, dict) else None for p in payload["predictions"]]
    checks.assert_tensor(np.asarray(got, dtype=np.float64), want, expect="any", rtol=0, atol=2e-6,
                         name="predictions[i]['probabilities']")
    checks.assert_value([p["predicted_class"] for p in payload["predictions"]], want.argmax(axis=1).tolist(),
                        name="predictions[i]['predicted_class']")


@pytest.mark.points(2)
def test_bad_requests_get_json_errors(student, rng):
    path = "/v1/endpoints/e1:predict"
    cases = [("malformed JSON", dict(raw=b"{not json"), 400),
             ("no 'instances'", dict(body={"inputs": [[0.0] * FEATURES]}), 400),
             ("empty instances", dict(body={"instances": []}), 400),
             ("an instance of the wrong width", dict(body={"instances": [[0.0] * (FEATURES + 1)]}), 400),
             ("a string among the numbers", dict(body={"instances": [["a"] + [0.0] * (FEATURES - 1)]}), 400),
             ("booleans", dict(body={"instances": [[True] * FEATURES]}), 400),
             ("'parameters' that is not an object", dict(body={"instances": [[0.0] * FEATURES],
                                                              "parameters": [1]}), 400)]
    with vertex(student, make_weights(rng)) as address:
        for case, kwargs, want in cases:
            status, body = request(address, path, **kwargs)
            assert status == want, f"a request with {case} should get {want}, got {status}"
            try:
                assert "error" in json.loads(body)
            except (ValueError, TypeError, AssertionError):
                raise checks.CheckFailed(f'the {want} answer to {case} should be JSON {{"error": ...}}') from None
        status, _ = request(address, path, method="GET")
        assert status == 405, f"GET on the predict route should be 405, got {status}"
        status, _ = request(address, "/v1/elsewhere", {"instances": [[0.0] * FEATURES]})
        assert status == 404, f"an unknown path should be 404, got {status}"


@pytest.mark.points(1)
def test_parse_instances_checks_every_value(student, rng):
    x = rng.normal(0, 2.0, (int(rng.integers(2, 6)), FEATURES))
    got = student.call("parse_instances", {"instances": x.tolist(), "parameters": {"k": 1}}, FEATURES)
    checks.assert_tensor(got, x.astype(np.float32), expect="array", dtype="float32", rtol=0, atol=0,
                         name="parse_instances(...)")
    row = [float(v) for v in rng.normal(size=FEATURES)]
    for case, payload in (("one NaN among finite numbers", {"instances": [row[:-1] + [float("nan")], row]}),
                          ("one infinity", {"instances": [row, [float("inf")] + row[1:]]}),
                          ("one boolean among numbers", {"instances": [row[:-1] + [True]]}),
                          ("one string among numbers", {"instances": [row, row[:-1] + ["1.0"]]}),
                          ("one short row", {"instances": [row, row[:-1]]})):
        try:
            checks.assert_raises(student.call, "parse_instances", payload, FEATURES, exc_type="ValueError")
        except checks.CheckFailed:
            raise checks.CheckFailed(f"parse_instances should raise ValueError for {case}") from None


@pytest.mark.points(1)
def test_oversized_requests_get_413(student, rng):
    limit = int(rng.integers(3000, 6000))
    small = {"instances": [[0.25] * FEATURES]}
    big = {"instances": [[0.123456789] * FEATURES] * (limit // 60)}
    assert len(json.dumps(big)) > limit
    with vertex(student, make_weights(rng), max_request_bytes=limit) as address:
        status, _ = request(address, "/v1/endpoints/e1:predict", big)
        assert status == 413, f"a body over max_request_bytes should get 413, got {status}"
        status, _ = request(address, "/v1/endpoints/e1:predict", small)
        assert status == 200, f"a small body should still be answered (got {status})"


@pytest.mark.points(2)
def test_batch_prediction_files(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.0, (6, FEATURES)).round(3)
    lines = [json.dumps(row) for row in x.tolist()]
    bad = {1: "{broken", 4: json.dumps([1.0, 2.0]), 6: json.dumps(["x"] * FEATURES)}
    for at in sorted(bad):
        lines.insert(at, bad[at])
    lines.insert(3, "")
    out = student.probe("vertex_batch", [np.asarray(w) for w in weights], lines)
    results, errors = "prediction.results-00000-of-00001", "prediction.errors_stats-00000-of-00001"
    checks.assert_value(sorted(out["files"]), sorted([results, errors]), name="the files batch_predict_jsonl writes")
    checks.assert_value(sorted(out["returned"]), sorted([results, errors]), name="the paths it returns")
    rows = out["files"][results]
    assert len(rows) == len(x), f"one result line per valid instance ({len(x)}), found {len(rows)}"
    checks.assert_value([r.get("instance") for r in rows], x.tolist(), name="each result's 'instance' echo, in order")
    got = np.asarray([r["prediction"]["probabilities"] for r in rows], np.float64)
    checks.assert_tensor(got, probabilities(weights, x), expect="any", rtol=0, atol=2e-6,
                         name="each result's prediction probabilities")
    checks.assert_value(sorted(r.get("instance") for r in out["files"][errors]), sorted(bad.values()),
                        name="the raw lines in the errors file")
    assert all(isinstance(r.get("errorMessage"), str) and r["errorMessage"] for r in out["files"][errors]), (
        "every error line needs a non-empty errorMessage")


@pytest.mark.points(2)
def test_traffic_split_rules(student, rng):
    a, b = (f"{int(v)}" for v in rng.integers(10**9, 10**10, 2))
    good = [{a: 100}, {a: 90, b: 10}, {a: 0, b: 100}, {a: 33, b: 33, "x9": 34}]
    bad = [{}, {a: 90}, {a: 90, b: 11}, {a: 50.0, b: 50}, {a: True, b: 99}, {a: 101, b: -1}, {a: "50", b: 50},
           [(a, 100)]]
    for split in good:
        try:
            student.call("validate_traffic_split", split)
        except Exception as exc:  # noqa: BLE001 - any exception is the failure
            raise checks.CheckFailed(f"validate_traffic_split({split}) should accept it; it raised "
                                     f"{type(exc).__name__}") from None
    for split in bad:
        try:
            checks.assert_raises(student.call, "validate_traffic_split", split, exc_type="ValueError")
        except checks.CheckFailed:
            raise checks.CheckFailed(f"validate_traffic_split({split!r}) should raise ValueError") from None
