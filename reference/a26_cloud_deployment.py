"""Reference solution for A26, Cloud Deployment.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the marked solution
regions from the student release. This docstring sits before the first section, so it is in no notebook cell.

No cloud can be reached from these machines and no Docker engine runs, so every question grades the *local contract*
each platform publishes, with the platform's own open-source tooling where it exists on PyPI:

- Vertex AI custom container: the ``AIP_*`` environment variables, the health and predict routes and the
  ``{"instances": ...}`` / ``{"predictions": ...}`` bodies, served on loopback and called by the grader over HTTP;
  batch prediction's JSON Lines files; the endpoint traffic-split rules.
- SageMaker: the ``model.tar.gz`` layout and an ``inference.py`` with ``model_fn``/``input_fn``/``predict_fn``/
  ``output_fn``, driven by the real ``sagemaker-inference`` toolkit's ``Transformer`` (the part of the
  SageMaker containers that calls those handlers); batch transform's payload split.
- Azure Machine Learning: a ``score.py`` with ``init``/``run``, served by the real ``azmlinfsrv`` application from
  ``azureml-inference-server-http``; the CLI v2 deployment YAML.
- Kubernetes: manifests validated with ``kubernetes-validate`` (strict) plus policy checks made by the grader.
- Docker: a Dockerfile parsed with ``dockerfile-parse`` and linted with ``hadolint``; its entrypoint run without
  Docker against the course's model-server stand-in.
- Serverless: an AWS Lambda handler on real API Gateway and SQS event shapes, and a Google Cloud Functions handler
  served by the real ``functions-framework``.

Course-text errors corrected in the manifest's intro: the legacy "AutoML Tables/Vision/..." product names; the seed
Dockerfile's shell-form CMD and HEALTHCHECK (DL3025), ``tensorflow/serving:2.13.0`` older than the exporting TF,
``MODEL_BASE_PATH`` set to the model folder instead of its parent, batching parameters without
``--enable_batching=true``; config files mounted but never passed to the server.
"""

# %% [setup]

import base64
import io
import json
import os
import re
import tarfile
import threading

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf
import yaml
from werkzeug.serving import make_server

SEED = 0
FEATURES = 8


def export_model(weights, path: str) -> str:
    """The course's SavedModel: an MLP (ReLU hidden layers, softmax output) from ``[W1, b1, W2, b2, ...]``.

    Its ``serving_default`` signature takes ``inputs`` (float32 ``[None, features]``) and returns
    ``probabilities`` (float32 ``[None, classes]``).
    """
    weights = [tf.constant(np.asarray(w, np.float32)) for w in weights]
    module = tf.Module()
    module.w = [tf.Variable(w, trainable=False) for w in weights]
    spec = tf.TensorSpec([None, int(weights[0].shape[0])], tf.float32, name="inputs")

    @tf.function(input_signature=[spec])
    def serve(inputs):
        h = inputs
        for k in range(0, len(module.w), 2):
            h = tf.matmul(h, module.w[k]) + module.w[k + 1]
            if k < len(module.w) - 2:
                h = tf.nn.relu(h)
        return {"probabilities": tf.nn.softmax(h, axis=-1)}

    tf.saved_model.save(module, path, signatures={"serving_default": serve})
    return path


class LoadedModel:
    """A SavedModel loaded with ``tf.saved_model.load``: ``predict(x)`` -> probabilities as a NumPy array."""

    def __init__(self, path: str):
        self.path = path
        self._fn = tf.saved_model.load(path).signatures["serving_default"]
        self.features = int(self._fn.structured_input_signature[1]["inputs"].shape[-1])

    def predict(self, x) -> np.ndarray:
        x = np.asarray(x, np.float32)
        if x.ndim != 2 or x.shape[1] != self.features:
            raise ValueError(f"expected instances of {self.features} numbers, got shape {x.shape}")
        return self._fn(inputs=tf.constant(x))["probabilities"].numpy()


def load_model(path: str) -> LoadedModel:
    """Load the course's SavedModel (graded code must load models through this function)."""
    return LoadedModel(path)


