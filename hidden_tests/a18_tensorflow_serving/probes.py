"""Worker-side probes for A18, TensorFlow Serving.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of the
reference module. Probes run inside the sandboxed worker. They export the course's own SavedModels from weights the
judge sent (never the student's export, except where that export is the question), hand managers, models and
functions to the namespace's code, start the student's servers on 127.0.0.1 and keep them in a registry so that a
later call can stop them. The judge talks to those servers itself, through ``graders.judge.loopback.forward``; the
probes return plain data only and hold no expected answers.
"""

import json
import os
import re
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import tensorflow as tf

_HOME = os.path.expanduser("~")
_SERVERS = {}
_REPOS = {}


def _folder():
    return tempfile.mkdtemp(dir=_HOME)


def mlp(weights) -> tf.keras.Model:
    """The judge's MLP as a Keras model: ReLU hidden layers, linear logits."""
    weights = [np.asarray(w, np.float32) for w in weights]
    layers = [tf.keras.Input(shape=(weights[0].shape[0],))]
    for k in range(0, len(weights), 2):
        last = k == len(weights) - 2
        layers.append(tf.keras.layers.Dense(weights[k].shape[1], activation=None if last else "relu"))
    model = tf.keras.Sequential(layers)
    model.set_weights(weights)
    return model


_EXPORTS = {}


def export(weights, path):
    """The course's own export: uint8 ``inputs`` -> probabilities and predicted_class (plus ``embeddings``).

    Each distinct model is saved once per worker and copied afterwards."""
    key = b"".join(np.asarray(w, np.float32).tobytes() for w in weights)
    if key in _EXPORTS:
        shutil.copytree(_EXPORTS[key], path)
        return path
    _EXPORTS[key] = os.path.join(_folder(), "model")
    _save(weights, _EXPORTS[key])
    shutil.copytree(_EXPORTS[key], path)
    return path


def _save(weights, path):
    model = mlp(weights)
    features = int(model.input_shape[-1])
    embedder = tf.keras.Model(model.inputs, model.layers[-2].output)
    spec = tf.TensorSpec([None, features], tf.uint8, name="inputs")
    module = tf.Module()
    module.model, module.embedder = model, embedder

    @tf.function(input_signature=[spec])
    def serve(inputs):
        logits = model(tf.cast(inputs, tf.float32) / 255.0)
        return {"probabilities": tf.nn.softmax(logits),
                "predicted_class": tf.argmax(logits, axis=-1, output_type=tf.int64)}

    @tf.function(input_signature=[spec])
    def embed(inputs):
        return {"embeddings": embedder(tf.cast(inputs, tf.float32) / 255.0)}

    tf.saved_model.save(module, path, signatures={"serving_default": serve, "embeddings": embed})
    return path


# ----------------------------------------------------------------------------------------------------- Q1
def student_export(ns, weights, version):
    """The student's ``export_for_serving`` on the judge's model; the path it wrote and what it returned."""
    base = _folder()
    returned = ns["export_for_serving"](mlp(weights), base, "clf", version)
    return {"path": os.path.join(base, "clf", str(version)), "returned": os.path.abspath(str(returned)),
            "folders": sorted(os.listdir(os.path.join(base, "clf")))}


def student_export_twice(ns, weights):
    """Exporting the same version twice must raise (versions are immutable)."""
    base = _folder()
    ns["export_for_serving"](mlp(weights), base, "clf", 1)
    if not os.path.isfile(os.path.join(base, "clf", "1", "saved_model.pb")):
        raise RuntimeError("the first export_for_serving(..., version=1) wrote no <base>/clf/1/saved_model.pb")
    ns["export_for_serving"](mlp(weights), base, "clf", 1)


def inspect_servable(ns, path, x):
    """Load a SavedModel in the inspector and report its signatures and outputs on ``x`` (uint8)."""
    loaded = tf.saved_model.load(path)
    report = {}
    for name, fn in loaded.signatures.items():
        specs = fn.structured_input_signature[1]
        outputs = fn(**{key: tf.constant(x) for key in specs}) if set(specs) == {"inputs"} else {}
        report[name] = {
            "inputs": {key: [spec.dtype.name, spec.shape.as_list()] for key, spec in specs.items()},
            "outputs": {key: np.asarray(value) for key, value in outputs.items()},
            "output_dtypes": {key: value.dtype.name for key, value in outputs.items()},
        }
    return report


