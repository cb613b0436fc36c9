"""Reference solution for A18, TensorFlow Serving.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the marked solution
regions from the student release. This docstring sits before the first section, so it is in no notebook cell.

There is no ``tensorflow_model_server`` binary on these machines (it is not on PyPI, and no Docker engine runs), so
the assignment builds a TF-Serving-compatible server in Python on the real protocol buffers of
``tensorflow-serving-api`` 2.18.1: models are loaded with ``tf.saved_model.load`` from ``<base>/<name>/<version>/``,
``ModelServerConfig`` text protos are parsed with the real config proto, and the REST and gRPC surfaces follow TF
Serving's documented routes, JSON shapes, status codes and services.

Course-text errors corrected here (and in the manifest's intro): the course's model ends in a softmax and its serving
function applies ``tf.nn.softmax`` again (the "probabilities" are wrong); its float32 signature divides by 255 so a
client that sends normalized floats gets inputs 255x too small (the signature here takes uint8 pixels and scales once,
in the graph); it saves the model twice to the same path; the gRPC client pins ``model_version or 1`` instead of
leaving the version unset (latest); ``predict_stream`` passes a generator to the unary ``Predict``; the batching
block's "advanced options" (``batch_padding_policy``, ``split_input_task_func``) are not BatchingParameters fields;
``BatchProcessor`` reuses request ids, runs the model under its lock and never stops its timer thread; every rollout
of ``GradualRolloutManager`` fails at stage 1 (``2.0 < 2.0``); the A/B bucketing hashes the user id without the
experiment id (every experiment gets the same split of users); the monitoring class registers its metrics on the
global registry (a second instance raises "Duplicated timeseries") and starts an HTTP server in ``__init__``; its
entropy treats ``np.histogram(density=True)`` values as probabilities; its alert checks return constants.
"""

# %% [setup]

import hashlib
import json
import math
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import grpc
import numpy as np
import prometheus_client
import tensorflow as tf
from google.protobuf import json_format, text_format
from tensorflow.core.protobuf import meta_graph_pb2
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)
from tensorflow_serving.config import model_server_config_pb2

SEED = 0


def mlp_from_weights(weights) -> tf.keras.Model:
    """A Keras MLP with ReLU hidden layers and a linear (logits) output layer, with the given weights.

    Args:
        weights: ``[W1, b1, W2, b2, ...]`` NumPy arrays; ``W1`` has shape ``(features, h1)``.

    Returns:
        A built ``tf.keras.Sequential`` mapping ``(batch, features)`` float32 to ``(batch, classes)`` logits.
    """
    weights = [np.asarray(w, np.float32) for w in weights]
    layers = [tf.keras.Input(shape=(weights[0].shape[0],))]
    for k in range(0, len(weights), 2):
        last = k == len(weights) - 2
        layers.append(tf.keras.layers.Dense(weights[k].shape[1], activation=None if last else "relu"))
    model = tf.keras.Sequential(layers)
    model.set_weights(weights)
    return model


def signature_input_specs(fn) -> dict:
    """The named input ``tf.TensorSpec``s of a signature (a concrete function), as a dict name -> spec."""
    return dict(fn.structured_input_signature[1])


# %% [q1]
def export_for_serving(model: tf.keras.Model, base_dir: str, name: str, version: int) -> str:
    """Export a logits model as a servable SavedModel at ``<base_dir>/<name>/<version>/``.

    Signatures (both take ``inputs``: uint8 pixels of shape ``[None, features]``, scaled by 1/255 once, in the graph):

    - ``serving_default`` -> ``{"probabilities": softmax(logits) (float32), "predicted_class": argmax (int64)}``
    - ``embeddings`` -> ``{"embeddings": the penultimate layer's output (float32)}``

    Returns:
        The version folder's path. Raises ``FileExistsError`` if that version already exists (versions are immutable).
    """
    ### BEGIN SOLUTION
    path = os.path.join(base_dir, name, str(int(version)))
    if os.path.exists(path):
        raise FileExistsError(f"version {version} of {name!r} already exists at {path}")
    features = int(model.input_shape[-1])
    embedder = tf.keras.Model(model.inputs, model.layers[-2].output)
    spec = tf.TensorSpec([None, features], tf.uint8, name="inputs")

    module = tf.Module()
    module.model = model
    module.embedder = embedder

    @tf.function(input_signature=[spec])
    def serve(inputs):
        x = tf.cast(inputs, tf.float32) / 255.0
        logits = model(x, training=False)
        return {"probabilities": tf.nn.softmax(logits, axis=-1),
                "predicted_class": tf.argmax(logits, axis=-1, output_type=tf.int64)}

    @tf.function(input_signature=[spec])
    def embed(inputs):
        x = tf.cast(inputs, tf.float32) / 255.0
        return {"embeddings": embedder(x, training=False)}

    tf.saved_model.save(module, path, signatures={"serving_default": serve, "embeddings": embed})
    return path
    ### END SOLUTION