_SERVERS = {}


def serve_wsgi(app, port: int = 0) -> int:
    """Serve a WSGI application on 127.0.0.1:port in a background thread; returns the bound port."""
    server = make_server("127.0.0.1", int(port), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _SERVERS[server.server_port] = server
    return server.server_port


def stop_wsgi(port: int) -> None:
    """Stop a server started by ``serve_wsgi``."""
    server = _SERVERS.pop(int(port), None)
    if server is not None:
        server.shutdown()
        server.server_close()


def json_response(start_response, status: int, payload) -> list:
    """Write a JSON body with the status line for ``status`` (a WSGI helper)."""
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
               413: "Payload Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error",
               503: "Service Unavailable"}
    body = json.dumps(payload).encode()
    start_response(f"{status} {reasons.get(status, 'Status')}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# %% [q1]
def parse_instances(payload, features: int) -> np.ndarray:
    """Vertex AI's request body ``{"instances": [[f1, ..., fF], ...], "parameters": {...}}`` -> float32 array.

    Raises ``ValueError`` unless ``payload`` is a dict with a non-empty list ``instances`` of lists of ``features``
    finite numbers (``bool`` is not a number); ``parameters``, when present, must be a dict.
    """
    ### BEGIN SOLUTION
    if not isinstance(payload, dict) or not isinstance(payload.get("instances"), list) or not payload["instances"]:
        raise ValueError('the body must be a JSON object with a non-empty list "instances"')
    if not isinstance(payload.get("parameters", {}), dict):
        raise ValueError('"parameters" must be an object')
    for row in payload["instances"]:
        if (not isinstance(row, list) or len(row) != features
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)):
            raise ValueError(f"each instance must be a list of {features} numbers")
    x = np.asarray(payload["instances"], np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("instances must be finite")
    return x
    ### END SOLUTION


def create_vertex_app(model_dir: str | None = None, max_request_bytes: int = 1_500_000):
    """A WSGI application following Vertex AI's custom-container contract.

    The model is loaded (with ``load_model``) from ``model_dir`` or else ``$AIP_STORAGE_URI`` before the function
    returns. Routes: ``GET $AIP_HEALTH_ROUTE`` (default ``/health``) -> 200 ``{}``; ``POST $AIP_PREDICT_ROUTE``
    (default ``/predict``) -> 200 ``{"predictions": [{"probabilities": [...], "predicted_class": k}, ...]}``, one per
    instance, in order. Errors are JSON ``{"error": "..."}``: 400 malformed JSON or instances, 413 when the body is
    longer than ``max_request_bytes`` (checked on ``Content-Length`` before reading), 405 a wrong method on a known
    route, 404 any other path.
    """
    ### BEGIN SOLUTION
    model = load_model(model_dir or os.environ["AIP_STORAGE_URI"])
    health = os.environ.get("AIP_HEALTH_ROUTE", "/health")
    predict = os.environ.get("AIP_PREDICT_ROUTE", "/predict")

    def app(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == health:
            if method != "GET":
                return json_response(start_response, 405, {"error": "use GET"})
            return json_response(start_response, 200, {})
        if path != predict:
            return json_response(start_response, 404, {"error": f"no route {path}"})
        if method != "POST":
            return json_response(start_response, 405, {"error": "use POST"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > max_request_bytes:
            return json_response(start_response, 413, {"error": f"request larger than {max_request_bytes} bytes"})
        try:
            payload = json.loads(environ["wsgi.input"].read(length) or b"null")
            x = parse_instances(payload, model.features)
        except ValueError as exc:
            return json_response(start_response, 400, {"error": str(exc)})
        probs = model.predict(x)
        predictions = [{"probabilities": [float(p) for p in row], "predicted_class": int(np.argmax(row))}
                       for row in probs]
        return json_response(start_response, 200, {"predictions": predictions})

    return app
    ### END SOLUTION


def run_vertex_server(model_dir: str | None = None) -> int:
    """Serve ``create_vertex_app(model_dir)`` with ``serve_wsgi`` on the port ``$AIP_HTTP_PORT`` (default 8080)."""
    ### BEGIN SOLUTION
    return serve_wsgi(create_vertex_app(model_dir), int(os.environ.get("AIP_HTTP_PORT", "8080")))
    ### END SOLUTION


def batch_predict_jsonl(input_path: str, output_dir: str, model_dir: str) -> list:
    """Vertex AI batch prediction on a JSON Lines file (one instance, a list of numbers, per line).

    Writes ``prediction.results-00000-of-00001`` (one line per valid instance, in input order:
    ``{"instance": <the instance>, "prediction": {"probabilities": [...], "predicted_class": k}}``) and
    ``prediction.errors_stats-00000-of-00001`` (one line per bad line: ``{"instance": <the raw line>,
    "errorMessage": "..."}``); blank lines are skipped. Returns the two paths.
    """
    ### BEGIN SOLUTION
    model = load_model(model_dir)
    good, errors = [], []
    with open(input_path, encoding="utf-8") as handle:
        for line in handle:
            raw = line.rstrip("\n")
            if not raw.strip():
                continue
            try:
                instance = json.loads(raw)
                x = parse_instances({"instances": [instance]}, model.features)
            except ValueError as exc:
                errors.append({"instance": raw, "errorMessage": str(exc)})
                continue
            good.append((instance, x[0]))
    os.makedirs(output_dir, exist_ok=True)
    results = os.path.join(output_dir, "prediction.results-00000-of-00001")
    failed = os.path.join(output_dir, "prediction.errors_stats-00000-of-00001")
    probs = model.predict(np.stack([x for _, x in good])) if good else np.zeros((0, 0))
    with open(results, "w", encoding="utf-8") as out:
        for (instance, _), row in zip(good, probs, strict=True):
            prediction = {"probabilities": [float(p) for p in row], "predicted_class": int(np.argmax(row))}
            out.write(json.dumps({"instance": instance, "prediction": prediction}) + "\n")
    with open(failed, "w", encoding="utf-8") as out:
        for record in errors:
            out.write(json.dumps(record) + "\n")
    return [results, failed]
    ### END SOLUTION


def validate_traffic_split(split: dict) -> None:
    """Check an endpoint's traffic split (deployed-model id -> percentage).

    Raises ``ValueError`` unless it is a non-empty dict of string ids to ints (not bools) in ``0..100`` summing to
    exactly 100.
    """
    ### BEGIN SOLUTION
    if not isinstance(split, dict) or not split:
        raise ValueError("the traffic split must be a non-empty dict")
    for key, value in split.items():
        if not isinstance(key, str) or not key:
            raise ValueError("deployed model ids must be non-empty strings")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ValueError(f"traffic for {key!r} must be an int in 0..100")
    if sum(split.values()) != 100:
        raise ValueError("traffic percentages must sum to 100")
    ### END SOLUTION


# %% [q2]
def inference_py() -> str:
    """The source of ``code/inference.py`` for a SageMaker model (the handlers of the ``sagemaker-inference`` toolkit).

    - ``model_fn(model_dir)``: load (with ``tf.saved_model.load``) the highest numeric version folder under
      ``model_dir`` that holds a ``saved_model.pb``; return an object ``predict_fn`` can use.
    - ``input_fn(input_data, content_type)``: ``application/json`` (``{"instances": [[...], ...]}``, ``str`` or
      ``bytes``) or ``text/csv`` (one instance per line, no header) -> float32 ``(n, features)``; any other type raises
      ``ValueError`` with "unsupported content type" in its message.
    - ``predict_fn(data, model)``: probabilities, ``(n, classes)``.
    - ``output_fn(prediction, accept)``: ``application/json`` -> ``(json.dumps({"predictions": [[...], ...]}),
      "application/json")``; ``text/csv`` -> ``(lines of comma-joined probabilities, "text/csv")``; other accept types
      raise ``ValueError``.
    """
    ### BEGIN SOLUTION
    return '''
import csv
import io
import json
import os

import numpy as np
import tensorflow as tf


def model_fn(model_dir):
    versions = [int(d) for d in os.listdir(model_dir)
                if d.isdigit() and os.path.isfile(os.path.join(model_dir, d, "saved_model.pb"))]
    if not versions:
        raise FileNotFoundError(f"no numeric version folder with a saved_model.pb in {model_dir}")
    loaded = tf.saved_model.load(os.path.join(model_dir, str(max(versions))))
    return loaded.signatures["serving_default"]


def input_fn(input_data, content_type):
    if isinstance(input_data, (bytes, bytearray)):
        input_data = input_data.decode("utf-8")
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        payload = json.loads(input_data)
        rows = payload["instances"] if isinstance(payload, dict) else payload
    elif content_type == "text/csv":
        rows = [[float(v) for v in row] for row in csv.reader(io.StringIO(input_data)) if row]
    else:
        raise ValueError(f"unsupported content type {content_type!r}")
    x = np.asarray(rows, np.float32)
    if x.ndim != 2:
        raise ValueError("expected a list of instances")
    return x


def predict_fn(data, model):
    return model(inputs=tf.constant(data))["probabilities"].numpy()


def output_fn(prediction, accept):
    accept = (accept or "application/json").split(";")[0].strip().lower()
    if accept == "application/json":
        return json.dumps({"predictions": np.asarray(prediction).tolist()}), "application/json"
    if accept == "text/csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\\n").writerows(np.asarray(prediction).tolist())
        return out.getvalue(), "text/csv"
    raise ValueError(f"unsupported accept type {accept!r}")
'''
    ### END SOLUTION


def build_model_tarball(saved_model_dir: str, out_path: str, version: int = 1, requirements: str = "") -> str:
    """Write SageMaker's ``model.tar.gz`` (gzip) with relative member names only.

    Layout::

        <version>/saved_model.pb, <version>/variables/...   the SavedModel at saved_model_dir
        code/inference.py                                   inference_py()
        code/requirements.txt                               requirements

    Returns ``out_path``.
    """
    ### BEGIN SOLUTION
    def add_text(tar, name, text):
        data = text.encode("utf-8")
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(out_path, "w:gz") as tar:
        tar.add(saved_model_dir, arcname=str(int(version)))
        add_text(tar, "code/inference.py", inference_py())
        add_text(tar, "code/requirements.txt", requirements)
    return out_path
    ### END SOLUTION


def split_for_batch_transform(records: list, max_payload_bytes: int) -> list:
    """Split records for SageMaker batch transform with ``SplitType=Line``.

    Group records (strings, one line each) in order into mini-batches whose payload (the records' UTF-8 bytes joined
    with newlines) is at most ``max_payload_bytes``; never cut a record; raise ``ValueError`` if one record alone is
    larger. Returns a list of lists of records.
    """
    ### BEGIN SOLUTION
    batches, current, size = [], [], 0
    for record in records:
        n = len(record.encode("utf-8"))
        if n > max_payload_bytes:
            raise ValueError(f"a record of {n} bytes exceeds the payload limit of {max_payload_bytes}")
        added = n if not current else size + 1 + n
        if current and added > max_payload_bytes:
            batches.append(current)
            current, added = [], n
        current.append(record)
        size = added
    if current:
        batches.append(current)
    return batches
    ### END SOLUTION


# %% [q3]
def score_py() -> str:
    """The source of an Azure ML scoring script (``score.py``) for the ``azmlinfsrv`` server.

    - ``init()``: load the SavedModel at ``os.path.join(os.environ["AZUREML_MODEL_DIR"], "model")`` once, with
      ``tf.saved_model.load``, into a module global; count the loads in a module global ``LOADS`` (starting at 0).
    - ``run(raw_data)``: ``raw_data`` is the request body as a string: ``{"data": [[...features...], ...]}`` ->
      ``{"predictions": [class, ...], "probabilities": [[...], ...]}``; on any bad input return
      ``{"error": "<short message>"}`` (never raise, never a traceback).
    """
    ### BEGIN SOLUTION
    return '''
import json
import os

import numpy as np
import tensorflow as tf

MODEL = None
LOADS = 0


def init():
    global MODEL, LOADS
    path = os.path.join(os.environ["AZUREML_MODEL_DIR"], "model")
    MODEL = tf.saved_model.load(path).signatures["serving_default"]
    LOADS += 1


def run(raw_data):
    try:
        payload = json.loads(raw_data)
        rows = payload["data"]
        features = int(MODEL.structured_input_signature[1]["inputs"].shape[-1])
        if (not isinstance(rows, list) or not rows
                or not all(isinstance(r, list) and len(r) == features for r in rows)):
            raise ValueError(f"data must be a non-empty list of rows of {features} numbers")
        x = np.asarray(rows, np.float32)
        if not np.all(np.isfinite(x)):
            raise ValueError("data must be finite")
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}
    probs = MODEL(inputs=tf.constant(x))["probabilities"].numpy()
    return {"predictions": probs.argmax(axis=1).tolist(), "probabilities": probs.tolist()}
'''
    ### END SOLUTION


def azure_deployment(endpoint_name: str, model_path: str, instance_type: str, instance_count: int) -> dict:
    """An Azure ML CLI v2 managed online deployment (the content of ``deployment.yml``) named ``"blue"``.

    Fields:

    ``$schema`` (``https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json``), ``name``,
    ``endpoint_name``, ``model`` (``{"path": model_path}``), ``code_configuration`` (``{"code": ".",
    "scoring_script": "score.py"}``), ``environment`` (``{"image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04",
    "conda_file": "conda.yml"}``), ``instance_type``, ``instance_count`` (an int >= 1), ``request_settings``
    (``request_timeout_ms`` and ``max_concurrent_requests_per_instance``) and ``liveness_probe`` / ``readiness_probe``
    (``initial_delay``, ``period``, ``timeout`` in seconds).
    """
    ### BEGIN SOLUTION
    if not isinstance(instance_count, int) or isinstance(instance_count, bool) or instance_count < 1:
        raise ValueError("instance_count must be an int >= 1")
    probe = {"initial_delay": 30, "period": 10, "timeout": 5, "failure_threshold": 3}
    return {
        "$schema": "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json",
        "name": "blue",
        "endpoint_name": endpoint_name,
        "model": {"path": model_path},
        "code_configuration": {"code": ".", "scoring_script": "score.py"},
        "environment": {"image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04", "conda_file": "conda.yml"},
        "instance_type": instance_type,
        "instance_count": instance_count,
        "request_settings": {"request_timeout_ms": 5000, "max_concurrent_requests_per_instance": 1},
        "liveness_probe": dict(probe),
        "readiness_probe": dict(probe),
    }
    ### END SOLUTION


def conda_yml() -> str:
    """The deployment's ``conda.yml``.

    Python 3.11 and a pip section pinning ``tensorflow==2.18.*`` (the version that exported the model) and
    ``azureml-inference-server-http``.
    """
    ### BEGIN SOLUTION
    return yaml.safe_dump({
        "name": "tf-serving-env",
        "channels": ["conda-forge"],
        "dependencies": ["python=3.11", "pip", {"pip": ["tensorflow==2.18.*", "azureml-inference-server-http"]}],
    }, sort_keys=False)
    ### END SOLUTION


# %% [q4]
def render_manifests(p: dict) -> list:
    """Kubernetes objects for a model server, as plain dicts (``apiVersion``, ``kind``, ``metadata``, ``spec``).

    ``p`` holds ``name``, ``image``, ``model_name``, ``replicas``, ``min_replicas``, ``max_replicas``,
    ``target_cpu`` (percent), ``cpu_request``, ``cpu_limit``, ``memory_request``, ``memory_limit`` (quantity strings)
    and ``rest_port``. Returns, in this order:

    - ``apps/v1`` Deployment ``p["name"]``: ``replicas``; selector ``matchLabels`` ``{"app": name}`` (a subset of the
      pod template's labels); strategy RollingUpdate with ``maxUnavailable: 0``; one container ``"server"`` running
      ``image`` with args ``--rest_api_port=<rest_port>``, ``--model_name=<model_name>``,
      ``--model_base_path=/models/<model_name>``, ``--enable_batching=true`` and
      ``--batching_parameters_file=/config/batching.config``; a ``containerPort`` ``rest_port`` named ``http``;
      readiness and liveness ``httpGet`` probes on ``/v1/models/<model_name>`` at ``rest_port``; resources requests
      and limits from ``p``; a pod ``securityContext`` with ``runAsNonRoot: true`` and a ``runAsUser`` > 0; the
      ConfigMap mounted read-only at ``/config``.
    - ``v1`` Service ``name`` (ClusterIP, selector ``{"app": name}``, port ``rest_port`` -> targetPort ``http``).
    - ``v1`` ConfigMap ``<name>-config`` with the key ``batching.config`` (a BatchingParameters text proto).
    - ``autoscaling/v2`` HorizontalPodAutoscaler ``name`` targeting the Deployment, CPU utilization ``target_cpu``.
    - ``policy/v1`` PodDisruptionBudget ``name`` with ``minAvailable: 1`` and the same selector.
    """
    ### BEGIN SOLUTION
    name, model, port = p["name"], p["model_name"], int(p["rest_port"])
    labels = {"app": name}
    probe = {"httpGet": {"path": f"/v1/models/{model}", "port": port}, "periodSeconds": 10}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "replicas": int(p["replicas"]),
            "selector": {"matchLabels": dict(labels)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": {**labels, "model": model}},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000},
                    "containers": [{
                        "name": "server", "image": p["image"],
                        "args": [f"--rest_api_port={port}", f"--model_name={model}",
                                 f"--model_base_path=/models/{model}", "--enable_batching=true",
                                 "--batching_parameters_file=/config/batching.config"],
                        "ports": [{"containerPort": port, "name": "http"}],
                        "readinessProbe": {**probe, "initialDelaySeconds": 5},
                        "livenessProbe": {**probe, "initialDelaySeconds": 15},
                        "resources": {
                            "requests": {"cpu": p["cpu_request"], "memory": p["memory_request"]},
                            "limits": {"cpu": p["cpu_limit"], "memory": p["memory_limit"]}},
                        "volumeMounts": [{"name": "config", "mountPath": "/config", "readOnly": True}],
                    }],
                    "volumes": [{"name": "config", "configMap": {"name": f"{name}-config"}}],
                },
            },
        },
    }
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": dict(labels)},
               "spec": {"type": "ClusterIP", "selector": dict(labels),
                        "ports": [{"name": "http", "port": port, "targetPort": "http"}]}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-config"},
              "data": {"batching.config": "max_batch_size { value: 32 }\nbatch_timeout_micros { value: 2000 }\n"
                                          "num_batch_threads { value: 2 }\n"}}
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": int(p["min_replicas"]), "maxReplicas": int(p["max_replicas"]),
                    "metrics": [{"type": "Resource", "resource": {
                        "name": "cpu", "target": {"type": "Utilization",
                                                  "averageUtilization": int(p["target_cpu"])}}}]}}
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
           "spec": {"minAvailable": 1, "selector": {"matchLabels": dict(labels)}}}
    return [deployment, service, config, hpa, pdb]
    ### END SOLUTION


