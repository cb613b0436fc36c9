# expect: {"q2": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, grpc, ... come from the reference setup cell)
# gRPC: model_spec.version read without HasField, so an unset version asks for version 0.
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


def rest_predict(manager, name, version, label, body: bytes) -> dict:
    """Handle a REST ``:predict`` body (row ``instances`` or columnar ``inputs``) and return the response JSON object.

    Raises ``ServingError`` (400 for malformed JSON, both or neither of ``instances``/``inputs``, wrong input names or
    shapes; 404 for an unknown model, version, label or signature).
    """
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


def status_json(manager, name, version=None, label=None) -> dict:
    """The body of ``GET /v1/models/{name}[/versions/{v}|/labels/{l}]``.

    ``{"model_version_status": [...]}``, versions as strings, newest first; only the addressed version when one is
    given. ``ServingError`` 404 when unknown.
    """
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


def metadata_json(manager, name, version=None, label=None) -> dict:
    """The body of ``GET .../metadata``.

    ``{"model_spec": {"name", "signature_name": "", "version"}, "metadata": {"signature_def": <SignatureDefMap as
    JSON, proto field names>}}``.
    """
    try:
        served, servable = manager.resolve(name, version, label)
    except KeyError as exc:
        raise ServingError(str(exc).strip("'\""), 404) from None
    sigs = json_format.MessageToDict(signature_def_map(servable), preserving_proto_field_name=True)
    return {"model_spec": {"name": name, "signature_name": "", "version": str(served)},
            "metadata": {"signature_def": sigs}}


class _PredictionServicer(prediction_service_pb2_grpc.PredictionServiceServicer,
                          model_service_pb2_grpc.ModelServiceServicer):
    """gRPC ``PredictionService`` (``Predict``, ``GetModelMetadata``) and ``ModelService`` (``GetModelStatus``)."""

    def __init__(self, manager):
        self.manager = manager
    def _resolve(self, spec, context):
        version = spec.version.value
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
