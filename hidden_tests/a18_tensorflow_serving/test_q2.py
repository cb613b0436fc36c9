"""Hidden tests for A18 Q2: the REST and gRPC APIs of a TF-Serving-compatible server.

The probe exports the judge's models with the course's own code, hands the student's ``serve`` a manager of the
course's own, and returns the ports. Every request then comes from this judge, through
``graders.judge.loopback.forward``: real HTTP with urllib and real gRPC with the real ``tensorflow_serving`` stubs,
parsed here and compared with the model computed in NumPy from the judge's weights.
"""

import concurrent.futures
import contextlib
import importlib.util
import json
import sys
import time
import types
import urllib.error
import urllib.request

import numpy as np
import pytest

from graders import checks
from graders.judge.loopback import forward, listening

pytestmark = pytest.mark.question("q2")

FEATURES, HIDDEN, CLASSES = 12, 8, 3


def _serving_protos():
    """The real ``tensorflow_serving`` protos and stubs, without running TensorFlow's package ``__init__`` (seconds of
    import for a process that needs only the generated protocol buffer modules)."""
    if "tensorflow" not in sys.modules:
        spec = importlib.util.find_spec("tensorflow")
        package = types.ModuleType("tensorflow")
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules["tensorflow"] = package
    import grpc
    from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorflow_serving.apis import (
        get_model_metadata_pb2,
        get_model_status_pb2,
        model_service_pb2_grpc,
        predict_pb2,
        prediction_service_pb2_grpc,
    )

    return types.SimpleNamespace(grpc=grpc, tensor_pb2=tensor_pb2, tensor_shape_pb2=tensor_shape_pb2,
                                 types_pb2=types_pb2, predict_pb2=predict_pb2, status=get_model_status_pb2,
                                 metadata=get_model_metadata_pb2, model_stub=model_service_pb2_grpc.ModelServiceStub,
                                 prediction_stub=prediction_service_pb2_grpc.PredictionServiceStub)


_NUMPY = {"DT_FLOAT": np.float32, "DT_INT64": np.int64, "DT_UINT8": np.uint8, "DT_DOUBLE": np.float64,
          "DT_INT32": np.int32}


def to_ndarray(p, proto):
    """A ``TensorProto`` as a NumPy array, read by the judge (``tensor_content`` or the typed value lists)."""
    name = p.types_pb2.DataType.Name(proto.dtype)
    if name not in _NUMPY:
        raise checks.CheckFailed(f"an output tensor has dtype {name}; expected one of {sorted(_NUMPY)}")
    dtype = np.dtype(_NUMPY[name])
    shape = tuple(d.size for d in proto.tensor_shape.dim)
    if proto.tensor_content:
        return np.frombuffer(proto.tensor_content, dtype).reshape(shape).copy()
    field = {"DT_FLOAT": proto.float_val, "DT_DOUBLE": proto.double_val, "DT_INT64": proto.int64_val}.get(
        name, proto.int_val)
    values = np.asarray(list(field), dtype)
    size = int(np.prod(shape)) if shape else 1
    if values.size == 1 and size != 1:
        values = np.full(size, values[0], dtype)
    return values.reshape(shape)


def tensor_proto(p, x):
    """A ``TensorProto`` of a NumPy array, built by the judge."""
    dtype = {np.dtype(v): k for k, v in _NUMPY.items()}[x.dtype]
    shape = p.tensor_shape_pb2.TensorShapeProto(dim=[p.tensor_shape_pb2.TensorShapeProto.Dim(size=s) for s in x.shape])
    return p.tensor_pb2.TensorProto(dtype=p.types_pb2.DataType.Value(dtype), tensor_shape=shape,
                                    tensor_content=x.tobytes())


def make_weights(rng):
    return [(rng.normal(0, 1.2, (FEATURES, HIDDEN))).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            (rng.normal(0, 1.5, (HIDDEN, CLASSES))).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]

# The served models: one fixed pool, the same in every test file, so that the probe exports each model once per
# worker and copies it afterwards (saving a SavedModel is the slow part); the inputs are drawn per test.
POOL = [make_weights(np.random.default_rng(1800 + i)) for i in range(4)]