def dump_yaml(objs: list) -> str:
    """A multi-document YAML string (``---`` between documents) that ``yaml.safe_load_all`` reads back to ``objs``."""
    ### BEGIN SOLUTION
    return yaml.safe_dump_all(objs, sort_keys=False)
    ### END SOLUTION


# %% [q5]
def dockerfile() -> str:
    """A Dockerfile for the course's model server (``server.py``, run by ``entrypoint.sh``).

    It has:

    a multi-stage build (a ``builder`` stage that builds wheels from ``requirements.txt``, a runtime stage that
    installs them); base images pinned to an exact tag (never ``latest``, never untagged), ``python:3.11.9-slim``;
    ``ENV MODEL_NAME=model MODEL_BASE_PATH=/models`` (the *parent* folder of the model's folder) and
    ``REST_API_PORT=8501``; ``EXPOSE 8501``; the OCI label ``org.opencontainers.image.version``; a non-root ``USER``
    in the final stage; a ``HEALTHCHECK`` in exec form that uses Python (the slim image has no curl); exec-form
    ``ENTRYPOINT ["/app/entrypoint.sh"]``. hadolint must report nothing at level warning or above.
    """
    ### BEGIN SOLUTION
    return """# syntax=docker/dockerfile:1
FROM python:3.11.9-slim AS builder
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.11.9-slim AS runtime
LABEL org.opencontainers.image.title="model-server" \\
      org.opencontainers.image.version="1.0.0"
ENV MODEL_NAME=model \\
    MODEL_BASE_PATH=/models \\
    REST_API_PORT=8501 \\
    PYTHONUNBUFFERED=1
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/* \\
    && rm -rf /wheels \\
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --chown=app:app server.py entrypoint.sh ./
USER 10001:10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \\
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/v1/models/%s' % \\
(os.environ['REST_API_PORT'], os.environ['MODEL_NAME']), timeout=4)"]
ENTRYPOINT ["/app/entrypoint.sh"]
"""
    ### END SOLUTION