def manager_session(ns, models, config_template, requests):
    """Export the judge's models (``{name: {version: weights}}``), fill the base paths into the config template
    (``{base_<name>}``), build the student's ``ServableManager`` and run ``requests``.

    Each request is ``[method, args]`` for ``predict``/``status``/``resolve``; an exception comes back as its type name.
    """
    root = _folder()
    paths = {}
    for name, versions in models.items():
        for version, weights in versions.items():
            export(weights, os.path.join(root, name, str(version)))
        paths[f"base_{name}"] = os.path.join(root, name)
    for key, path in paths.items():
        config_template = config_template.replace("{" + key + "}", path)
    manager = ns["ServableManager"](config_template)
    answers = []
    for method, args in requests:
        try:
            result = getattr(manager, method)(*args)
            if method == "resolve":
                result = [int(result[0]), sorted(result[1].signatures)]
            elif method == "status":
                result = [[int(v), str(s)] for v, s in result]
            else:
                result = {key: np.asarray(value) for key, value in result.items()}
            answers.append({"ok": result})
        except Exception as exc:
            answers.append({"raised": type(exc).__name__})
    return answers


def manager_from_config(ns, config_text, weights=None):
    """Build the student's ``ServableManager`` from a config (for the errors it must raise); ``{base}`` is replaced
    by a folder holding version 1 of the judge's model when ``weights`` are given."""
    if weights is not None:
        root = _folder()
        export(weights, os.path.join(root, "1"))
        config_text = config_text.replace("{base}", root)
    ns["ServableManager"](config_text)


# ----------------------------------------------------------------------------------------------------- Q2
class ProbeManager:
    """The course's own manager for Q2: ``{name: {version: servable}}`` plus labels; counts what it resolves."""

    def __init__(self, servables, labels):
        self.servables, self.labels = servables, labels
        self.resolved = 0
        self.lock = threading.Lock()

    def resolve(self, name, version=None, label=None):
        if name not in self.servables:
            raise KeyError(f"model {name!r} not found")
        if label is not None:
            if label not in self.labels.get(name, {}):
                raise KeyError(f"label {label!r} not found")
            version = self.labels[name][label]
        versions = self.servables[name]
        if version is None:
            version = max(versions)
        if int(version) not in versions:
            raise KeyError(f"version {version} not found")
        with self.lock:
            self.resolved += 1
        return int(version), versions[int(version)]

    def status(self, name):
        if name not in self.servables:
            raise KeyError(f"model {name!r} not found")
        return [(version, "AVAILABLE") for version in sorted(self.servables[name])]


def start_server(ns, models, labels=None):
    """Export the judge's models, start the student's ``serve`` on them; the ports and a key to stop it."""
    root = _folder()
    servables = {}
    for name, versions in models.items():
        servables[name] = {}
        for version, weights in versions.items():
            path = export(weights, os.path.join(root, name, str(version)))
            servables[name][int(version)] = tf.saved_model.load(path)
    manager = ProbeManager(servables, {name: {k: int(v) for k, v in m.items()} for name, m in (labels or {}).items()})
    handle = ns["serve"](manager, 0, 0)
    key = f"server-{len(_SERVERS)}"
    _SERVERS[key] = (handle, manager)
    return {"key": key, "rest_port": int(handle.rest_port), "grpc_port": int(handle.grpc_port)}


def resolved_count(ns, key):
    """How many times the student's server asked the course's manager for a servable."""
    return _SERVERS[key][1].resolved


def stop_server(ns, key):
    """Stop a server started by a probe (the judge times this call and checks the ports close)."""
    handle = _SERVERS.pop(key)[0]
    handle.stop()


# ----------------------------------------------------------------------------------------------------- Q3
_FUNCTIONS = {}
LOAD_SHAPE = (64, 1024, 1024, 10)


def _model_fn(seed):
    """A tf.function MLP 64-1024-1024-10 from ``seed`` (float32 ``x`` -> softmax): one call costs about as much for
    one row as for 32, as a real model's does. Cached per seed."""
    if seed not in _FUNCTIONS:
        r = np.random.default_rng(int(seed))
        weights = []
        for fan_in, fan_out in zip(LOAD_SHAPE[:-1], LOAD_SHAPE[1:], strict=True):
            weights += [(r.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32),
                        np.zeros(fan_out, np.float32)]
        model = mlp(weights)

        @tf.function(input_signature=[tf.TensorSpec([None, LOAD_SHAPE[0]], tf.float32)])
        def fn(x):
            return tf.nn.softmax(model(x))

        _FUNCTIONS[seed] = fn
    return _FUNCTIONS[seed]


