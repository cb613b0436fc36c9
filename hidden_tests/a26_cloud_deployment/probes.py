"""Worker-side probes for A26, Cloud Deployment.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of the
reference module. Probes run inside the sandboxed worker: they export the course's model from weights the judge sent,
set the platform's environment, hand the student's artefacts to the platform's real runtime (the
``sagemaker-inference`` toolkit, the ``azmlinfsrv`` application, ``functions-framework``, bash) and start servers on
127.0.0.1 for the judge to call. They return plain data only and hold no expected answers.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import types

import numpy as np

_HOME = os.path.expanduser("~")
_EXPORTS = {}
_PROCS = {}


def _folder():
    return tempfile.mkdtemp(dir=_HOME)


def _export(ns, weights, path=None):
    """The course's model (``export_model`` of the setup cell), saved once per distinct weights and copied."""
    key = b"".join(np.asarray(w, np.float32).tobytes() for w in weights)
    if key not in _EXPORTS:
        _EXPORTS[key] = ns["export_model"]([np.asarray(w, np.float32) for w in weights],
                                           os.path.join(_folder(), "model"))
    if path is None:
        return _EXPORTS[key]
    shutil.copytree(_EXPORTS[key], path)
    return path


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port, timeout=15.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------- q1 Vertex AI
def vertex_start(ns, weights, health_route, predict_route, max_request_bytes=None):
    """Set Vertex's AIP_* variables (a free port of the probe's choosing) and start the student's server."""
    port = _free_port()
    os.environ.update(AIP_HTTP_PORT=str(port), AIP_HEALTH_ROUTE=health_route, AIP_PREDICT_ROUTE=predict_route,
                      AIP_STORAGE_URI=_export(ns, weights), AIP_MODE="PREDICTION")
    if max_request_bytes is None:
        returned = ns["run_vertex_server"]()
    else:
        app = ns["create_vertex_app"](None, max_request_bytes=max_request_bytes)
        returned = ns["serve_wsgi"](app, port)
    return {"chosen": port, "returned": returned}


def vertex_stop(ns, port):
    ns["stop_wsgi"](port)