def entrypoint_sh() -> str:
    """The container's ``entrypoint.sh``.

    Bash: fail on errors and unset variables; require ``MODEL_NAME``; ``exec`` (so the server
    is PID 1 and receives signals) ``"${PYTHON:-python}" "${APP_DIR:-/app}/server.py"`` with the flags
    ``--rest_api_port=${REST_API_PORT:-8501}``, ``--model_name=${MODEL_NAME}``,
    ``--model_base_path=${MODEL_BASE_PATH:-/models}/${MODEL_NAME}``, then the script's own arguments (``"$@"``).
    """
    ### BEGIN SOLUTION
    return """#!/usr/bin/env bash
set -euo pipefail
: "${MODEL_NAME:?MODEL_NAME must be set}"
exec "${PYTHON:-python}" "${APP_DIR:-/app}/server.py" \\
    --rest_api_port="${REST_API_PORT:-8501}" \\
    --model_name="${MODEL_NAME}" \\
    --model_base_path="${MODEL_BASE_PATH:-/models}/${MODEL_NAME}" \\
    "$@"
"""
    ### END SOLUTION


def dockerignore() -> str:
    """The ``.dockerignore`` file.

    Exclude at least ``.git``, ``__pycache__``, ``*.pyc``, ``data/``, ``.venv`` and notebooks' checkpoints, one
    pattern per line.
    """
    ### BEGIN SOLUTION
    return ".git\n**/__pycache__\n**/*.pyc\ndata/\n.venv\n**/.ipynb_checkpoints\n"
    ### END SOLUTION