def _clients(x, threads, submit):
    """``threads`` client threads, each sending its share of the rows of ``x`` one request at a time."""
    results = [None] * len(x)
    errors = []

    def client(index):
        try:
            for i in range(index, len(x), threads):
                results[i] = submit(x[i:i + 1])
        except Exception as exc:
            errors.append(exc)

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    if errors:
        raise errors[0]
    return np.concatenate(results)


def batched_load(ns, seed, x, max_batch_size=32, batch_timeout_micros=2000, threads=32):
    """``threads`` clients send one-row requests through the student's ``DynamicBatcher`` around the course's model."""
    fn = _model_fn(seed)
    batcher = ns["DynamicBatcher"](lambda inputs: {"y": fn(tf.constant(inputs["x"]))}, max_batch_size=max_batch_size,
                                   batch_timeout_micros=batch_timeout_micros, num_batch_threads=1)
    try:
        return _clients(np.asarray(x, np.float32), threads,
                        lambda row: np.asarray(batcher.submit({"x": row}).result(30)["y"]))
    finally:
        batcher.close()


def unbatched_load(ns, seed, x, max_batch_size=32, batch_timeout_micros=2000, threads=32):
    """The baseline: the same clients, each request run on its own (one model call per request)."""
    fn = _model_fn(seed)
    return _clients(np.asarray(x, np.float32), threads, lambda row: np.asarray(fn(tf.constant(row))))


def batcher_session(ns, requests, max_batch_size, batch_timeout_micros, threads, num_batch_threads=1,
                    max_enqueued_batches=100, fail_rows_over=None):
    """Concurrent requests (lists of row counts per client) through the student's batcher around an instrumented
    ``fn`` (outputs ``2 * x + 1`` and the row's batch position). Reports every batch ``fn`` saw, every request's
    result or error, the threads left alive after ``close()`` and each request's latency."""
    batches = []
    lock = threading.Lock()

    def fn(inputs):
        x = np.asarray(inputs["x"])
        with lock:
            batches.append([len(x), time.monotonic()])
        if fail_rows_over is not None and len(x) > fail_rows_over:
            raise ArithmeticError("the batch was too large for this model")
        return {"y": 2 * x + 1, "n": np.full(len(x), len(x), np.int64)}

    before = {t.ident for t in threading.enumerate()}
    batcher = ns["DynamicBatcher"](fn, max_batch_size=max_batch_size, batch_timeout_micros=batch_timeout_micros,
                                   num_batch_threads=num_batch_threads, max_enqueued_batches=max_enqueued_batches)
    results = {}

    def client(c, sizes):
        for j, rows in enumerate(sizes):
            x = (np.arange(rows * 3, dtype=np.float64).reshape(rows, 3) + 1000 * c + 10 * j)
            start = time.monotonic()
            try:
                out = batcher.submit({"x": x}).result(20)
                results[f"{c}/{j}"] = {"x": x, "y": np.asarray(out["y"]), "n": np.asarray(out["n"]),
                                       "submitted": start, "latency": time.monotonic() - start}
            except Exception as exc:
                results[f"{c}/{j}"] = {"error": type(exc).__name__, "message": str(exc)[:200]}

    workers = [threading.Thread(target=client, args=(c, sizes)) for c, sizes in enumerate(requests[:threads])]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    batcher.close()
    time.sleep(0.05)
    left = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    for entry in results.values():
        if "submitted" in entry:
            entry["submitted"] -= start
    return {"batches": [[n, t - start] for n, t in batches], "results": results, "threads_left": left}


def batcher_echo(ns, x, max_batch_size):
    """One request through a batcher around ``{"y": x + 1}``: its result."""
    batcher = ns["DynamicBatcher"](lambda inputs: {"y": np.asarray(inputs["x"]) + 1}, max_batch_size=max_batch_size,
                                   batch_timeout_micros=1000)
    try:
        return np.asarray(batcher.submit({"x": np.asarray(x)}).result(5)["y"])
    finally:
        batcher.close()


