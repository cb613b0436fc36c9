"""Hidden tests for A26 Q3: an Azure ML scoring script served by the real ``azmlinfsrv``.

The probe writes the student's ``score.py`` and the course's model under ``$AZUREML_MODEL_DIR`` and serves the script
with the ``azureml-inference-server-http`` application (the Flask app that ``azmlinfsrv`` runs under gunicorn); the
judge calls ``GET /`` and ``POST /score`` itself. Model loads are counted by the probe around TensorFlow's loader,
and the deployment YAML is checked against the documented fields of the CLI v2 schema.
"""

import contextlib
import json
import urllib.error
import urllib.request

import jsonschema
import numpy as np
import pytest
import yaml

from graders import checks
from graders.judge.loopback import forward

pytestmark = pytest.mark.question("q3")

FEATURES, HIDDEN, CLASSES = 8, 6, 3

# The documented fields of https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json that this
# question uses (the schema itself is hosted online); additional properties are refused, as the CLI refuses them.
PROBE = {"type": "object", "additionalProperties": False,
         "properties": {k: {"type": "integer", "minimum": 1} for k in
                        ("initial_delay", "period", "timeout", "failure_threshold", "success_threshold")}}
DEPLOYMENT_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["$schema", "name", "endpoint_name", "model", "code_configuration", "environment", "instance_type",
                 "instance_count"],
    "properties": {
        "$schema": {"const": "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json"},
        "name": {"type": "string", "pattern": "^[a-zA-Z][a-zA-Z0-9-]{2,31}$"},
        "endpoint_name": {"type": "string"}, "description": {"type": "string"},
        "model": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["path"],
                                                 "properties": {"path": {"type": "string"}}}]},
        "code_configuration": {"type": "object", "additionalProperties": False,
                               "required": ["code", "scoring_script"],
                               "properties": {"code": {"type": "string"}, "scoring_script": {"type": "string"}}},
        "environment": {"oneOf": [{"type": "string"}, {
            "type": "object", "required": ["image"],
            "properties": {"image": {"type": "string"}, "conda_file": {"type": "string"}}}]},
        "instance_type": {"type": "string"}, "instance_count": {"type": "integer", "minimum": 1},
        "request_settings": {"type": "object", "additionalProperties": False, "properties": {
            "request_timeout_ms": {"type": "integer", "minimum": 1},
            "max_concurrent_requests_per_instance": {"type": "integer", "minimum": 1},
            "max_queue_wait_ms": {"type": "integer", "minimum": 1}}},
        "liveness_probe": PROBE, "readiness_probe": PROBE,
        "environment_variables": {"type": "object"}, "app_insights_enabled": {"type": "boolean"},
    },
}


def make_weights(rng):
    return [rng.normal(0, 1.0, (FEATURES, HIDDEN)).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            rng.normal(0, 1.2, (HIDDEN, CLASSES)).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]