def vertex_batch(ns, weights, lines):
    folder = _folder()
    source = os.path.join(folder, "input.jsonl")
    with open(source, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    out = os.path.join(folder, "out")
    paths = ns["batch_predict_jsonl"](source, out, _export(ns, weights))
    files = {}
    for name in sorted(os.listdir(out)):
        with open(os.path.join(out, name), encoding="utf-8") as handle:
            files[name] = [json.loads(line) for line in handle if line.strip()]
    return {"returned": [os.path.relpath(str(p), out) for p in paths], "files": files}


# ---------------------------------------------------------------- q2 SageMaker
def sagemaker_tarball(ns, weights, version):
    """Build the student's model.tar.gz; describe its members as the judge needs them."""
    folder = _folder()
    out = os.path.join(folder, "model.tar.gz")
    returned = ns["build_model_tarball"](_export(ns, weights), out, version, "numpy\n")
    with open(out, "rb") as handle:
        magic = handle.read(2).hex()
    members = []
    with tarfile.open(out) as tar:
        for m in tar.getmembers():
            members.append({"name": m.name, "type": "dir" if m.isdir() else "file" if m.isfile() else "other",
                            "mode": m.mode})
    return {"returned": returned == out, "magic": magic, "members": members, "path": out}


class _RequestProcessor:
    def __init__(self, headers):
        self._headers = headers

    def get_request_properties(self):
        return dict(self._headers)


class _Context:
    """The model server's per-request context, as the SageMaker toolkit's ``Transformer`` reads it."""

    def __init__(self, model_dir, headers):
        self.system_properties = {"model_dir": model_dir, "gpu_id": None}
        self.request_processor = [_RequestProcessor(headers)]
        self.status = None
        self.content_types = {}

    def set_response_status(self, code, phrase):
        self.status = (int(code), phrase)

    def set_response_content_type(self, idx, content_type):
        self.content_types[idx] = content_type


def sagemaker_invoke(ns, weights, version, requests, extra_versions=()):
    """Extract the student's archive as /opt/ml/model, import its code/inference.py as SageMaker does and drive it
    through the real toolkit's Transformer; requests are (body, content_type, accept)."""
    from sagemaker_inference.default_inference_handler import DefaultInferenceHandler
    from sagemaker_inference.transformer import Transformer

    info = sagemaker_tarball(ns, weights, version)
    model_dir = os.path.join(_folder(), "opt_ml_model")
    with tarfile.open(info["path"]) as tar:
        tar.extractall(model_dir, filter="data")
    for extra, extra_weights in extra_versions:        # older versions that must not be served
        _export(ns, extra_weights, os.path.join(model_dir, str(extra)))
    code = os.path.join(model_dir, "code")
    sys.path.insert(0, code)
    sys.modules.pop("inference", None)
    try:
        transformer = Transformer(default_inference_handler=DefaultInferenceHandler())
        answers = []
        for body, content_type, accept in requests:
            context = _Context(model_dir, {"Content-Type": content_type, "Accept": accept})
            out = transformer.transform([{"body": body.encode("utf-8")}], context)
            first = out[0] if isinstance(out, list) and out else out
            if isinstance(first, bytes):
                first = first.decode("utf-8", "replace")
            answers.append({"status": context.status[0] if context.status else 200,
                            "content_type": context.content_types.get(0),
                            "body": first if isinstance(first, str) else None})
        return answers
    finally:
        sys.path.remove(code)
        sys.modules.pop("inference", None)


# ---------------------------------------------------------------- q3 Azure ML
_AZURE = os.path.join(_HOME, "a26_azure")


def azure_start(ns, weights):
    """Serve the student's score.py with the real azmlinfsrv Flask application (the app gunicorn runs in
    ``azmlinfsrv``) on a free loopback port; the model is under $AZUREML_MODEL_DIR/model."""
    from werkzeug.serving import make_server

    shutil.rmtree(_AZURE, ignore_errors=True)
    os.makedirs(os.path.join(_AZURE, "models"))
    _export(ns, weights, os.path.join(_AZURE, "models", "model"))
    with open(os.path.join(_AZURE, "score.py"), "w", encoding="utf-8") as handle:
        handle.write(ns["score_py"]())
    os.environ.update(AZUREML_MODEL_DIR=os.path.join(_AZURE, "models"), AML_APP_ROOT=_AZURE,
                      AZUREML_ENTRY_SCRIPT="score.py", AML_APP_INSIGHTS_ENABLED="false")
    from azureml_inference_server_http.server.create_app import create

    server = make_server("127.0.0.1", _free_port(), create(), threaded=True)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    _PROCS[server.server_port] = server
    return server.server_port


def azure_stop(ns, port):
    server = _PROCS.pop(port)
    server.shutdown()
    server.server_close()


def azure_loads(ns, weights, raw_requests):
    """Load the student's score.py as a module, run init() then run() on each raw string; count SavedModel loads
    with a counting wrapper around tf.saved_model.load (the probe's, not the student's, count)."""
    import importlib.util

    import tensorflow as tf

    folder = _folder()
    os.makedirs(os.path.join(folder, "models"))
    _export(ns, weights, os.path.join(folder, "models", "model"))
    script = os.path.join(folder, "score.py")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write(ns["score_py"]())
    os.environ["AZUREML_MODEL_DIR"] = os.path.join(folder, "models")
    real, count = tf.saved_model.load, [0]

    def counting(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    tf.saved_model.load = counting
    try:
        spec = importlib.util.spec_from_file_location("a26_score_module", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.init()
        outputs = []
        for raw in raw_requests:
            try:
                outputs.append({"ok": json.loads(json.dumps(module.run(raw)))})
            except Exception as exc:  # noqa: BLE001 - the test reports what was raised
                outputs.append({"raised": type(exc).__name__})
    finally:
        tf.saved_model.load = real
    return {"loads": count[0], "outputs": outputs}


# ---------------------------------------------------------------- q5 Docker
SERVER_STANDIN = r'''
"""The course's model-server stand-in: TF Serving's flags and its model-status route, no TensorFlow."""
import argparse, json, os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--rest_api_port", type=int, required=True)
parser.add_argument("--model_name", required=True)
parser.add_argument("--model_base_path", required=True)
parser.add_argument("--enable_batching", default="false")
flags, extra = parser.parse_known_args()


def versions():
    base = flags.model_base_path
    if not os.path.isdir(base):
        return []
    return sorted(int(d) for d in os.listdir(base)
                  if d.isdigit() and os.path.isfile(os.path.join(base, d, "saved_model.pb")))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/v1/models/" + flags.model_name and versions():
            body = {"model_version_status": [{"version": str(versions()[-1]), "state": "AVAILABLE",
                                              "status": {"error_code": "OK", "error_message": ""}}]}
            code = 200
        elif self.path == "/debug/process":
            body = {"pid": os.getpid(), "argv": sys.argv[1:], "uid": os.getuid()}
            code = 200
        else:
            body, code = {"error": "Could not find any versions of model " + flags.model_name}, 404
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
HTTPServer(("127.0.0.1", flags.rest_api_port), Handler).serve_forever()
'''


def entrypoint_start(ns, model_name, versions, extra_args, env_extra=None):
    """Run the student's entrypoint.sh with bash (no Docker): APP_DIR holds the course's server.py, MODEL_BASE_PATH
    the parent of the model folder with the given version folders."""
    app = _folder()
    with open(os.path.join(app, "server.py"), "w", encoding="utf-8") as handle:
        handle.write(SERVER_STANDIN)
    script = os.path.join(app, "entrypoint.sh")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write(ns["entrypoint_sh"]())
    os.chmod(script, 0o755)
    base = os.path.join(_folder(), "models")
    for v in versions:
        os.makedirs(os.path.join(base, model_name, str(v)))
        open(os.path.join(base, model_name, str(v), "saved_model.pb"), "wb").close()
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": _HOME, "APP_DIR": app,
           "PYTHON": sys.executable, "MODEL_NAME": model_name, "MODEL_BASE_PATH": base, "REST_API_PORT": str(port)}
    env.update(env_extra or {})
    proc = subprocess.Popen(["bash", script, *extra_args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    _PROCS[proc.pid] = proc
    up = _wait_listening(port, proc=proc)
    try:                                  # what the kernel says the started process runs, not what it says itself
        with open(f"/proc/{proc.pid}/cmdline", "rb") as handle:
            cmdline = [a.decode("utf-8", "replace") for a in handle.read().split(b"\0") if a]
    except OSError:
        cmdline = []
    return {"pid": proc.pid, "port": port, "up": up, "exit": proc.poll(), "cmdline": cmdline,
            "server": os.path.join(app, "server.py")}


def entrypoint_stop(ns, pid):
    """SIGTERM to the process the container runtime started (PID 1 in a container); its exit code or None if it
    is still running after 3 s (then it is killed)."""
    proc = _PROCS.pop(pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(3)
    except subprocess.TimeoutExpired:
        code = None
    if proc.poll() is None or code is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return code


# ---------------------------------------------------------------- q6 serverless
_LOADS = [0]


class FakeContext:
    """The Lambda context object's documented attributes, with a fixed remaining time."""

    def __init__(self, remaining_ms):
        self.aws_request_id = "a26-req"
        self.function_name = "predict"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:predict"
        self._remaining = remaining_ms

    def get_remaining_time_in_millis(self):
        return self._remaining


def lambda_cold(ns, weights):
    """A fresh container: MODEL_DIR set, the module cache emptied, ``load_model`` counted by the probe."""
    os.environ["MODEL_DIR"] = _export(ns, weights)
    ns["_MODEL"] = None
    original = ns.get("_a26_course_load_model") or ns["load_model"]
    ns["_a26_course_load_model"] = original
    _LOADS[0] = 0

    def load_model(path):
        _LOADS[0] += 1
        return original(path)

    ns["load_model"] = load_model


def lambda_invoke(ns, handler, event, remaining_ms=10_000):
    result = ns[handler](event, FakeContext(remaining_ms))
    return json.loads(json.dumps(result))


def lambda_loads(ns):
    return _LOADS[0]


def cloud_function_start(ns, weights):
    """Serve the student's ``predict`` with the real functions-framework (create_app on a main.py that hands it
    over), on a free loopback port."""
    import threading

    import functions_framework
    from werkzeug.serving import make_server

    lambda_cold(ns, weights)
    registry = types.ModuleType("a26_cloud_function_target")
    registry.predict = ns["predict"]
    sys.modules["a26_cloud_function_target"] = registry
    folder = _folder()
    source = os.path.join(folder, "main.py")
    with open(source, "w", encoding="utf-8") as handle:
        handle.write("import functions_framework\nfrom a26_cloud_function_target import predict as _target\n\n\n"
                     "@functions_framework.http\ndef predict(request):\n    return _target(request)\n")
    app = functions_framework.create_app(target="predict", source=source, signature_type="http")
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _PROCS[server.server_port] = server
    return server.server_port


def cloud_function_stop(ns, port):
    azure_stop(ns, port)