def call_signature(fn, inputs: dict) -> dict:
    """Run a signature on named inputs, checked against its input specs; returns NumPy outputs.

    Raises ``ValueError`` when the input names differ from the signature's, or a value does not fit its spec
    (shape, or a non-integer / out-of-range value for an integer input).
    """
    ### BEGIN SOLUTION
    specs = signature_input_specs(fn)
    if set(inputs) != set(specs):
        raise ValueError(f"expected inputs {sorted(specs)}, got {sorted(inputs)}")
    feed = {}
    for key, spec in specs.items():
        value = np.asarray(inputs[key])
        if value.dtype == object or not spec.shape.is_compatible_with(value.shape):
            raise ValueError(f"input {key!r} has shape {value.shape}, the signature expects {spec.shape}")
        if spec.dtype.is_integer:
            info = np.iinfo(spec.dtype.as_numpy_dtype)
            if (not np.all(np.isfinite(value)) or np.any(value != np.round(value))
                    or np.any(value < info.min) or np.any(value > info.max)):
                raise ValueError(f"input {key!r} must hold integers in [{info.min}, {info.max}]")
        feed[key] = tf.constant(value.astype(spec.dtype.as_numpy_dtype))
    return {key: np.asarray(value) for key, value in fn(**feed).items()}
    ### END SOLUTION


def list_versions(base_path: str) -> list:
    """The integer version folders under ``base_path`` that hold a ``saved_model.pb``, ascending."""
    ### BEGIN SOLUTION
    found = []
    if os.path.isdir(base_path):
        for entry in os.listdir(base_path):
            if entry.isdigit() and os.path.isfile(os.path.join(base_path, entry, "saved_model.pb")):
                found.append(int(entry))
    return sorted(found)
    ### END SOLUTION


class ServableManager:
    """Serves the models of a ``ModelServerConfig`` text proto, each at its latest version (TF Serving's default).

    - ``__init__(config_text)``: parse with ``text_format.Parse(..., model_server_config_pb2.ModelServerConfig())``;
      every ``model_config_list`` entry must have ``model_platform: "tensorflow"`` (``ValueError`` otherwise, and for
      an empty list or a repeated name); load ``<base_path>/<latest version>`` with ``tf.saved_model.load``
      (``FileNotFoundError`` when a model has no version).
    - ``resolve(name, version=None, label=None) -> (version, servable)``: ``KeyError`` for an unknown model, a version
      that is not loaded, or any label (labels are Q4's).
    - ``status(name) -> [(version, "AVAILABLE")]``; ``KeyError`` for an unknown model.
    - ``predict(name, inputs, version=None, signature_name="serving_default") -> dict[str, np.ndarray]``
      (``KeyError`` for an unknown signature too).
    """

    ### BEGIN SOLUTION
    def __init__(self, config_text: str):
        config = text_format.Parse(config_text, model_server_config_pb2.ModelServerConfig())
        entries = list(config.model_config_list.config)
        if not entries:
            raise ValueError("the config lists no models")
        self._servables = {}
        for entry in entries:
            if entry.model_platform != "tensorflow":
                raise ValueError(f"model {entry.name!r}: model_platform must be 'tensorflow', "
                                 f"got {entry.model_platform!r}")
            if entry.name in self._servables:
                raise ValueError(f"model {entry.name!r} is configured twice")
            versions = list_versions(entry.base_path)
            if not versions:
                raise FileNotFoundError(f"model {entry.name!r}: no version under {entry.base_path}")
            latest = versions[-1]
            self._servables[entry.name] = (latest, tf.saved_model.load(os.path.join(entry.base_path, str(latest))))

    def resolve(self, name, version=None, label=None):
        if name not in self._servables:
            raise KeyError(f"model {name!r} not found")
        if label is not None:
            raise KeyError(f"label {label!r} of model {name!r} not found")
        loaded, servable = self._servables[name]
        if version is not None and int(version) != loaded:
            raise KeyError(f"version {version} of model {name!r} is not loaded")
        return loaded, servable

    def status(self, name):
        return [(self.resolve(name)[0], "AVAILABLE")]

    def predict(self, name, inputs, version=None, signature_name="serving_default"):
        _, servable = self.resolve(name, version)
        if signature_name not in servable.signatures:
            raise KeyError(f"signature {signature_name!r} not found in model {name!r}")
        return call_signature(servable.signatures[signature_name], inputs)
    ### END SOLUTION


# %% [q2]
class ServingError(Exception):
    """An error with its HTTP status (400 bad input, 404 unknown model/version/label/signature) and gRPC code."""

    def __init__(self, message, http_status):
        super().__init__(message)
        self.http_status = http_status
        self.grpc_code = grpc.StatusCode.NOT_FOUND if http_status == 404 else grpc.StatusCode.INVALID_ARGUMENT


