# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# parse_rows rejects a payload only when no value is finite: one inf among finite values reaches the model.
# %% [q6]
_MODEL = None


def get_model():
    """The model of this (simulated) Lambda container.

    It is loaded with ``load_model(os.environ["MODEL_DIR"])`` on the
    first call only and kept in the module global ``_MODEL`` (so the load is paid by the cold start alone).
    """
    global _MODEL
    if _MODEL is None:
        _MODEL = load_model(os.environ["MODEL_DIR"])
    return _MODEL


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


def parse_rows(payload, features: int) -> np.ndarray:
    """``{"instances": [[features numbers], ...]}`` (non-empty) -> float32 array; ``ValueError`` otherwise."""
    rows = payload.get("instances") if isinstance(payload, dict) else None
    if (not isinstance(rows, list) or not rows or not all(
            isinstance(r, list) and len(r) == features
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r) for r in rows)):
        raise ValueError(f'"instances" must be a non-empty list of rows of {features} numbers')
    x = np.asarray(rows, np.float32)
    if not np.any(np.isfinite(x)):
        raise ValueError("instances must be finite")
    return x


def sqs_batch_handler(event: dict, context) -> dict:
    """Lambda on an SQS event source with ``ReportBatchItemFailures``.

    Each record's ``body`` is
    ``{"instances": [...]}``; predict every good record (with ``get_model()``) and return
    ``{"batchItemFailures": [{"itemIdentifier": messageId}, ...]}`` for exactly the bad ones, in event order.
    """
    model = get_model()
    failures = []
    for record in event.get("Records", []):
        try:
            model.predict(parse_rows(json.loads(record["body"]), model.features))
        except (ValueError, KeyError, TypeError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def predict(request):
    """A Google Cloud Functions HTTP function (served by ``functions-framework --target=predict``).

    ``request`` is a Flask request: ``POST`` with a JSON body ``{"instances": ...}`` -> ``(json body, 200,
    {"Content-Type": "application/json"})`` with ``{"predictions": [[...], ...]}``; a bad body -> 400 with
    ``{"error": ...}``; another method -> 405. Uses ``get_model()``.
    """
    headers = {"Content-Type": "application/json"}
    if request.method != "POST":
        return json.dumps({"error": "use POST"}), 405, headers
    model = get_model()
    try:
        x = parse_rows(json.loads(request.get_data(as_text=True) or "null"), model.features)
    except ValueError as exc:
        return json.dumps({"error": str(exc)[:200]}), 400, headers
    return json.dumps({"predictions": model.predict(x).tolist()}), 200, headers