def image_tag(registry: str, model_name: str, semver: str, git_sha: str) -> str:
    """An image reference: ``<registry>/<model_name>:<semver>-<first 7 characters of git_sha>``.

    ``ValueError`` unless ``semver`` is
    ``MAJOR.MINOR.PATCH`` (no leading zeros) and ``git_sha`` is at least 7 lowercase hex digits; ``model_name`` is
    lower-cased and every run of characters outside ``[a-z0-9._-]`` becomes ``-``.
    """
    ### BEGIN SOLUTION
    if not re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", semver):
        raise ValueError(f"not a MAJOR.MINOR.PATCH version: {semver!r}")
    if not re.fullmatch(r"[0-9a-f]{7,40}", git_sha):
        raise ValueError(f"not a git sha: {git_sha!r}")
    name = re.sub(r"[^a-z0-9._-]+", "-", model_name.lower())
    return f"{registry}/{name}:{semver}-{git_sha[:7]}"
    ### END SOLUTION


# %% [q6]
_MODEL = None


def get_model():
    """The model of this (simulated) Lambda container.

    It is loaded with ``load_model(os.environ["MODEL_DIR"])`` on the
    first call only and kept in the module global ``_MODEL`` (so the load is paid by the cold start alone).
    """
    ### BEGIN SOLUTION
    global _MODEL
    if _MODEL is None:
        _MODEL = load_model(os.environ["MODEL_DIR"])
    return _MODEL
    ### END SOLUTION