def tensor_info(spec, name) -> meta_graph_pb2.TensorInfo:
    """A ``TensorInfo`` proto (name, dtype enum, shape) for a ``tf.TensorSpec``."""
    return meta_graph_pb2.TensorInfo(name=name, dtype=spec.dtype.as_datatype_enum,
                                     tensor_shape=tf.TensorShape(spec.shape).as_proto())


def signature_def_map(servable) -> meta_graph_pb2.SignatureDef:
    """The servable's signatures as a ``get_model_metadata_pb2.SignatureDefMap`` proto.

    Each ``SignatureDef`` has ``method_name`` ``"tensorflow/serving/predict"``, its inputs (from the signature's input
    specs, tensor names ``"<signature>_<input>:0"``) and its outputs (from ``fn.structured_outputs``, tensor names
    ``"StatefulPartitionedCall:<i>"`` in sorted key order).
    """
    ### BEGIN SOLUTION
    result = get_model_metadata_pb2.SignatureDefMap()
    for sig_name, fn in servable.signatures.items():
        sig = result.signature_def[sig_name]
        sig.method_name = "tensorflow/serving/predict"
        for key, spec in signature_input_specs(fn).items():
            sig.inputs[key].CopyFrom(tensor_info(spec, f"{sig_name}_{key}:0"))
        for i, (key, out) in enumerate(sorted(fn.structured_outputs.items())):
            sig.outputs[key].CopyFrom(tensor_info(tf.TensorSpec(out.shape, out.dtype),
                                                  f"StatefulPartitionedCall:{i}"))
    return result
    ### END SOLUTION


def rest_predict(manager, name, version, label, body: bytes) -> dict:
    """Handle a REST ``:predict`` body (row ``instances`` or columnar ``inputs``) and return the response JSON object.

    Raises ``ServingError`` (400 for malformed JSON, both or neither of ``instances``/``inputs``, wrong input names or
    shapes; 404 for an unknown model, version, label or signature).
    """
    ### BEGIN SOLUTION
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServingError(f"malformed JSON: {exc}", 400) from None
    if not isinstance(request, dict) or (("instances" in request) == ("inputs" in request)):
        raise ServingError("the request must hold exactly one of 'instances' (row) or 'inputs' (columnar)", 400)
    try:
        version, servable = manager.resolve(name, version, label)
    except KeyError as exc:
        raise ServingError(str(exc).strip("'\""), 404) from None
    signature_name = request.get("signature_name", "serving_default")
    if signature_name not in servable.signatures:
        raise ServingError(f"signature {signature_name!r} not found", 404)
    fn = servable.signatures[signature_name]
    input_names = sorted(signature_input_specs(fn))
    try:
        if "instances" in request:
            rows = request["instances"]
            if not isinstance(rows, list) or not rows:
                raise ValueError("'instances' must be a non-empty list")
            if all(isinstance(row, dict) for row in rows):
                inputs = {key: [row[key] for row in rows] for key in rows[0]}
                if any(set(row) != set(inputs) for row in rows):
                    raise ValueError("every instance must name the same inputs")
            elif len(input_names) == 1 and not any(isinstance(row, dict) for row in rows):
                inputs = {input_names[0]: rows}
            else:
                raise ValueError(f"instances must be objects naming the inputs {input_names}")
        else:
            columns = request["inputs"]
            if isinstance(columns, dict):
                inputs = columns
            elif len(input_names) == 1:
                inputs = {input_names[0]: columns}
            else:
                raise ValueError(f"'inputs' must be an object naming the inputs {input_names}")
        outputs = call_signature(fn, inputs)
    except (ValueError, TypeError, KeyError, tf.errors.InvalidArgumentError) as exc:
        raise ServingError(str(exc), 400) from None
    keys = sorted(outputs)
    if "instances" in request:
        if len(keys) == 1:
            return {"predictions": outputs[keys[0]].tolist()}
        n = len(outputs[keys[0]])
        return {"predictions": [{key: outputs[key][i].tolist() for key in keys} for i in range(n)]}
    if len(keys) == 1:
        return {"outputs": outputs[keys[0]].tolist()}
    return {"outputs": {key: outputs[key].tolist() for key in keys}}
    ### END SOLUTION


def status_json(manager, name, version=None, label=None) -> dict:
    """The body of ``GET /v1/models/{name}[/versions/{v}|/labels/{l}]``.

    ``{"model_version_status": [...]}``, versions as strings, newest first; only the addressed version when one is
    given. ``ServingError`` 404 when unknown.
    """
    ### BEGIN SOLUTION
    try:
        entries = manager.status(name)
        if version is not None or label is not None:
            wanted = manager.resolve(name, version, label)[0]
            entries = [(v, s) for v, s in entries if v == wanted]
    except KeyError as exc:
        raise ServingError(str(exc).strip("'\""), 404) from None
    return {"model_version_status": [
        {"version": str(v), "state": state, "status": {"error_code": "OK", "error_message": ""}}
        for v, state in sorted(entries, reverse=True)]}
    ### END SOLUTION