def probabilities(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    z = np.maximum(np.asarray(x, np.float64) @ w1 + b1, 0) @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def request(address, path, raw=None):
    req = urllib.request.Request(f"http://{address}{path}", data=raw, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextlib.contextmanager
def azmlinfsrv(student, weights):
    port = student.probe("azure_start", [np.asarray(w) for w in weights])
    try:
        with forward(student, port) as address:
            yield address
    finally:
        student.probe("azure_stop", port)


@pytest.mark.points(4)
def test_served_by_azmlinfsrv(student, rng):
    weights = make_weights(rng)
    x = rng.normal(0, 1.5, (6, FEATURES)).round(4)
    with azmlinfsrv(student, weights) as address:
        status, body = request(address, "/")
        assert status == 200 and body.strip() == b"Healthy", "GET / should answer 'Healthy' once init() has run"
        status, body = request(address, "/score", json.dumps({"data": x.tolist()}).encode())
    assert status == 200, f"POST /score answered {status}: {body[:300]!r}"
    payload = json.loads(body)
    assert isinstance(payload, dict), "run() should return a dict (azmlinfsrv sends it as JSON)"
    want = probabilities(weights, x)
    checks.assert_tensor(np.asarray(payload.get("probabilities"), np.float64), want, expect="any", rtol=0,
                         atol=2e-6, name='"probabilities"')
    checks.assert_value(payload.get("predictions"), want.argmax(axis=1).tolist(), name='"predictions"')


@pytest.mark.points(2)
def test_init_loads_the_model_once(student, rng):
    weights = make_weights(rng)
    xs = [rng.normal(0, 1.0, (int(n), FEATURES)) for n in rng.integers(1, 5, 4)]
    out = student.probe("azure_loads", [np.asarray(w) for w in weights],
                        [json.dumps({"data": x.tolist()}) for x in xs])
    for x, answer in zip(xs, out["outputs"], strict=True):
        assert "ok" in answer, f"run() raised {answer.get('raised')}"
        checks.assert_tensor(np.asarray(answer["ok"].get("probabilities"), np.float64), probabilities(weights, x),
                             expect="any", rtol=0, atol=2e-6, name='run(...)["probabilities"]')
    assert out["loads"] == 1, (
        f"init() then {len(xs)} run() calls loaded a SavedModel {out['loads']} times: load it once, in init()")


@pytest.mark.points(2)
def test_bad_input_returns_an_error_payload(student, rng):
    weights = make_weights(rng)
    bad = ["not json", json.dumps({"rows": [[0.0] * FEATURES]}), json.dumps({"data": [[0.0] * (FEATURES - 2)]}),
           json.dumps({"data": "abc"}), json.dumps([1, 2]), json.dumps({"data": [[None] * FEATURES]})]
    out = student.probe("azure_loads", [np.asarray(w) for w in weights],
                        bad + [json.dumps({"data": [[0.5] * FEATURES]})])
    for raw, answer in zip(bad, out["outputs"], strict=False):
        assert "ok" in answer, f"run({raw!r}) raised {answer.get('raised')}; return {{'error': ...}} instead"
        assert isinstance(answer["ok"], dict) and set(answer["ok"]) == {"error"}, (
            f"run({raw!r}) should return {{'error': message}} only")
        message = answer["ok"]["error"]
        assert isinstance(message, str) and message and "Traceback" not in message and len(message) < 500, (
            f"the error for {raw!r} should be a short message, never a traceback")
    assert "probabilities" in out["outputs"][-1].get("ok", {}), "a good request after bad ones should still work"


@pytest.mark.points(2)
def test_deployment_yaml(student, rng):
    count = int(rng.integers(1, 6))
    spec = student.call("azure_deployment", "digits-ep", "./model", "Standard_DS3_v2", count)
    text = yaml.safe_dump(spec)
    try:
        jsonschema.validate(yaml.safe_load(text), DEPLOYMENT_SCHEMA)
    except jsonschema.ValidationError as error:
        raise checks.CheckFailed(f"deployment.yml does not follow the CLI v2 schema at "
                                 f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}") from None
    checks.assert_value([spec["endpoint_name"], spec["instance_count"], spec["instance_type"]],
                        ["digits-ep", count, "Standard_DS3_v2"], name="endpoint_name, instance_count, instance_type")
    assert spec["code_configuration"]["scoring_script"] == "score.py", "the scoring script is score.py"
    assert spec["environment"].get("conda_file") == "conda.yml", "the environment's conda_file is conda.yml"
    for field in ("liveness_probe", "readiness_probe", "request_settings"):
        assert field in spec, f"set {field}"
    checks.assert_value(student.call("azure_deployment", "one-ep", "./model", "Standard_DS3_v2", 1)["instance_count"],
                        1, name="instance_count of a one-instance deployment")
    for bad in (0, -2, 1.5, True):
        try:
            checks.assert_raises(student.call, "azure_deployment", "e", "./model", "Standard_DS3_v2", bad,
                                 exc_type="ValueError")
        except checks.CheckFailed:
            raise checks.CheckFailed(f"azure_deployment with instance_count={bad!r} should raise ValueError") from None


@pytest.mark.points(1)
def test_conda_pins_the_exporting_tensorflow(student):
    env = yaml.safe_load(student.call("conda_yml"))
    deps = env.get("dependencies", []) if isinstance(env, dict) else []
    pips = [p for d in deps if isinstance(d, dict) for p in d.get("pip", [])]
    tf_pins = [p for p in pips + deps if isinstance(p, str) and p.replace(" ", "").startswith("tensorflow")]
    assert tf_pins and all(p.replace(" ", "") in ("tensorflow==2.18.*", "tensorflow==2.18.1") for p in tf_pins), (
        f"pin the TensorFlow that exported the model (2.18); found {tf_pins}")
    assert any(isinstance(p, str) and p.startswith("azureml-inference-server-http") for p in pips), (
        "the image needs azureml-inference-server-http (azmlinfsrv) in pip")
    assert any(isinstance(d, str) and d.replace(" ", "") in ("python=3.11", "python==3.11") for d in deps), (
        "pin python=3.11")