def _http_response(status: int, payload) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def lambda_handler(event: dict, context) -> dict:
    """AWS Lambda handler behind API Gateway (REST API v1 and HTTP API v2 proxy events).

    The body (``event["body"]``, base64 when ``event["isBase64Encoded"]``) is ``{"instances": [[...], ...]}``.
    Returns ``{"statusCode", "headers": {"Content-Type": "application/json"}, "body": json string}``:
    200 ``{"predictions": [[probabilities], ...]}``; 400 ``{"error": ...}`` for a bad body (never a traceback);
    413 when the decoded body is over 6 MB (6 * 1024 * 1024 bytes); 503 when
    ``context.get_remaining_time_in_millis()`` is under 200 before any work. Uses ``get_model()``.
    """
    ### BEGIN SOLUTION
    if context.get_remaining_time_in_millis() < 200:
        return _http_response(503, {"error": "not enough time left to answer"})
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode("utf-8")
    except (ValueError, TypeError):
        return _http_response(400, {"error": "the body is not valid base64"})
    if len(raw) > 6 * 1024 * 1024:
        return _http_response(413, {"error": "the body is larger than 6 MB"})
    model = get_model()
    try:
        x = parse_rows(json.loads(raw), model.features)
    except (ValueError, UnicodeDecodeError) as exc:
        return _http_response(400, {"error": str(exc)[:200]})
    return _http_response(200, {"predictions": model.predict(x).tolist()})
    ### END SOLUTION