def metadata_json(manager, name, version=None, label=None) -> dict:
    """The body of ``GET .../metadata``.

    ``{"model_spec": {"name", "signature_name": "", "version"}, "metadata": {"signature_def": <SignatureDefMap as
    JSON, proto field names>}}``.
    """
    ### BEGIN SOLUTION
    try:
        served, servable = manager.resolve(name, version, label)
    except KeyError as exc:
        raise ServingError(str(exc).strip("'\""), 404) from None
    sigs = json_format.MessageToDict(signature_def_map(servable), preserving_proto_field_name=True)
    return {"model_spec": {"name": name, "signature_name": "", "version": str(served)},
            "metadata": {"signature_def": sigs}}
    ### END SOLUTION


class _PredictionServicer(prediction_service_pb2_grpc.PredictionServiceServicer,
                          model_service_pb2_grpc.ModelServiceServicer):
    """gRPC ``PredictionService`` (``Predict``, ``GetModelMetadata``) and ``ModelService`` (``GetModelStatus``)."""

    def __init__(self, manager):
        self.manager = manager

    ### BEGIN SOLUTION
    def _resolve(self, spec, context):
        version = spec.version.value if spec.HasField("version") else None
        label = spec.version_label or None
        try:
            return self.manager.resolve(spec.name, version, label)
        except KeyError as exc:
            context.abort(grpc.StatusCode.NOT_FOUND, str(exc).strip("'\""))

    def Predict(self, request, context):
        served, servable = self._resolve(request.model_spec, context)
        signature_name = request.model_spec.signature_name or "serving_default"
        if signature_name not in servable.signatures:
            context.abort(grpc.StatusCode.NOT_FOUND, f"signature {signature_name!r} not found")
        try:
            inputs = {key: tf.make_ndarray(proto) for key, proto in request.inputs.items()}
            outputs = call_signature(servable.signatures[signature_name], inputs)
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        keep = set(request.output_filter) or set(outputs)
        if not keep <= set(outputs):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unknown outputs {sorted(keep - set(outputs))}")
        response = predict_pb2.PredictResponse()
        response.model_spec.name = request.model_spec.name
        response.model_spec.version.value = served
        response.model_spec.signature_name = signature_name
        for key in keep:
            response.outputs[key].CopyFrom(tf.make_tensor_proto(outputs[key]))
        return response

    def GetModelMetadata(self, request, context):
        if list(request.metadata_field) != ["signature_def"]:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "metadata_field must be ['signature_def']")
        served, servable = self._resolve(request.model_spec, context)
        response = get_model_metadata_pb2.GetModelMetadataResponse()
        response.model_spec.name = request.model_spec.name
        response.model_spec.version.value = served
        response.metadata["signature_def"].Pack(signature_def_map(servable))
        return response

    def GetModelStatus(self, request, context):
        spec = request.model_spec
        try:
            entries = self.manager.status(spec.name)
            if spec.HasField("version") or spec.version_label:
                wanted = self._resolve(spec, context)[0]
                entries = [(v, s) for v, s in entries if v == wanted]
        except KeyError as exc:
            context.abort(grpc.StatusCode.NOT_FOUND, str(exc).strip("'\""))
        response = get_model_status_pb2.GetModelStatusResponse()
        for version, state in sorted(entries, reverse=True):
            entry = response.model_version_status.add()
            entry.version = version
            entry.state = get_model_status_pb2.ModelVersionStatus.State.Value(state)
        return response
    ### END SOLUTION


class ServerHandle:
    """What ``serve`` returns: ``rest_port``, ``grpc_port`` and ``stop()`` (returns within two seconds)."""

    def __init__(self, rest_port, grpc_port, stop):
        self.rest_port, self.grpc_port, self._stop = rest_port, grpc_port, stop

    def stop(self):
        self._stop()