def batcher_fill(ns, max_batch_size, batch_timeout_micros, first_rows, wait_s=0.1):
    """One request of ``first_rows`` rows, then (after ``wait_s``, so the batch thread is already waiting for more)
    one that fills the batch: the seconds from the second submit until both results are in, and the results."""
    batcher = ns["DynamicBatcher"](lambda inputs: {"y": np.asarray(inputs["x"]) * 3}, max_batch_size=max_batch_size,
                                   batch_timeout_micros=batch_timeout_micros)
    try:
        first = batcher.submit({"x": np.arange(first_rows, dtype=np.float64)[:, None]})
        time.sleep(wait_s)
        start = time.monotonic()
        second = batcher.submit({"x": np.arange(max_batch_size - first_rows, dtype=np.float64)[:, None] + 100})
        out = [np.asarray(first.result(10)["y"]), np.asarray(second.result(10)["y"])]
        return {"elapsed": time.monotonic() - start, "outputs": out}
    finally:
        batcher.close()


def batcher_rejects(ns, **params):
    """Construct the student's batcher with ``params`` (for the parameters it must reject)."""
    batcher = ns["DynamicBatcher"](lambda inputs: inputs, **params)
    batcher.close()


def batcher_backpressure(ns, max_batch_size, max_enqueued_batches, requests):
    """A model that blocks until released: queued requests beyond the queue's capacity must fail at once."""
    release = threading.Event()

    def fn(inputs):
        release.wait(10)
        return {"y": np.asarray(inputs["x"])}

    batcher = ns["DynamicBatcher"](fn, max_batch_size=max_batch_size, batch_timeout_micros=0,
                                   max_enqueued_batches=max_enqueued_batches)
    futures = [batcher.submit({"x": np.full((1, 1), float(i))}) for i in range(requests)]
    time.sleep(0.2)
    failed_early = [i for i, f in enumerate(futures) if f.done() and f.exception() is not None]
    release.set()
    outcome = []
    for future in futures:
        try:
            outcome.append(float(np.asarray(future.result(10)["y"]).ravel()[0]))
        except Exception as exc:
            outcome.append(type(exc).__name__)
    batcher.close()
    return {"failed_early": failed_early, "outcome": outcome}


# ----------------------------------------------------------------------------------------------------- Q4
class _RepoHandler(BaseHTTPRequestHandler):
    """The course's own minimal REST front end for Q4: ``POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict``
    with ``{"instances": [...]}`` answers ``{"predictions": probabilities, "version": served}``."""

    route = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+)|/labels/([^/:]+))?:predict$")

    def log_message(self, *args):
        pass

    def do_POST(self):
        match = self.route.match(self.path)
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            name, version, label = match.groups()
            served, servable = self.server.repo.resolve(name, int(version) if version else None, label)
            out = servable.signatures["serving_default"](inputs=tf.constant(np.asarray(body["instances"], np.uint8)))
            status, payload = 200, {"predictions": np.asarray(out["probabilities"]).tolist(), "version": int(served)}
        except KeyError as exc:
            status, payload = 404, {"error": str(exc)}
        except Exception as exc:
            status, payload = 500, {"error": f"{type(exc).__name__}: {exc}"}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def repo_start(ns, versions, policy, serve_http=False):
    """Publish the judge's versions (``{version: weights}``) with the student's ``publish`` into a fresh base, build a
    ``VersionedRepository`` with ``policy``; optionally serve it with the course's REST front end."""
    base = _folder()
    staging = _folder()
    key = f"repo-{len(_REPOS)}"
    repo = None
    for version, weights in sorted(versions.items(), key=lambda item: int(item[0])):
        src = export(weights, os.path.join(staging, str(version)))
        if repo is None:
            os.makedirs(os.path.join(base, "clf"), exist_ok=True)
            shutil.copytree(src, os.path.join(base, "clf", str(version)))
            repo = ns["VersionedRepository"](base, "clf", policy)
        else:
            repo.publish(src, int(version))
            repo.poll()
    entry = {"repo": repo, "base": base, "staging": staging, "server": None}
    _REPOS[key] = entry
    answer = {"key": key}
    if serve_http:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RepoHandler)
        httpd.daemon_threads = True
        httpd.repo = repo
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        entry["server"] = httpd
        answer["port"] = int(httpd.server_address[1])
    return answer


def repo_publish(ns, key, version, weights, poll=True):
    """Export a new version, publish it with the student's ``publish`` and (optionally) ``poll``; the folder names."""
    entry = _REPOS[key]
    src = export(weights, os.path.join(entry["staging"], str(version)))
    entry["repo"].publish(src, int(version))
    if poll:
        entry["repo"].poll()
    return sorted(os.listdir(os.path.join(entry["base"], "clf")))