def parse_rows(payload, features: int) -> np.ndarray:
    """``{"instances": [[features numbers], ...]}`` (non-empty) -> float32 array; ``ValueError`` otherwise."""
    ### BEGIN SOLUTION
    rows = payload.get("instances") if isinstance(payload, dict) else None
    if (not isinstance(rows, list) or not rows or not all(
            isinstance(r, list) and len(r) == features
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r) for r in rows)):
        raise ValueError(f'"instances" must be a non-empty list of rows of {features} numbers')
    x = np.asarray(rows, np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("instances must be finite")
    return x
    ### END SOLUTION


def sqs_batch_handler(event: dict, context) -> dict:
    """Lambda on an SQS event source with ``ReportBatchItemFailures``.

    Each record's ``body`` is
    ``{"instances": [...]}``; predict every good record (with ``get_model()``) and return
    ``{"batchItemFailures": [{"itemIdentifier": messageId}, ...]}`` for exactly the bad ones, in event order.
    """
    ### BEGIN SOLUTION
    model = get_model()
    failures = []
    for record in event.get("Records", []):
        try:
            model.predict(parse_rows(json.loads(record["body"]), model.features))
        except (ValueError, KeyError, TypeError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
    ### END SOLUTION


def predict(request):
    """A Google Cloud Functions HTTP function (served by ``functions-framework --target=predict``).

    ``request`` is a Flask request: ``POST`` with a JSON body ``{"instances": ...}`` -> ``(json body, 200,
    {"Content-Type": "application/json"})`` with ``{"predictions": [[...], ...]}``; a bad body -> 400 with
    ``{"error": ...}``; another method -> 405. Uses ``get_model()``.
    """
    ### BEGIN SOLUTION
    headers = {"Content-Type": "application/json"}
    if request.method != "POST":
        return json.dumps({"error": "use POST"}), 405, headers
    model = get_model()
    try:
        x = parse_rows(json.loads(request.get_data(as_text=True) or "null"), model.features)
    except ValueError as exc:
        return json.dumps({"error": str(exc)[:200]}), 400, headers
    return json.dumps({"predictions": model.predict(x).tolist()}), 200, headers
    ### END SOLUTION
