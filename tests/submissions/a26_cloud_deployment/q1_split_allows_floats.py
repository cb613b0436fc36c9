# expect: {"q1": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, json, ... come from the reference setup cell)
# Accepts float and bool percentages in the traffic split.
# %% [q1]
def parse_instances(payload, features: int) -> np.ndarray:
    """Vertex AI's request body ``{"instances": [[f1, ..., fF], ...], "parameters": {...}}`` -> float32 array.

    Raises ``ValueError`` unless ``payload`` is a dict with a non-empty list ``instances`` of lists of ``features``
    finite numbers (``bool`` is not a number); ``parameters``, when present, must be a dict.
    """
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


def create_vertex_app(model_dir: str | None = None, max_request_bytes: int = 1_500_000):
    """A WSGI application following Vertex AI's custom-container contract.

    The model is loaded (with ``load_model``) from ``model_dir`` or else ``$AIP_STORAGE_URI`` before the function
    returns. Routes: ``GET $AIP_HEALTH_ROUTE`` (default ``/health``) -> 200 ``{}``; ``POST $AIP_PREDICT_ROUTE``
    (default ``/predict``) -> 200 ``{"predictions": [{"probabilities": [...], "predicted_class": k}, ...]}``, one per
    instance, in order. Errors are JSON ``{"error": "..."}``: 400 malformed JSON or instances, 413 when the body is
    longer than ``max_request_bytes`` (checked on ``Content-Length`` before reading), 405 a wrong method on a known
    route, 404 any other path.
    """
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


def run_vertex_server(model_dir: str | None = None) -> int:
    """Serve ``create_vertex_app(model_dir)`` with ``serve_wsgi`` on the port ``$AIP_HTTP_PORT`` (default 8080)."""
    return serve_wsgi(create_vertex_app(model_dir), int(os.environ.get("AIP_HTTP_PORT", "8080")))


def batch_predict_jsonl(input_path: str, output_dir: str, model_dir: str) -> list:
    """Vertex AI batch prediction on a JSON Lines file (one instance, a list of numbers, per line).

    Writes ``prediction.results-00000-of-00001`` (one line per valid instance, in input order:
    ``{"instance": <the instance>, "prediction": {"probabilities": [...], "predicted_class": k}}``) and
    ``prediction.errors_stats-00000-of-00001`` (one line per bad line: ``{"instance": <the raw line>,
    "errorMessage": "..."}``); blank lines are skipped. Returns the two paths.
    """
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


def validate_traffic_split(split: dict) -> None:
    """Check an endpoint's traffic split (deployed-model id -> percentage).

    Raises ``ValueError`` unless it is a non-empty dict of string ids to ints (not bools) in ``0..100`` summing to
    exactly 100.
    """
    if not isinstance(split, dict) or not split:
        raise ValueError("the traffic split must be a non-empty dict")
    for key, value in split.items():
        if not isinstance(key, str) or not key:
            raise ValueError("deployed model ids must be non-empty strings")
        if not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise ValueError(f"traffic for {key!r} must be an int in 0..100")
    if sum(split.values()) != 100:
        raise ValueError("traffic percentages must sum to 100")