def forward_numpy(weights, x):
    """The served model computed by the judge: probabilities, predicted class and embeddings for uint8 ``x``."""
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    h = np.maximum((x.astype(np.float64) / 255.0) @ w1 + b1, 0)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), z.argmax(axis=1), h


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(address, path, body=None, method=None):
    """``(status, parsed JSON body)`` of one request from the judge; a body that is not JSON fails the check."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{address}{path}", data=data, method=method or ("POST" if data else "GET"),
                                     headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        raise checks.CheckFailed(f"{method or ('POST' if data else 'GET')} {path} answered HTTP {status} with a body "
                                 f"that is not JSON: {raw[:200]!r}") from None


@contextlib.contextmanager
def running(student, models, labels=None):
    """Start the student's server on the judge's models (``{name: {version: weights}}``); REST and gRPC addresses."""
    wire_models = {name: {str(v): [np.asarray(w) for w in ws] for v, ws in versions.items()}
                   for name, versions in models.items()}
    info = student.probe("start_server", wire_models, labels or {})
    for key in ("rest_port", "grpc_port"):
        if not isinstance(info.get(key), int) or not 0 < info[key] < 65536:
            raise checks.CheckFailed(f"serve(...) should return a handle whose {key} is the bound port")
    try:
        with forward(student, info["rest_port"]) as rest, forward(student, info["grpc_port"]) as grpc_address:
            yield info, rest, grpc_address
    finally:
        with contextlib.suppress(Exception):
            student.probe("stop_server", info["key"])


def channel(p, address):
    return p.grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)])


def uint8_inputs(rng, n):
    return rng.integers(0, 256, (n, FEATURES)).astype(np.uint8)


def _dims(info):
    return [int(d["size"]) for d in info["tensor_shape"]["dim"]]


@pytest.mark.points(3)
def test_status_and_metadata_follow_the_rest_api(student, rng):
    weights = {1: POOL[0], 2: POOL[1]}
    with running(student, {"clf": weights}, {"clf": {"stable": 1}}) as (_info, rest, _g):
        ok = {"error_code": "OK", "error_message": ""}
        status, body = http(rest, "/v1/models/clf")
        assert status == 200, f"GET /v1/models/clf answered HTTP {status}, expected 200"
        checks.assert_value(body, {"model_version_status": [{"version": "2", "state": "AVAILABLE", "status": ok},
                                                            {"version": "1", "state": "AVAILABLE", "status": ok}]},
                            name="GET /v1/models/clf (versions as strings, newest first)")
        for path, version in (("/v1/models/clf/versions/1", "1"), ("/v1/models/clf/labels/stable", "1")):
            status, body = http(rest, path)
            assert status == 200, f"GET {path} answered HTTP {status}, expected 200"
            checks.assert_value(body, {"model_version_status": [{"version": version, "state": "AVAILABLE",
                                                                 "status": ok}]}, name=f"GET {path}")
        status, body = http(rest, "/v1/models/clf/metadata")
        assert status == 200, f"GET /v1/models/clf/metadata answered HTTP {status}, expected 200"
        checks.assert_value(body.get("model_spec"), {"name": "clf", "signature_name": "", "version": "2"},
                            name="metadata's model_spec")
        sigs = body.get("metadata", {}).get("signature_def", {}).get("signature_def")
        assert isinstance(sigs, dict) and sorted(sigs) == ["embeddings", "serving_default"], (
            "metadata.signature_def.signature_def should map both signature names of the SavedModel to their "
            "SignatureDefs")
        default = sigs["serving_default"]
        assert default.get("method_name") == "tensorflow/serving/predict", (
            "a predict signature's method_name is 'tensorflow/serving/predict'")
        got = {"inputs": {k: [v.get("dtype"), _dims(v)] for k, v in default.get("inputs", {}).items()},
               "outputs": {k: [v.get("dtype"), _dims(v)] for k, v in default.get("outputs", {}).items()}}
        checks.assert_value(got, {"inputs": {"inputs": ["DT_UINT8", [-1, FEATURES]]},
                                  "outputs": {"predicted_class": ["DT_INT64", [-1]],
                                              "probabilities": ["DT_FLOAT", [-1, CLASSES]]}},
                            name="serving_default's inputs and outputs (dtype enum names, dim sizes) in the metadata")
        embed = sigs["embeddings"].get("outputs", {}).get("embeddings", {})
        assert embed.get("dtype") == "DT_FLOAT" and _dims(embed) == [-1, HIDDEN], (
            "the embeddings signature's output should be described as DT_FLOAT [-1, hidden size]")


@pytest.mark.points(3)
def test_row_and_columnar_predictions_are_the_model_outputs(student, rng):
    weights = {1: POOL[0], 2: POOL[1]}
    x = uint8_inputs(rng, 6)
    with running(student, {"clf": weights}) as (_info, rest, _g):
        status, row = http(rest, "/v1/models/clf:predict", {"instances": x.tolist()})
        assert status == 200, f"POST :predict (row format) answered HTTP {status}: {row}"
        predictions = row.get("predictions")
        assert isinstance(predictions, list) and len(predictions) == len(x) and all(
            isinstance(p, dict) and sorted(p) == ["predicted_class", "probabilities"] for p in predictions), (
            "with two named outputs the row format answers {'predictions': [one object per instance with both "
            "outputs]}")
        probs, classes, hidden = forward_numpy(weights[2], x)
        checks.assert_tensor(np.asarray([p["probabilities"] for p in predictions], np.float32), probs, expect="any",
                             rtol=0, atol=2e-6, name="row-format probabilities (latest version)")
        checks.assert_value([p["predicted_class"] for p in predictions], classes.tolist(),
                            name="row-format predicted_class")
        status, col = http(rest, "/v1/models/clf/versions/1:predict", {"inputs": x.tolist()})
        assert status == 200, f"POST /versions/1:predict (columnar format) answered HTTP {status}: {col}"
        outputs = col.get("outputs")
        assert isinstance(outputs, dict) and sorted(outputs) == ["predicted_class", "probabilities"], (
            "the columnar format answers {'outputs': {output name: values for the whole batch}}")
        probs1, classes1, _ = forward_numpy(weights[1], x)
        checks.assert_tensor(np.asarray(outputs["probabilities"], np.float32), probs1, expect="any", rtol=0,
                             atol=2e-6, name="columnar probabilities of version 1")
        checks.assert_value(outputs["predicted_class"], classes1.tolist(), name="columnar predicted_class")
        status, named = http(rest, "/v1/models/clf/versions/1:predict",
                             {"instances": [{"inputs": r} for r in x.tolist()]})
        assert status == 200, f"row format with named inputs ([{{'inputs': ...}}, ...]) answered HTTP {status}"
        assert [p["probabilities"] for p in named["predictions"]] == outputs["probabilities"], (
            "row and columnar requests on the same inputs should give identical values")
        status, emb = http(rest, "/v1/models/clf:predict", {"signature_name": "embeddings", "inputs": x.tolist()})
        assert status == 200, f"columnar request to the 'embeddings' signature answered HTTP {status}: {emb}"
        assert isinstance(emb.get("outputs"), list), (
            "with a single output the columnar format answers {'outputs': <the values>} (no output name)")
        checks.assert_tensor(np.asarray(emb["outputs"], np.float32), hidden, expect="any", rtol=0, atol=5e-6,
                             name="embeddings")


@pytest.mark.points(3)
def test_grpc_predict_metadata_and_status(student, rng):
    p = _serving_protos()
    weights = {3: POOL[2], 5: POOL[3]}
    x = uint8_inputs(rng, 5)
    with running(student, {"clf": weights}) as (_info, rest, grpc_address):
        _, row = http(rest, "/v1/models/clf:predict", {"inputs": x.tolist()})
        with channel(p, grpc_address) as chan:
            stub = p.prediction_stub(chan)
            request = p.predict_pb2.PredictRequest()
            request.model_spec.name = "clf"
            request.inputs["inputs"].CopyFrom(tensor_proto(p, x))
            response = stub.Predict(request, timeout=10)
            assert response.model_spec.version.value == 5, (
                f"Predict without a version should serve the latest (5) and say so in model_spec.version; "
                f"got {response.model_spec.version.value}")
            got = {k: to_ndarray(p, v) for k, v in response.outputs.items()}
            assert sorted(got) == ["predicted_class", "probabilities"], f"Predict returned outputs {sorted(got)}"
            checks.assert_tensor(got["probabilities"], np.asarray(row["outputs"]["probabilities"], np.float32),
                                 expect="any", dtype="float32", rtol=0, atol=0,
                                 name="gRPC probabilities (must equal the REST values exactly)")
            checks.assert_tensor(got["predicted_class"], forward_numpy(weights[5], x)[1], expect="any", dtype="int64",
                                 atol=0, name="gRPC predicted_class")
            request.model_spec.version.value = 3
            request.output_filter.append("probabilities")
            response = stub.Predict(request, timeout=10)
            assert sorted(response.outputs) == ["probabilities"] and response.model_spec.version.value == 3, (
                "Predict should honour model_spec.version and output_filter")
            checks.assert_tensor(to_ndarray(p, response.outputs["probabilities"]), forward_numpy(weights[3], x)[0],
                                 expect="any", rtol=0, atol=2e-6, name="gRPC probabilities of version 3")
            meta = p.metadata.GetModelMetadataRequest()
            meta.model_spec.name = "clf"
            meta.metadata_field.append("signature_def")
            answer = stub.GetModelMetadata(meta, timeout=10)
            sigs = p.metadata.SignatureDefMap()
            assert answer.metadata["signature_def"].Unpack(sigs), (
                "metadata['signature_def'] should pack a SignatureDefMap")
            inputs = sigs.signature_def["serving_default"].inputs["inputs"]
            got_input = (p.types_pb2.DataType.Name(inputs.dtype), [d.size for d in inputs.tensor_shape.dim])
            assert got_input == ("DT_UINT8", [-1, FEATURES]), (
                "GetModelMetadata: serving_default's input should be DT_UINT8 [-1, features]")
            status_request = p.status.GetModelStatusRequest()
            status_request.model_spec.name = "clf"
            states = p.model_stub(chan).GetModelStatus(status_request, timeout=10)
            got_states = sorted((s.version, p.status.ModelVersionStatus.State.Name(s.state))
                                for s in states.model_version_status)
            checks.assert_value(got_states, [(3, "AVAILABLE"), (5, "AVAILABLE")], name="GetModelStatus")
            status_request.model_spec.version.value = 3
            states = p.model_stub(chan).GetModelStatus(status_request, timeout=10)
            checks.assert_value([(s.version, p.status.ModelVersionStatus.State.Name(s.state))
                                 for s in states.model_version_status], [(3, "AVAILABLE")],
                                name="GetModelStatus with model_spec.version = 3 (that version only)")


@pytest.mark.points(3)
def test_errors_have_the_documented_codes(student, rng):
    p = _serving_protos()
    with running(student, {"clf": {1: POOL[1]}}, {"clf": {"stable": 1}}) as (_info, rest, grpc_address):
        x = uint8_inputs(rng, 2).tolist()
        cases = [("unknown model", "/v1/models/nope:predict", {"instances": x}, 404),
                 ("unknown version", "/v1/models/clf/versions/7:predict", {"instances": x}, 404),
                 ("unknown label", "/v1/models/clf/labels/canary:predict", {"instances": x}, 404),
                 ("unknown signature", "/v1/models/clf:predict", {"signature_name": "nope", "instances": x}, 404),
                 ("wrong input name", "/v1/models/clf:predict", {"inputs": {"pixels": x}}, 400),
                 ("wrong feature count", "/v1/models/clf:predict", {"instances": [r[:-1] for r in x]}, 400),
                 ("malformed JSON", "/v1/models/clf:predict", b"{\"instances\": [1, 2", 400),
                 ("both instances and inputs", "/v1/models/clf:predict", {"instances": x, "inputs": x}, 400),
                 ("instances mixing arrays and objects", "/v1/models/clf:predict",
                  {"instances": [x[0], {"inputs": x[1]}]}, 400),
                 ("metadata of an unknown version", "/v1/models/clf/versions/9/metadata", None, 404),
                 ("classify on an unknown model", "/v1/models/nope:classify", {"instances": x}, 404),
                 ("classify on a model with predict signatures only", "/v1/models/clf:classify",
                  {"examples": [{"x": 1.0}]}, 400),
                 ("regress on a model with predict signatures only", "/v1/models/clf/versions/1:regress",
                  {"examples": [{"x": 1.0}]}, 400),
                 ("status of an unknown model", "/v1/models/nope", None, 404)]
        for what, path, body, want in cases:
            status, answer = http(rest, path, body)
            assert status == want, f"{what}: HTTP {status}, expected {want}"
            assert isinstance(answer, dict) and isinstance(answer.get("error"), str) and answer["error"], (
                f"{what}: the body should be {{\"error\": \"<message>\"}}, got {str(answer)[:200]}")
        status, answer = http(rest, "/v1/models/clf/labels/stable:predict", {"instances": x})
        assert status == 200 and len(answer.get("predictions", [])) == 2, (
            "after the error requests, a request to /labels/stable should still succeed")
        with channel(p, grpc_address) as chan:
            stub = p.prediction_stub(chan)
            for what, name, inputs, code in (
                    ("unknown model", "nope", {"inputs": np.zeros((1, FEATURES), np.uint8)}, "NOT_FOUND"),
                    ("wrong input name", "clf", {"pixels": np.zeros((1, FEATURES), np.uint8)}, "INVALID_ARGUMENT"),
                    ("wrong feature count", "clf", {"inputs": np.zeros((1, FEATURES + 1), np.uint8)},
                     "INVALID_ARGUMENT")):
                request = p.predict_pb2.PredictRequest()
                request.model_spec.name = name
                for key, value in inputs.items():
                    request.inputs[key].CopyFrom(tensor_proto(p, value))
                with pytest.raises(p.grpc.RpcError) as raised:
                    stub.Predict(request, timeout=10)
                assert raised.value.code().name == code, (
                    f"gRPC Predict with {what}: status {raised.value.code().name}, expected {code}")


@pytest.mark.points(2)
def test_concurrent_rest_and_grpc_clients_all_succeed(student, rng):
    p = _serving_protos()
    weights = POOL[2]
    xs = [uint8_inputs(rng, 1 + i % 3) for i in range(48)]
    want = [forward_numpy(weights, x)[0] for x in xs]
    with running(student, {"clf": {1: weights}}) as (_info, rest, grpc_address):
        with channel(p, grpc_address) as chan:
            stub = p.prediction_stub(chan)

            def one(i):
                if i % 2:
                    status, body = http(rest, "/v1/models/clf:predict", {"inputs": xs[i].tolist()})
                    assert status == 200, f"a concurrent REST request failed with HTTP {status}: {body}"
                    return np.asarray(body["outputs"]["probabilities"], np.float32)
                request = p.predict_pb2.PredictRequest()
                request.model_spec.name = "clf"
                request.inputs["inputs"].CopyFrom(tensor_proto(p, xs[i]))
                return to_ndarray(p, stub.Predict(request, timeout=20).outputs["probabilities"])

            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                got = list(pool.map(one, range(len(xs))))
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="any", rtol=0, atol=2e-6, name=f"concurrent request {i}")


@pytest.mark.points(1)
def test_server_binds_loopback_and_stops_within_two_seconds(student, rng):
    info = student.probe("start_server", {"clf": {"1": [np.asarray(w) for w in POOL[0]]}}, {})
    try:
        bound = listening(student)
        ports = {info["rest_port"], info["grpc_port"]}
        for address, port in bound:
            if port in ports:
                assert address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"), (
                    f"the server listens on {address}:{port}; bind 127.0.0.1 only")
        assert ports <= {port for _a, port in bound}, "serve(...) returned ports nothing listens on"
        with forward(student, info["rest_port"]) as rest:
            status, _ = http(rest, "/v1/models/clf")
            assert status == 200, f"GET /v1/models/clf answered HTTP {status}"
    finally:
        start = time.perf_counter()
        student.probe("stop_server", info["key"])
        elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"stop() took {elapsed:.2f} s; it must return within two seconds"
    still = ports & {port for _a, port in listening(student)}
    assert not still, f"after stop() something still listens on port(s) {sorted(still)}"