def serve(manager, rest_port: int = 0, grpc_port: int = 0) -> ServerHandle:
    """Serve ``manager`` (anything with ``resolve`` and ``status`` as in Q1) over REST and gRPC on 127.0.0.1.

    REST (``ThreadingHTTPServer``): ``GET /v1/models/{m}[/versions/{v}|/labels/{l}]`` (status),
    ``GET .../metadata``, ``POST ...:predict``; ``:classify`` and ``:regress`` answer 400 (these models have only
    predict signatures); errors are ``{"error": message}`` with 400 or 404; any other path is 404.
    gRPC (``grpc.server``): ``PredictionService`` and ``ModelService`` with ``NOT_FOUND``/``INVALID_ARGUMENT``.
    Port 0 picks a free port; the handle carries the real ports.
    """
    ### BEGIN SOLUTION
    import re

    route = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+)|/labels/([^/:]+))?(/metadata|:predict|:classify"
                       r"|:regress)?$")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method):
            match = route.match(self.path)
            try:
                if match is None:
                    raise ServingError(f"no route for {self.path}", 404)
                name, version, label, action = match.groups()
                version = int(version) if version is not None else None
                if method == "GET" and action is None:
                    return self._send(200, status_json(manager, name, version, label))
                if method == "GET" and action == "/metadata":
                    return self._send(200, metadata_json(manager, name, version, label))
                if method == "POST" and action == ":predict":
                    length = int(self.headers.get("Content-Length") or 0)
                    return self._send(200, rest_predict(manager, name, version, label, self.rfile.read(length)))
                if method == "POST" and action in (":classify", ":regress"):
                    manager.resolve(name, version, label)
                    raise ServingError(f"{action[1:]} needs a {action[1:]} signature; this model has predict "
                                       "signatures only", 400)
                raise ServingError(f"{method} is not supported on {self.path}", 404)
            except ServingError as exc:
                return self._send(exc.http_status, {"error": str(exc)})
            except KeyError as exc:
                return self._send(404, {"error": str(exc).strip("'\"")})

        def do_GET(self):
            self._handle("GET")

        def do_POST(self):
            self._handle("POST")

    httpd = ThreadingHTTPServer(("127.0.0.1", rest_port), Handler)
    httpd.daemon_threads = True
    http_thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    http_thread.start()

    server = grpc.server(ThreadPoolExecutor(max_workers=8))
    servicer = _PredictionServicer(manager)
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(servicer, server)
    model_service_pb2_grpc.add_ModelServiceServicer_to_server(servicer, server)
    bound = server.add_insecure_port(f"127.0.0.1:{grpc_port}")
    server.start()

    def stop():
        httpd.shutdown()
        httpd.server_close()
        server.stop(grace=0.2).wait(1.0)
        http_thread.join(1.0)

    return ServerHandle(httpd.server_address[1], bound, stop)
    ### END SOLUTION


# %% [q3]
class DynamicBatcher:
    """Server-side dynamic batching, as TF Serving's ``BatchingParameters`` describe it.

    ``submit(inputs)`` queues one request (a dict of arrays with the same number of rows, 1 to ``max_batch_size``;
    ``ValueError`` otherwise) and returns a ``concurrent.futures.Future`` of that request's outputs (a dict of arrays,
    its rows only). ``num_batch_threads`` threads each take, from the front of the queue, as many whole requests as fit
    in ``max_batch_size`` rows, once the queue holds ``max_batch_size`` rows or the oldest queued request has waited
    ``batch_timeout_micros``; they run ``fn`` (dict of concatenated arrays -> dict of outputs) once per batch, outside
    any lock, and split the outputs back. When more than ``max_enqueued_batches * max_batch_size`` rows would be
    queued, the future fails at once with ``RuntimeError`` (TF Serving's UNAVAILABLE). ``fn``'s exception fails every
    future of that batch. ``close()`` stops accepting work, finishes what is queued, and joins the threads.
    ``ValueError`` from the constructor when ``max_batch_size``, ``num_batch_threads`` or ``max_enqueued_batches`` is
    below 1 or ``batch_timeout_micros`` is negative.
    """

    def __init__(self, fn, *, max_batch_size: int = 32, batch_timeout_micros: int = 1000,
                 num_batch_threads: int = 1, max_enqueued_batches: int = 100):
        ### BEGIN SOLUTION
        if min(max_batch_size, num_batch_threads, max_enqueued_batches) < 1 or batch_timeout_micros < 0:
            raise ValueError("batching parameters must be positive")
        self._fn = fn
        self.max_batch_size = int(max_batch_size)
        self._timeout = batch_timeout_micros / 1e6
        self._capacity = int(max_enqueued_batches) * self.max_batch_size
        self._queue = []
        self._rows = 0
        self._closed = False
        self._cond = threading.Condition()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(int(num_batch_threads))]
        for thread in self._threads:
            thread.start()
        ### END SOLUTION

    def submit(self, inputs: dict) -> Future:
        ### BEGIN SOLUTION
        arrays = {key: np.asarray(value) for key, value in inputs.items()}
        sizes = {len(value) if value.ndim else -1 for value in arrays.values()}
        if not arrays or len(sizes) != 1:
            raise ValueError("every input must have the same number of rows")
        rows = sizes.pop()
        if not 1 <= rows <= self.max_batch_size:
            raise ValueError(f"a request must have 1 to {self.max_batch_size} rows, got {rows}")
        future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            if self._rows + rows > self._capacity:
                future.set_exception(RuntimeError("UNAVAILABLE: the batch queue is full"))
                return future
            self._queue.append((arrays, rows, future, time.monotonic()))
            self._rows += rows
            if len(self._queue) == 1 or self._rows >= self.max_batch_size:
                self._cond.notify()
        return future
        ### END SOLUTION

    ### BEGIN SOLUTION
    def _take(self):
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if not self._queue:
                return None
            deadline = self._queue[0][3] + self._timeout
            while self._rows < self.max_batch_size and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
                if not self._queue:
                    return []
            batch, total = [], 0
            while self._queue and total + self._queue[0][1] <= self.max_batch_size:
                request = self._queue.pop(0)
                batch.append(request)
                total += request[1]
            self._rows -= total
            return batch

    def _run(self):
        while True:
            batch = self._take()
            if batch is None:
                return
            if not batch:
                continue
            try:
                merged = {key: np.concatenate([request[0][key] for request in batch]) for key in batch[0][0]}
                outputs = {key: np.asarray(value) for key, value in self._fn(merged).items()}
            except Exception as exc:
                for request in batch:
                    request[2].set_exception(exc)
                continue
            start = 0
            for _arrays, rows, future, _ in batch:
                future.set_result({key: value[start:start + rows] for key, value in outputs.items()})
                start += rows
    ### END SOLUTION

    def close(self):
        ### BEGIN SOLUTION
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()
        ### END SOLUTION


