"""Hidden tests for A26 Q6: serverless handlers on real event shapes.

The probe plays a fresh Lambda container (``MODEL_DIR`` set, the module cache emptied, the course's ``load_model``
wrapped to count loads) and builds the fake context object; the events are API Gateway REST (v1), HTTP API (v2) and
SQS shapes as AWS documents them. The judge times the cold and warm calls itself, around the probe calls. The Cloud
Functions handler is served by the real ``functions-framework`` and called over HTTP by the judge.
"""

import base64
import json
import statistics
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from graders import checks
from graders.judge.loopback import forward

pytestmark = pytest.mark.question("q6")

FEATURES, HIDDEN, CLASSES = 8, 6, 3


def make_weights(rng):
    return [rng.normal(0, 1.0, (FEATURES, HIDDEN)).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            rng.normal(0, 1.2, (HIDDEN, CLASSES)).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]


def probabilities(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    z = np.maximum(np.asarray(x, np.float64) @ w1 + b1, 0) @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def v1_event(body, b64=False):
    return {"resource": "/predict", "path": "/predict", "httpMethod": "POST",
            "headers": {"Content-Type": "application/json"}, "multiValueHeaders": {},
            "queryStringParameters": None, "pathParameters": None, "stageVariables": None,
            "requestContext": {"resourcePath": "/predict", "httpMethod": "POST", "stage": "prod",
                               "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                               "identity": {"sourceIp": "10.0.0.1"}},
            "body": base64.b64encode(body.encode()).decode() if b64 else body, "isBase64Encoded": b64}


def v2_event(body, b64=False):
    return {"version": "2.0", "routeKey": "POST /predict", "rawPath": "/predict", "rawQueryString": "",
            "headers": {"content-type": "application/json"},
            "requestContext": {"http": {"method": "POST", "path": "/predict", "protocol": "HTTP/1.1",
                                        "sourceIp": "10.0.0.1", "userAgent": "a26"},
                               "requestId": "JKJaXmPLvHcESHA=", "routeKey": "POST /predict", "stage": "$default"},
            "body": base64.b64encode(body.encode()).decode() if b64 else body, "isBase64Encoded": b64}


def invoke(student, event, remaining_ms=10_000, handler="lambda_handler"):
    response = student.probe("lambda_invoke", handler, event, remaining_ms)
    assert isinstance(response, dict) and {"statusCode", "body"} <= set(response), (
        'return {"statusCode": ..., "headers": ..., "body": json string}')
    return response


@pytest.mark.points(3)
def test_v1_v2_and_base64_events(student, rng):
    weights = make_weights(rng)
    student.probe("lambda_cold", [np.asarray(w) for w in weights])
    for make, b64, what in ((v1_event, False, "REST API (v1)"), (v2_event, False, "HTTP API (v2)"),
                            (v1_event, True, "v1 with a base64 body"), (v2_event, True, "v2 with a base64 body")):
        x = rng.normal(0, 1.5, (int(rng.integers(1, 6)), FEATURES)).round(4)
        response = invoke(student, make(json.dumps({"instances": x.tolist()}), b64))
        assert response["statusCode"] == 200, f"a {what} event got {response['statusCode']}: {response['body'][:200]}"
        assert response.get("headers", {}).get("Content-Type") == "application/json", "set Content-Type"
        checks.assert_tensor(np.asarray(json.loads(response["body"])["predictions"], np.float64),
                             probabilities(weights, x), expect="any", rtol=0, atol=2e-6,
                             name=f"predictions for a {what} event")


@pytest.mark.points(3)
def test_model_loads_once_and_cold_start_stays_out_of_warm_calls(student, rng, thresholds):
    weights = make_weights(rng)
    ratios = []
    for _attempt in range(2):  # a busy machine only slows the warm calls down: measure a second container first
        student.probe("lambda_cold", [np.asarray(w) for w in weights])
        times, x = [], rng.normal(0, 1.0, (2, FEATURES))
        for i in range(int(thresholds["warm_calls"]) + 1):
            event = v2_event(json.dumps({"instances": (x + i).tolist()}))
            start = time.perf_counter()
            response = invoke(student, event)
            times.append(time.perf_counter() - start)
            assert response["statusCode"] == 200, f"call {i} got {response['statusCode']}"
            checks.assert_tensor(np.asarray(json.loads(response["body"])["predictions"], np.float64),
                                 probabilities(weights, x + i), expect="any", rtol=0, atol=2e-6,
                                 name=f"the predictions of call {i}")
        loads = student.probe("lambda_loads")
        assert loads == 1, (f"{len(times)} invocations in one container loaded the model {loads} times "
                            "(load it with load_model, once, on the cold start)")
        ratios.append(times[0] / statistics.median(times[1:]))
        if ratios[-1] >= thresholds["min_cold_warm_ratio"]:
            return
    raise checks.CheckFailed(f"the cold call took only {max(ratios):.1f}x the median warm call: the model load "
                             "belongs to the cold start, and a warm call should only predict")


@pytest.mark.points(2)
def test_bad_requests_timeouts_and_size(student, rng):
    student.probe("lambda_cold", [np.asarray(w) for w in make_weights(rng)])
    good = json.dumps({"instances": [[0.1] * FEATURES]})
    for body, what in (("{oops", "malformed JSON"), (json.dumps({"instances": [[1.0, 2.0]]}), "a short instance"),
                       (json.dumps({"rows": []}), "no instances"), (json.dumps([[0.0] * FEATURES]), "a bare list"),
                       (json.dumps({"instances": [[float("nan")] * FEATURES]}), "a NaN instance"),
                       (json.dumps({"instances": [[0.1] * FEATURES, [0.2] * (FEATURES - 1) + [float("inf")]]}),
                        "an infinite value in the second of two instances"),
                       (json.dumps({"instances": [[1] * (FEATURES - 1) + [True]]}), "a boolean feature")):
        response = invoke(student, v2_event(body))
        assert response["statusCode"] == 400, f"{what} should get 400, got {response['statusCode']}"
        message = json.loads(response["body"]).get("error", "")
        assert message and "Traceback" not in message, f"the 400 for {what} needs a short JSON error"
    response = invoke(student, v1_event("!!!not base64!!!", False) | {"isBase64Encoded": True})
    assert response["statusCode"] == 400, f"an undecodable base64 body should get 400, got {response['statusCode']}"
    big = json.dumps({"instances": [[0.123456789] * FEATURES] * 70_000})
    assert len(big) > 6 * 1024 * 1024
    assert invoke(student, v2_event(big))["statusCode"] == 413, "a body over 6 MB should get 413"
    full = good + " " * (6 * 1024 * 1024 - len(good))
    assert invoke(student, v1_event(full))["statusCode"] == 200, "a body of exactly 6 MB (6 * 1024 * 1024 bytes) fits"
    x = rng.normal(0, 1.0, (3, FEATURES))
    checks.assert_tensor(student.call("parse_rows", {"instances": x.tolist()}, FEATURES), x.astype(np.float32),
                         expect="array", dtype="float32", rtol=0, atol=0, name="parse_rows(...)")
    assert invoke(student, v2_event(good), remaining_ms=150)["statusCode"] == 503, (
        "with under 200 ms left, answer 503 before doing any work")
    assert invoke(student, v2_event(good), remaining_ms=200)["statusCode"] == 200, "with 200 ms left, answer"


@pytest.mark.points(2)
def test_sqs_partial_batch_failures(student, rng):
    student.probe("lambda_cold", [np.asarray(w) for w in make_weights(rng)])
    records, bad_ids = [], []
    for i in range(12):
        mid = f"{int(rng.integers(10**8, 10**9))}-{i}"
        bad = bool(rng.random() < 0.4) or i == 3
        body = "{bad" if bad and i % 2 else (json.dumps({"instances": [[1.0] * (FEATURES - 1)]}) if bad else
                                             json.dumps({"instances": rng.normal(size=(2, FEATURES)).tolist()}))
        bad_ids += [mid] if bad else []
        records.append({"messageId": mid, "receiptHandle": "AQEB" + mid, "body": body, "attributes": {},
                        "messageAttributes": {}, "eventSource": "aws:sqs",
                        "eventSourceARN": "arn:aws:sqs:eu-west-1:000000000000:q", "awsRegion": "eu-west-1"})
    out = student.probe("lambda_invoke", "sqs_batch_handler", {"Records": records}, 10_000)
    checks.assert_value(out, {"batchItemFailures": [{"itemIdentifier": m} for m in bad_ids]},
                        name="the SQS batch response (exactly the bad messages, in order)")


def post(address, body, method="POST"):
    req = urllib.request.Request(f"http://{address}/", data=body, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.points(2)
def test_cloud_function_under_functions_framework(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.5, (3, FEATURES)).round(4)
    port = student.probe("cloud_function_start", [np.asarray(w) for w in weights])
    try:
        with forward(student, port) as address:
            status, body = post(address, json.dumps({"instances": x.tolist()}).encode())
            bad_status, bad_body = post(address, b"{nope")
            get_status, _ = post(address, None, method="GET")
    finally:
        student.probe("cloud_function_stop", port)
    assert status == 200, f"POST answered {status}: {body[:200]!r}"
    checks.assert_tensor(np.asarray(json.loads(body)["predictions"], np.float64), probabilities(weights, x),
                         expect="any", rtol=0, atol=2e-6, name="the Cloud Function's predictions")
    assert bad_status == 400 and "error" in json.loads(bad_body), "a malformed body gets 400 with a JSON error"
    assert get_status == 405, f"GET should get 405, got {get_status}"
