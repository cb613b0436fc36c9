# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# push_model takes max() of the existing versions with no default, so the first push into an empty serving_dir fails.
# %% [q4]
def push_model(model: tf.Module, serving_dir: str) -> str:
    """The Pusher: export ``model`` as the next version in TF Serving's directory layout.

    Versions are integer-named sub-folders of ``serving_dir`` (``1``, ``2``, ...); other names are ignored. The new
    version is one more than the largest existing one (``1`` when there is none). Save with
    ``tf.saved_model.save(model, tmp, signatures={"serving_default": model.__call__})`` into a temporary folder
    inside ``serving_dir`` whose name is not an integer (``".tmp-3"``, say), then ``os.rename`` it to the version
    folder, so that a server watching ``serving_dir`` never sees a half-written version.

    Args:
        model: a ``tf.Module`` whose ``__call__`` is a ``tf.function`` with an input signature.
        serving_dir: the model's base folder (created if missing).

    Returns:
        The path of the new version folder.
    """
    os.makedirs(serving_dir, exist_ok=True)
    versions = [int(name) for name in os.listdir(serving_dir)
                if name.isdigit() and os.path.isdir(os.path.join(serving_dir, name))]
    version = max(versions) + 1
    tmp = os.path.join(serving_dir, f".tmp-{version}")
    tf.saved_model.save(model, tmp, signatures={"serving_default": model.__call__})
    final = os.path.join(serving_dir, str(version))
    os.rename(tmp, final)
    return final


class TrafficRouter:
    """Routes requests between model versions: canary, blue-green and shadow deployments.

    - ``TrafficRouter(stable, salt="router")``: every request goes to version ``stable``.
    - ``start_canary(version, percent)`` / ``set_canary_percent(percent)``: ``percent`` (0-100, floats allowed)
      of the requests go to the canary. Routing is sticky and monotone: a request id always gets the same answer
      for a given percent, and raising the percent only moves requests from stable to canary. Hash the salted id
      (``sha256(f"{salt}:{request_id}")``, not Python's ``hash``) to a bucket in ``[0, 10000)`` and send it to the
      canary when ``bucket < percent * 100``.
    - ``promote()``: the canary becomes the stable version (no canary left). ``rollback()``: drop the canary
      (or, after a ``switch``, go back to the previous version).
    - ``switch(version)``: blue-green: all traffic moves to ``version`` at once; the old one is kept as the
      standby that ``rollback()`` returns to.
    - ``start_shadow(version)`` / ``stop_shadow()``: every request is also mirrored to the shadow version, whose
      answer is never served.
    - ``route(request_id) -> {"serve": version, "shadow": version or None}``.
    """

    def __init__(self, stable: int, salt: str = "router"):
        self.stable, self.salt = int(stable), str(salt)
        self.canary, self.percent, self.shadow, self.standby = None, 0.0, None, None

    def start_canary(self, version: int, percent: float) -> None:
        self.canary = int(version)
        self.set_canary_percent(percent)

    def set_canary_percent(self, percent: float) -> None:
        if not 0 <= percent <= 100:
            raise ValueError("percent must be in [0, 100]")
        self.percent = float(percent)

    def promote(self) -> None:
        if self.canary is None:
            raise ValueError("no canary to promote")
        self.standby, self.stable = self.stable, self.canary
        self.canary, self.percent = None, 0.0

    def rollback(self) -> None:
        if self.canary is not None:
            self.canary, self.percent = None, 0.0
        elif self.standby is not None:
            self.stable, self.standby = self.standby, None
        else:
            raise ValueError("nothing to roll back to")

    def switch(self, version: int) -> None:
        self.standby, self.stable = self.stable, int(version)
        self.canary, self.percent = None, 0.0

    def start_shadow(self, version: int) -> None:
        self.shadow = int(version)

    def stop_shadow(self) -> None:
        self.shadow = None

    def route(self, request_id: str) -> dict:
        serve = self.stable
        digest = hashlib.sha256(f"{self.salt}:{request_id}".encode()).digest()
        bucket = int.from_bytes(digest[:8], "big") % 10000
        if self.canary is not None and bucket < self.percent * 100:
            serve = self.canary
        return {"serve": serve, "shadow": self.shadow}


def serve_request(serving_dir: str, router: TrafficRouter, request_id: str, x, cache: dict) -> dict:
    """Serve one request through the router from the SavedModels under ``serving_dir``.

    Load a version with ``tf.saved_model.load(os.path.join(serving_dir, str(version)))`` once and keep it in
    ``cache`` (``{version: loaded}``); run its ``signatures["serving_default"]`` on ``tf.constant(x, tf.float32)``
    and take the signature's only output. The shadow version (if any) runs on the same input, but only its output
    is reported, never served.

    Returns:
        ``{"version": served version, "outputs": NumPy array, "shadow_version": int or None,
        "shadow_outputs": NumPy array or None}``.
    """
    def run(version):
        if version not in cache:
            cache[version] = tf.saved_model.load(os.path.join(serving_dir, str(version)))
        result = cache[version].signatures["serving_default"](tf.constant(x, tf.float32))
        return next(iter(result.values())).numpy()

    route = router.route(request_id)
    shadow = route["shadow"]
    return {"version": route["serve"], "outputs": run(route["serve"]),
            "shadow_version": shadow, "shadow_outputs": None if shadow is None else run(shadow)}


def canary_decision(stable: dict, canary: dict, max_error_rate_increase: float = 0.01,
                    max_latency_ratio: float = 1.2, min_requests: int = 200) -> str:
    """Automated canary analysis: ``"rollback"``, ``"wait"`` or ``"promote"``.

    ``stable`` and ``canary`` are ``{"requests": int, "errors": int, "p95_latency_ms": float}``. Roll back as soon
    as the canary's error rate exceeds the stable one by more than ``max_error_rate_increase`` (absolute) or its
    p95 latency exceeds ``max_latency_ratio`` times the stable one, whatever the number of requests; otherwise wait
    until the canary has served ``min_requests`` requests, then promote.
    """
    def rate(m):
        return m["errors"] / m["requests"] if m["requests"] else 0.0

    if canary["requests"] and (rate(canary) - rate(stable) > max_error_rate_increase
                               or canary["p95_latency_ms"] > max_latency_ratio * stable["p95_latency_ms"]):
        return "rollback"
    return "promote" if canary["requests"] >= min_requests else "wait"