# %% [q4]
class VersionedRepository:
    """One model's versions under ``<base_path>/<name>/<int version>/``, served by a TF Serving version policy.

    - ``policy``: ``"latest:N"`` (the N newest), ``"all"``, or ``"specific:1,3"`` (``ValueError`` otherwise).
    - ``publish(src_dir, version)``: copy an exported SavedModel folder in atomically (copy to a hidden temporary
      folder beside it, then ``os.replace``); ``FileExistsError`` if the version exists. Returns the new path.
    - ``poll()``: scan the folder (integer names holding a ``saved_model.pb``; anything else, or a version that fails
      to load, is skipped), load the versions the policy wants that are not loaded yet, *then* unload those it no
      longer wants (``"END"``), so a swap never leaves the model without a version.
    - ``status(name) -> [(version, state)]`` for every version seen ("AVAILABLE" or "END"); ``KeyError`` if the
      name is not this model's.
    - ``set_label(label, version)``: only to an AVAILABLE version (``ValueError``), as TF Serving by default.
    - ``resolve(name, version=None, label=None) -> (version, servable)``: the newest available version by default;
      ``KeyError`` for another name, an unknown label or a version that is not available.
    ``__init__`` polls once.
    """

    def __init__(self, base_path: str, name: str, policy: str = "latest:1"):
        ### BEGIN SOLUTION
        self.base_path, self.name = base_path, name
        kind, _, arg = policy.partition(":")
        if kind == "latest" and arg.isdigit() and int(arg) >= 1:
            self._policy = ("latest", int(arg))
        elif kind == "all" and not arg:
            self._policy = ("all", None)
        elif kind == "specific" and arg and all(part.strip().isdigit() for part in arg.split(",")):
            self._policy = ("specific", {int(part) for part in arg.split(",")})
        else:
            raise ValueError(f"unknown version policy {policy!r}")
        self._lock = threading.Lock()
        self._loaded = {}
        self._states = {}
        self._labels = {}
        self.poll()
        ### END SOLUTION

    ### BEGIN SOLUTION
    def _wanted(self, on_disk):
        kind, arg = self._policy
        if kind == "latest":
            return set(sorted(on_disk)[-arg:])
        if kind == "all":
            return set(on_disk)
        return set(on_disk) & arg

    def publish(self, src_dir, version):
        folder = os.path.join(self.base_path, self.name)
        target = os.path.join(folder, str(int(version)))
        if os.path.exists(target):
            raise FileExistsError(f"version {version} already exists")
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".tmp-{int(version)}-{uuid.uuid4().hex}")
        shutil.copytree(src_dir, tmp)
        os.replace(tmp, target)
        return target

    def poll(self):
        folder = os.path.join(self.base_path, self.name)
        wanted = self._wanted(list_versions(folder))
        for version in sorted(wanted - set(self._loaded)):
            try:
                servable = tf.saved_model.load(os.path.join(folder, str(version)))
            except Exception:
                continue
            with self._lock:
                self._loaded[version] = servable
                self._states[version] = "AVAILABLE"
        with self._lock:
            if not wanted & set(self._loaded):
                return
            for version in sorted(set(self._loaded) - wanted):
                del self._loaded[version]
                self._states[version] = "END"
                self._labels = {k: v for k, v in self._labels.items() if v != version}

    def status(self, name):
        if name != self.name:
            raise KeyError(f"model {name!r} not found")
        with self._lock:
            return sorted(self._states.items())

    def set_label(self, label, version):
        with self._lock:
            if int(version) not in self._loaded:
                raise ValueError(f"version {version} is not AVAILABLE")
            self._labels[label] = int(version)

    def resolve(self, name, version=None, label=None):
        if name != self.name:
            raise KeyError(f"model {name!r} not found")
        with self._lock:
            if label is not None:
                if label not in self._labels:
                    raise KeyError(f"label {label!r} not found")
                version = self._labels[label]
            if version is None:
                if not self._loaded:
                    raise KeyError(f"model {name!r} has no available version")
                version = max(self._loaded)
            if int(version) not in self._loaded:
                raise KeyError(f"version {version} of {name!r} is not available")
            return int(version), self._loaded[int(version)]
    ### END SOLUTION