def repo_write_broken(ns, key, version, kind):
    """A half-written version folder: ``"empty"`` (no saved_model.pb) or ``"corrupt"`` (garbage saved_model.pb)."""
    folder = os.path.join(_REPOS[key]["base"], "clf", str(version))
    os.makedirs(folder)
    if kind == "corrupt":
        with open(os.path.join(folder, "saved_model.pb"), "wb") as f:
            f.write(b"\x08\x01not a saved model")
    _REPOS[key]["repo"].poll()


def repo_call(ns, key, method, *args):
    """Call a repository method; ``resolve`` answers ``[version, probabilities on x]`` for the x given last."""
    repo = _REPOS[key]["repo"]
    try:
        if method == "resolve":
            *args, x = args
            served, servable = repo.resolve("clf", *args)
            out = servable.signatures["serving_default"](inputs=tf.constant(np.asarray(x, np.uint8)))
            return {"ok": [int(served), np.asarray(out["probabilities"])]}
        result = getattr(repo, method)(*args)
        if method == "status":
            result = [[int(v), str(s)] for v, s in result]
        return {"ok": result}
    except Exception as exc:
        return {"raised": type(exc).__name__}


def repo_stop(ns, key):
    entry = _REPOS.pop(key)
    if entry["server"] is not None:
        entry["server"].shutdown()
        entry["server"].server_close()


def repo_policy(ns, policy):
    """Construct a repository on an empty base with ``policy`` (for the policies it must reject)."""
    ns["VersionedRepository"](_folder(), "clf", policy)


# ----------------------------------------------------------------------------------------------------- Q6
def metrics_session(ns, script, buckets=None):
    """Run the student's ``instrument`` over a scripted stream with a fake clock, then serve the registry with the
    student's ``MetricsServer``. ``script`` is ``[[model, version, duration_s, fails], ...]``: the wrapped model
    function advances the fake clock by ``duration_s`` and raises ``ValueError`` (or ``TimeoutError`` when
    ``fails == 2``) when ``fails``. Reports the answers and the in-flight gauge seen inside each call."""
    import prometheus_client

    registry = prometheus_client.CollectorRegistry()
    metrics = ns["ServingMetrics"](registry) if buckets is None else ns["ServingMetrics"](registry, buckets)
    now = [1000.0]

    def clock():
        return now[0]

    seen_in_flight = []
    outcome = []
    for model, version, duration, fails in script:
        def model_fn(x, duration=duration, fails=fails):
            seen_in_flight.append(registry.get_sample_value("serving_requests_in_flight"))
            now[0] += duration
            if fails:
                raise (TimeoutError if fails == 2 else ValueError)("scripted failure")
            return x * 2

        wrapped = ns["instrument"](model_fn, metrics, model, version, clock=clock)
        try:
            outcome.append(float(wrapped(21.0)))
        except Exception as exc:
            outcome.append(type(exc).__name__)
    server = ns["MetricsServer"](registry, 0)
    key = f"metrics-{len(_SERVERS)}"
    _SERVERS[key] = (server, None)
    return {"key": key, "port": int(server.port), "outcome": outcome, "in_flight": seen_in_flight}


def two_registries(ns):
    """Two ``ServingMetrics`` on two registries (the course's global registry raises "Duplicated timeseries")."""
    import prometheus_client

    for _ in range(2):
        ns["ServingMetrics"](prometheus_client.CollectorRegistry())
    return True


def alert_stream(ns, threshold, for_s, stream):
    """Feed ``[[t, value], ...]`` to the student's ``ThresholdAlert``; the states and the fired count."""
    rule = ns["ThresholdAlert"](threshold, for_s)
    states = [str(rule.update(float(t), float(v))) for t, v in stream]
    return {"states": states, "fired": int(rule.fired)}


# ----------------------------------------------------------------------------------------------------- Q5
def assign_many(ns, ids, experiment, allocation):
    """The student's ``assign_variant`` for many users (one call from the judge)."""
    return [ns["assign_variant"](user, experiment, allocation) for user in ids]


def import_ground_truth(ns, statsmodels=True):
    """Import the libraries whose routines the forbidden-call check names, so that it can resolve them."""
    import scipy.stats  # noqa: F401

    if statsmodels:
        import statsmodels.stats.power  # noqa: F401
        import statsmodels.stats.proportion  # noqa: F401
    return True
