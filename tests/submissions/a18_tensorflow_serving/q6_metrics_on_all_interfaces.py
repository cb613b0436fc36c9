# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, grpc, ... come from the reference setup cell)
# The metrics server bound to every interface (0.0.0.0) instead of loopback.
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
        self.requests = prometheus_client.Counter("serving_requests", "Requests served",
                                                  ["model", "version", "status"], registry=registry)
        self.latency = prometheus_client.Histogram("serving_request_latency_seconds", "Request latency",
                                                   ["model"], buckets=buckets, registry=registry)
        self.in_flight = prometheus_client.Gauge("serving_requests_in_flight", "Requests in flight",
                                                 registry=registry)
        self.errors = prometheus_client.Counter("serving_errors", "Failed requests", ["model", "error_type"],
                                                registry=registry)


def instrument(fn, metrics: ServingMetrics, model: str, version: int, clock=time.perf_counter):
    """Wrap ``fn`` with the serving metrics.

    In-flight +1 during the call, latency ``clock()`` after minus before (also on errors), one request counted with
    status ok/error, and errors by type; the exception is re-raised.
    """
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


class MetricsServer:
    """Serves ``GET /metrics`` on 127.0.0.1.

    The body is ``prometheus_client.generate_latest(registry)`` with Prometheus' text content type; other paths 404.
    ``port`` is the bound port (0 picks one); ``stop()`` returns within two seconds.
    """

    def __init__(self, registry, port: int = 0):
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

        self._httpd = ThreadingHTTPServer(("0.0.0.0", port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(1.0)


def psi(reference, current, bins: int = 10, eps: float = 1e-6) -> float:
    """Population stability index with quantile bins of ``reference``.

    Interior edges ``np.quantile(reference, [1/bins, ..., (bins-1)/bins])``; a value goes to the bin
    ``np.searchsorted(edges, x, side="right")``; shares clipped below at ``eps``; ``sum((q - p) * ln(q / p))``
    (p reference, q current).
    """
    reference = np.asarray(reference, np.float64)
    current = np.asarray(current, np.float64)
    edges = np.quantile(reference, np.arange(1, bins) / bins)
    p = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins) / len(reference)
    q = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins) / len(current)
    p, q = np.maximum(p, eps), np.maximum(q, eps)
    return float(np.sum((q - p) * np.log(q / p)))


def ks_2sample(reference, current) -> tuple:
    """Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value.

    ``D = max |F_ref(x) - F_cur(x)|`` over the pooled values, and ``p = Q(sqrt(n m / (n + m)) D)`` with
    ``Q(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2)`` (clipped to [0, 1]).
    """
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


class ThresholdAlert:
    """A Prometheus-style alert rule ``value > threshold for for_s seconds``.

    ``update(now, value) -> state``: ``"inactive"`` while the condition is false; when it becomes true the rule is
    ``"pending"`` from that time ``t0``, and ``"firing"`` once ``now - t0 >= for_s``; any false value resets it to
    ``"inactive"``. ``fired`` counts transitions into ``"firing"``.
    """

    def __init__(self, threshold: float, for_s: float):
        self.threshold, self.for_s = threshold, for_s
        self.state = "inactive"
        self.fired = 0
        self._since = None

    def update(self, now: float, value: float) -> str:
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