# %% [q5]
def assign_variant(user_id: str, experiment_id: str, allocation: dict) -> str:
    """Sticky, salted hash bucketing of a user into a variant.

    ``sha256(f"{experiment_id}:{user_id}")`` mapped to ``[0, 1)`` and matched against the cumulative allocation (in the
    dict's order). ``ValueError`` unless the shares are >= 0 and sum to 1 (1e-9).
    """
    ### BEGIN SOLUTION
    shares = list(allocation.items())
    if not shares or any(p < 0 for _, p in shares) or abs(sum(p for _, p in shares) - 1.0) > 1e-9:
        raise ValueError("allocation shares must be non-negative and sum to 1")
    digest = hashlib.sha256(f"{experiment_id}:{user_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    cumulative = 0.0
    for variant, share in shares:
        cumulative += share
        if u < cumulative:
            return variant
    return shares[-1][0]
    ### END SOLUTION


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def two_proportion_ztest(s1: int, n1: int, s2: int, n2: int) -> tuple:
    """Pooled two-proportion z-test of p1 = p2: ``(z, two-sided p)``, ``z = (p1 - p2) / se_pooled``."""
    ### BEGIN SOLUTION
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se
    return z, 2 * normal_sf(abs(z))
    ### END SOLUTION


def normal_ppf(q: float) -> float:
    """The standard normal quantile, by bisection on ``normal_sf`` (ample for confidence levels)."""
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 1 - normal_sf(mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def wilson_interval(s: int, n: int, conf: float = 0.95) -> tuple:
    """The Wilson score interval for a binomial proportion ``s / n``."""
    ### BEGIN SOLUTION
    z = normal_ppf(1 - (1 - conf) / 2)
    p = s / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half
    ### END SOLUTION


def required_sample_size(p_base: float, mde_abs: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Per-arm sample size of a two-sided test of ``p_base`` vs ``p_base + mde_abs``.

    With Cohen's effect size ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))``:
    ``ceil(((z_{1-alpha/2} + z_{power}) / |h|)^2 * 2)``.
    """
    ### BEGIN SOLUTION
    h = 2 * math.asin(math.sqrt(p_base + mde_abs)) - 2 * math.asin(math.sqrt(p_base))
    z_alpha = normal_ppf(1 - alpha / 2)
    z_power = normal_ppf(power)
    return int(math.ceil(2 * ((z_alpha + z_power) / abs(h)) ** 2))
    ### END SOLUTION


def ucb1_run(rewards: np.ndarray) -> list:
    """UCB1 over ``rewards[arm, k]`` (the reward of the k-th pull of that arm), for ``rewards.shape[1]`` rounds.

    Rounds ``t = 1..T``: pull each arm once, in index order; then the arm maximizing
    ``mean_a + sqrt(2 ln(t - 1) / n_a)`` (``t - 1`` pulls so far; ties to the lowest index). Returns the pulled arms.
    """
    ### BEGIN SOLUTION
    arms, rounds = rewards.shape
    counts = np.zeros(arms, np.int64)
    sums = np.zeros(arms)
    pulls = []
    for t in range(1, rounds + 1):
        if t <= arms:
            arm = t - 1
        else:
            scores = sums / counts + np.sqrt(2 * math.log(t - 1) / counts)
            arm = int(np.argmax(scores))
        sums[arm] += rewards[arm, counts[arm]]
        counts[arm] += 1
        pulls.append(arm)
    return pulls
    ### END SOLUTION


# %% [q6]
DEFAULT_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServingMetrics:
    """Serving metrics on the given ``prometheus_client.CollectorRegistry`` (never the global one).

    - ``requests``: Counter ``serving_requests`` (exported ``serving_requests_total``), labels model, version, status
      (``"ok"`` / ``"error"``);
    - ``latency``: Histogram ``serving_request_latency_seconds``, label model, the given buckets;
    - ``in_flight``: Gauge ``serving_requests_in_flight``;
    - ``errors``: Counter ``serving_errors`` (``serving_errors_total``), labels model, error_type (the class name).
    """

    def __init__(self, registry: prometheus_client.CollectorRegistry, buckets=DEFAULT_BUCKETS):
        ### BEGIN SOLUTION
        self.requests = prometheus_client.Counter("serving_requests", "Requests served",
                                                  ["model", "version", "status"], registry=registry)
        self.latency = prometheus_client.Histogram("serving_request_latency_seconds", "Request latency",
                                                   ["model"], buckets=buckets, registry=registry)
        self.in_flight = prometheus_client.Gauge("serving_requests_in_flight", "Requests in flight",
                                                 registry=registry)
        self.errors = prometheus_client.Counter("serving_errors", "Failed requests", ["model", "error_type"],
                                                registry=registry)
        ### END SOLUTION


def instrument(fn, metrics: ServingMetrics, model: str, version: int, clock=time.perf_counter):
    """Wrap ``fn`` with the serving metrics.

    In-flight +1 during the call, latency ``clock()`` after minus before (also on errors), one request counted with
    status ok/error, and errors by type; the exception is re-raised.
    """
    ### BEGIN SOLUTION
    def wrapped(*args, **kwargs):
        metrics.in_flight.inc()
        start = clock()
        status = "error"
        try:
            result = fn(*args, **kwargs)
            status = "ok"
            return result
        except Exception as exc:
            metrics.errors.labels(model, type(exc).__name__).inc()
            raise
        finally:
            metrics.latency.labels(model).observe(clock() - start)
            metrics.requests.labels(model, str(version), status).inc()
            metrics.in_flight.dec()

    return wrapped
    ### END SOLUTION


class MetricsServer:
    """Serves ``GET /metrics`` on 127.0.0.1.

    The body is ``prometheus_client.generate_latest(registry)`` with Prometheus' text content type; other paths 404.
    ``port`` is the bound port (0 picks one); ``stop()`` returns within two seconds.
    """

    def __init__(self, registry, port: int = 0):
        ### BEGIN SOLUTION
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                data = prometheus_client.generate_latest(registry)
                self.send_response(200)
                self.send_header("Content-Type", prometheus_client.CONTENT_TYPE_LATEST)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        ### END SOLUTION

    def stop(self):
        ### BEGIN SOLUTION
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(1.0)
        ### END SOLUTION


def psi(reference, current, bins: int = 10, eps: float = 1e-6) -> float:
    """Population stability index with quantile bins of ``reference``.

    Interior edges ``np.quantile(reference, [1/bins, ..., (bins-1)/bins])``; a value goes to the bin
    ``np.searchsorted(edges, x, side="right")``; shares clipped below at ``eps``; ``sum((q - p) * ln(q / p))``
    (p reference, q current).
    """
    ### BEGIN SOLUTION
    reference = np.asarray(reference, np.float64)
    current = np.asarray(current, np.float64)
    edges = np.quantile(reference, np.arange(1, bins) / bins)
    p = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins) / len(reference)
    q = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins) / len(current)
    p, q = np.maximum(p, eps), np.maximum(q, eps)
    return float(np.sum((q - p) * np.log(q / p)))
    ### END SOLUTION


def ks_2sample(reference, current) -> tuple:
    """Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value.

    ``D = max |F_ref(x) - F_cur(x)|`` over the pooled values, and ``p = Q(sqrt(n m / (n + m)) D)`` with
    ``Q(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2)`` (clipped to [0, 1]).
    """
    ### BEGIN SOLUTION
    a = np.sort(np.asarray(reference, np.float64))
    b = np.sort(np.asarray(current, np.float64))
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    d = float(np.max(np.abs(cdf_a - cdf_b)))
    lam = math.sqrt(len(a) * len(b) / (len(a) + len(b))) * d
    if lam < 1e-3:
        return d, 1.0
    k = np.arange(1, 101)
    p = 2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2))
    return d, float(min(max(p, 0.0), 1.0))
    ### END SOLUTION


class ThresholdAlert:
    """A Prometheus-style alert rule ``value > threshold for for_s seconds``.

    ``update(now, value) -> state``: ``"inactive"`` while the condition is false; when it becomes true the rule is
    ``"pending"`` from that time ``t0``, and ``"firing"`` once ``now - t0 >= for_s``; any false value resets it to
    ``"inactive"``. ``fired`` counts transitions into ``"firing"``.
    """

    def __init__(self, threshold: float, for_s: float):
        ### BEGIN SOLUTION
        self.threshold, self.for_s = threshold, for_s
        self.state = "inactive"
        self.fired = 0
        self._since = None
        ### END SOLUTION

    def update(self, now: float, value: float) -> str:
        ### BEGIN SOLUTION
        if not value > self.threshold:
            self.state, self._since = "inactive", None
            return self.state
        if self._since is None:
            self._since = now
            self.state = "pending"
        if self.state == "pending" and now - self._since >= self.for_s:
            self.state = "firing"
            self.fired += 1
        return self.state
        ### END SOLUTION
