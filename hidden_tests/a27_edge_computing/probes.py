"""Worker-side probes for A27, Edge Computing.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of the
reference module. Probes hold no expected answers: they build what the judge describes (models from weights, keys
from seeds, fake servers, fake clocks, power cuts), hand it to the namespace's code, and return plain data: bytes,
digests, arrays, what their own objects observed. The judge recomputes every expected value itself.
"""

import builtins
import hashlib
import io
import json
import os
import shutil
import tempfile
import time

import numpy as np
import tensorflow as tf
from ai_edge_litert import interpreter as litert

_HOME = os.path.expanduser("~")


def _folder():
    return tempfile.mkdtemp(dir=_HOME)


def _bytes(value, what):
    if isinstance(value, (bytearray, memoryview)):
        value = bytes(value)
    if not isinstance(value, bytes):
        raise TypeError(f"{what} should return bytes, got {type(value).__name__}")
    return value


# --------------------------------------------------------------------------------------------
# Models built from the judge's weights (run in the reference worker: course code only)


def mlp(weights, logits=True) -> tf.keras.Model:
    """Dense layers with the given ``[W1, b1, W2, b2, ...]``: ReLU hidden layers, linear output."""
    weights = [np.asarray(w, np.float32) for w in weights]
    layers = [tf.keras.Input(shape=(weights[0].shape[0],))]
    for k in range(0, len(weights), 2):
        last = k == len(weights) - 2
        layers.append(tf.keras.layers.Dense(weights[k].shape[1], activation=None if last else "relu"))
    model = tf.keras.Sequential(layers)
    model.set_weights(weights)
    return model


def cnn(weights) -> tf.keras.Model:
    """Conv 3x3 - Conv 3x3 stride 2 - Conv 3x3 (ReLU, same) - global average pool - Dense, on 32x32x3 images."""
    w = [np.asarray(a, np.float32) for a in weights]
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(32, 32, 3), batch_size=1),
        tf.keras.layers.Conv2D(w[0].shape[-1], 3, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(w[2].shape[-1], 3, strides=2, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(w[4].shape[-1], 3, padding="same", activation="relu"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(w[6].shape[-1]),
    ])
    model.set_weights(w)
    return model


def _convert(model, int8_calibration=None, fixed_batch=False) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8_calibration is not None:
        data = np.asarray(int8_calibration, np.float32)

        def calibration():
            for row in data:
                yield [row[None]]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = calibration
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def mlp_tflite(ns, weights, batch=1) -> bytes:
    """A float32 flatbuffer of the judge's MLP with a fixed input shape ``(batch, features)``."""
    model = mlp(weights)
    fixed = tf.keras.Sequential([tf.keras.Input(shape=model.input_shape[1:], batch_size=batch), *model.layers])
    return _convert(fixed)


def nan_tflite(ns, features) -> bytes:
    """A flatbuffer that runs but answers NaN: a model that fails any honest health check."""
    model = tf.keras.Sequential([tf.keras.Input(shape=(features,), batch_size=1), tf.keras.layers.Dense(3)])
    kernel = np.full((features, 3), np.nan, np.float32)
    model.set_weights([kernel, np.zeros(3, np.float32)])
    return _convert(model)


def planted_models(ns, weights, calibration) -> dict:
    """Flatbuffers for the compatibility checker: int8 fixed batch, float dynamic batch, int8 with a TANH."""
    fixed = tf.keras.Sequential([tf.keras.Input(shape=(weights[0].shape[0],), batch_size=1), *mlp(weights).layers])
    tanh = tf.keras.Sequential([tf.keras.Input(shape=(weights[0].shape[0],), batch_size=1), *mlp(weights).layers,
                                tf.keras.layers.Activation("tanh")])
    return {"int8_fixed": _convert(fixed, calibration), "float_dynamic": _convert(mlp(weights)),
            "int8_tanh": _convert(tanh, calibration), "float_fixed": _convert(fixed)}


def facts(ns, model) -> dict:
    """What TFLite's own interpreter reads in a flatbuffer (run in the inspector or the reference worker)."""
    model = bytes(model) if not isinstance(model, np.ndarray) else model.tobytes()
    interpreter = litert.Interpreter(model_content=model,
                                     experimental_op_resolver_type=litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    return {"size": len(model), "ops": sorted({op["op_name"] for op in interpreter._get_ops_details()}),
            "tensor_dtypes": sorted({np.dtype(t["dtype"]).name for t in interpreter.get_tensor_details()}),
            "float_tensors": int(sum(np.issubdtype(np.dtype(t["dtype"]), np.floating)
                                     for t in interpreter.get_tensor_details())),
            "dynamic_inputs": sorted(d["name"] for d in interpreter.get_input_details()
                                     if -1 in list(d["shape_signature"])),
            "input_dtype": np.dtype(inp["dtype"]).name, "output_dtype": np.dtype(out["dtype"]).name}


def run_tflite(ns, model, x) -> np.ndarray:
    """Float outputs of a single-input flatbuffer on a batch, row by row, quantizing integer I/O itself."""
    model = bytes(model) if not isinstance(model, np.ndarray) else model.tobytes()
    interpreter = litert.Interpreter(model_content=model)
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.resize_tensor_input(inp["index"], [1, *np.asarray(x).shape[1:]])
    interpreter.allocate_tensors()
    rows = []
    for row in np.asarray(x, np.float32):
        v = row[None]
        scale, zero = inp["quantization"]
        if np.dtype(inp["dtype"]).kind in "iu":
            info = np.iinfo(inp["dtype"])
            v = np.clip(np.round(v / scale) + zero, info.min, info.max)
        interpreter.set_tensor(inp["index"], v.astype(inp["dtype"]))
        interpreter.invoke()
        y = interpreter.get_tensor(out["index"]).astype(np.float64)
        scale, zero = out["quantization"]
        if np.dtype(out["dtype"]).kind in "iu":
            y = (y - zero) * scale
        rows.append(y[0])
    return np.asarray(rows, np.float32)


# --------------------------------------------------------------------------------------------
# Q1: OTA packages, device agents, power cuts, fleets


def _private_key(seed):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(bytes(seed))


def _public_key(raw):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(bytes(raw))


def build_package(ns, model, version, key_seed, min_runtime="2.18") -> bytes:
    """``build_ota_package`` with a private key made here from the judge's 32-byte seed."""
    return _bytes(ns["build_ota_package"](bytes(model), version, _private_key(key_seed), min_runtime=min_runtime),
                  "build_ota_package")


def _agent_view(agent):
    version = agent.active_version()
    try:
        model = agent.active_model()
    except FileNotFoundError:
        model = None
    if model is not None:
        model = _bytes(model, "active_model()")
    loadable = False
    if model is not None:
        try:
            litert.Interpreter(model_content=model).allocate_tensors()
            loadable = True
        except (ValueError, RuntimeError):
            loadable = False
    return {"version": version if isinstance(version, int) else repr(version),
            "sha256": None if model is None else hashlib.sha256(model).hexdigest(), "loadable": loadable}


def _apply(ns, agent, package, probe_input):
    try:
        result = agent.apply_update(bytes(package), np.asarray(probe_input, np.float32))
    except ns["UpdateRejected"]:
        return "rejected"
    return result if isinstance(result, bool) else repr(result)


def new_device(ns, public_raw, runtime="2.18") -> str:
    """A fresh device folder (its path)."""
    return os.path.join(_folder(), "device")


def agent_apply(ns, folder, public_raw, packages, probe_input, runtime="2.18") -> list:
    """Each package in turn, each through a freshly constructed agent on ``folder`` (a reboot between updates):
    the outcome (True, False, "rejected") and what a rebooted agent then reports."""
    steps = []
    for package in packages:
        agent = ns["DeviceAgent"](folder, _public_key(public_raw), "dev", runtime)
        outcome = _apply(ns, agent, package, probe_input)
        rebooted = ns["DeviceAgent"](folder, _public_key(public_raw), "dev", runtime)
        steps.append({"outcome": outcome, **_agent_view(rebooted)})
    return steps


class _PowerCut(OSError):
    pass


class _Cut:
    """Counts every byte written under one folder and every rename; past the budget, all of them fail."""

    def __init__(self, ns, root, budget):
        self.ns, self.root, self.budget, self.used = ns, os.path.realpath(root), budget, 0
        self.ns_open = ns.get("open")
        self.open, self.io_open = builtins.open, io.open
        self.replace, self.rename = os.replace, os.rename

    def _inside(self, path):
        try:
            return os.path.realpath(os.fspath(path)).startswith(self.root)
        except TypeError:
            return False

    def _spend(self, n):
        if self.budget is not None and self.used + n > self.budget:
            allowed = max(self.budget - self.used, 0)
            self.used = self.budget
            return allowed
        self.used += n
        return n

    def wrap_open(self, real):
        cut = self

        def patched(file, mode="r", *args, **kwargs):
            handle = real(file, mode, *args, **kwargs)
            if not any(c in mode for c in "wax+") or not cut._inside(file):
                return handle
            return _CutFile(handle, cut)

        return patched

    def wrap_move(self, real):
        cut = self

        def patched(src, dst, *args, **kwargs):
            if cut._inside(dst) and cut._spend(1) < 1:
                raise _PowerCut("power lost before the rename")
            return real(src, dst, *args, **kwargs)

        return patched

    def __enter__(self):
        builtins.open = io.open = self.wrap_open(self.open)
        if self.ns_open is not None:  # IPython puts its own open() into the notebook's namespace
            self.ns["open"] = self.wrap_open(self.ns_open)
        os.replace, os.rename = self.wrap_move(self.replace), self.wrap_move(self.rename)
        return self

    def __exit__(self, *exc):
        builtins.open, io.open, os.replace, os.rename = self.open, self.io_open, self.replace, self.rename
        if self.ns_open is not None:
            self.ns["open"] = self.ns_open
        return False


class _CutFile:
    def __init__(self, handle, cut):
        self._handle, self._cut = handle, cut

    def write(self, data):
        data = bytes(data) if not isinstance(data, str) else data
        allowed = self._cut._spend(len(data))
        if allowed < len(data):
            if allowed:
                self._handle.write(data[:allowed])
                self._handle.flush()
            raise _PowerCut("power lost during a write")
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()
        return False

    def __iter__(self):
        return iter(self._handle)

    def __getattr__(self, name):
        return getattr(self._handle, name)


def power_cut_trials(ns, public_raw, first_package, second_package, probe_input, fractions) -> dict:
    """Install ``first_package``; then, from that state each time, cut the power part-way through installing
    ``second_package`` (at each fraction of the writes a complete install makes), reboot, and report."""
    base = os.path.join(_folder(), "device")
    key = _public_key(public_raw)
    first = _apply(ns, ns["DeviceAgent"](base, key, "dev"), first_package, probe_input)
    measure = os.path.join(_folder(), "device")
    shutil.copytree(base, measure)
    with _Cut(ns, measure, None) as counter:
        complete = _apply(ns, ns["DeviceAgent"](measure, key, "dev"), second_package, probe_input)
    total = counter.used
    trials = []
    for fraction in fractions:
        trial = os.path.join(_folder(), "device")
        shutil.copytree(base, trial)
        budget = int(fraction * total)
        crashed = None
        with _Cut(ns, trial, budget):
            try:
                _apply(ns, ns["DeviceAgent"](trial, key, "dev"), second_package, probe_input)
            except Exception as exc:  # noqa: BLE001 - the power cut, whatever the agent turned it into
                crashed = type(exc).__name__
        try:
            view = _agent_view(ns["DeviceAgent"](trial, key, "dev"))
            again = _apply(ns, ns["DeviceAgent"](trial, key, "dev"), second_package, probe_input)
            after = _agent_view(ns["DeviceAgent"](trial, key, "dev"))
        except Exception as exc:  # noqa: BLE001 - a bricked device is the finding
            view, again, after = {"error": f"{type(exc).__name__}: {exc}"[:300]}, None, None
        trials.append({"budget": budget, "crashed": crashed, "rebooted": view, "retry": again, "after_retry": after})
    return {"first": first, "complete": complete, "writes": total, "trials": trials}


def fleet_rollout(ns, public_raw, base_package, package, runtimes, probe_input, waves, max_failure_rate) -> dict:
    """A fleet of agents (ids ``dev-00``...) with the given runtimes, all on ``base_package``; ``rollout`` of
    ``package``; what each agent reports afterwards."""
    key = _public_key(public_raw)
    agents = []
    for i, runtime in enumerate(runtimes):
        agent = ns["DeviceAgent"](os.path.join(_folder(), "device"), key, f"dev-{i:02d}", runtime)
        _apply(ns, agent, base_package, probe_input)
        agents.append(agent)
    result = ns["rollout"](agents, bytes(package), np.asarray(probe_input, np.float32), waves=tuple(waves),
                           max_failure_rate=max_failure_rate)
    return {"result": result, "versions": [_agent_view(a)["version"] for a in agents]}


# --------------------------------------------------------------------------------------------
# Q2: the real-time pipeline with a scripted clock and a counting interpreter


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def pipeline_run(ns, model, capacity, policy, frames, script) -> dict:
    """Drive ``RealtimePipeline`` with ``script``: ``["push", i]`` pushes ``frames[i]``, ``["step", k]`` steps, and
    ``["tick", dt]`` advances the fake clock. The ``Interpreter`` the pipeline sees counts its allocations."""
    real = ns.get("Interpreter")
    counts = {"constructed": 0, "allocate": 0}

    class CountingInterpreter(litert.Interpreter):
        def __init__(self, *args, **kwargs):
            counts["constructed"] += 1
            super().__init__(*args, **kwargs)

        def allocate_tensors(self):
            counts["allocate"] += 1
            return super().allocate_tensors()

    clock = _Clock()
    ns["Interpreter"] = CountingInterpreter
    real_tf = tf.lite.Interpreter  # the deprecated tf.lite.Interpreter is accepted too, and counted the same way
    tf.lite.Interpreter = CountingInterpreter
    try:
        pipeline = ns["RealtimePipeline"](bytes(model), capacity, policy=policy, clock=clock)
        pushed, outputs = [], []
        for op, arg in script:
            if op == "push":
                pushed.append(pipeline.push(np.asarray(frames[int(arg)], np.float32)))
            elif op == "step":
                for seq, y in pipeline.step(int(arg)):
                    outputs.append([int(seq), np.asarray(y, np.float32)])
            else:
                clock.now += float(arg)
        stats = pipeline.stats()
    finally:
        ns["Interpreter"] = real
        tf.lite.Interpreter = real_tf
    return {"pushed": [bool(p) if isinstance(p, (bool, np.bool_)) else repr(p) for p in pushed],
            "seqs": [s for s, _ in outputs], "outputs": [y for _, y in outputs], "stats": stats, "counts": counts}


# --------------------------------------------------------------------------------------------
# Q3


def student_ptq(ns, weights, calibration) -> bytes:
    return _bytes(ns["ptq_int8"](mlp(weights), np.asarray(calibration, np.float32)), "ptq_int8")


def float_size(ns, weights) -> int:
    return len(_convert(mlp(weights)))


def student_prune(ns, weights, x, y, sparsity, epochs) -> dict:
    model = ns["prune_model"](mlp(weights), np.asarray(x, np.float32), np.asarray(y, np.int64), sparsity, epochs)
    return {"weights": [np.asarray(w) for w in model.get_weights()]}


def student_distill(ns, teacher_weights, student_weights, x, y, temperature, alpha, epochs) -> list:
    teacher = mlp(teacher_weights)
    student = mlp(student_weights)
    teacher_calls = {"n": 0}
    real_call = teacher.call

    def counting_call(*args, **kwargs):
        teacher_calls["n"] += 1
        return real_call(*args, **kwargs)

    teacher.call = counting_call
    trained = ns["distill"](teacher, student, np.asarray(x, np.float32), np.asarray(y, np.int64),
                            temperature=temperature, alpha=alpha, epochs=epochs)
    return {"weights": [np.asarray(w) for w in trained.get_weights()], "teacher_calls": teacher_calls["n"]}


def loss_and_gradient(ns, y, s, t, temperature, alpha) -> dict:
    s = tf.Variable(np.asarray(s, np.float32))
    with tf.GradientTape() as tape:
        loss = ns["distillation_loss"](np.asarray(y, np.int64), s, tf.constant(np.asarray(t, np.float32)),
                                       temperature, alpha)
    grad = tape.gradient(loss, s)
    return {"loss": np.asarray(loss), "grad": None if grad is None else np.asarray(grad)}


def macs_of(ns, spec) -> dict:
    """``count_macs`` of a Keras model built here from the judge's layer spec."""
    layers = [tf.keras.Input(shape=tuple(spec["input"]))]
    for entry in spec["layers"]:
        kind, name = entry["kind"], entry["name"]
        if kind == "conv":
            layers.append(tf.keras.layers.Conv2D(entry["filters"], entry["kernel"], strides=entry["stride"],
                                                 padding=entry["padding"], groups=entry.get("groups", 1), name=name))
        elif kind == "depthwise":
            layers.append(tf.keras.layers.DepthwiseConv2D(entry["kernel"], strides=entry["stride"],
                                                          padding=entry["padding"],
                                                          depth_multiplier=entry["multiplier"], name=name))
        elif kind == "pool":
            layers.append(tf.keras.layers.MaxPooling2D(entry["size"], name=name))
        elif kind == "flatten":
            layers.append(tf.keras.layers.Flatten(name=name))
        elif kind == "gap":
            layers.append(tf.keras.layers.GlobalAveragePooling2D(name=name))
        else:
            layers.append(tf.keras.layers.Dense(entry["units"], name=name))
    model = tf.keras.Sequential(layers)
    return {"got": ns["count_macs"](model), "params": int(model.count_params())}


# --------------------------------------------------------------------------------------------
# Q4: fake servers


class FlakyServer:
    """Applies changes idempotently by request id; ``faults[i]`` for the i-th call: ``"drop"`` (the connection
    fails before the change arrives) or ``"lost_ack"`` (it is applied, the acknowledgement is lost)."""

    def __init__(self, faults):
        self.faults = dict(faults)
        self.calls = []
        self.applied = {}
        self.order = []

    def apply(self, request_id, key, value, lamport, device_id):
        index = len(self.calls)
        self.calls.append([str(request_id), str(key), json.dumps(value, sort_keys=True), int(lamport),
                           str(device_id)])
        fault = self.faults.get(index)
        if fault == "drop":
            raise ConnectionError("link down")
        if request_id not in self.applied:
            self.applied[request_id] = True
            self.order.append(str(request_id))
        if fault == "lost_ack":
            raise ConnectionError("acknowledgement lost")


def outbox_session(ns, records, faults, reopen_between=True, syncs=8) -> dict:
    """Record ``records`` (``[key, value]``) in a fresh outbox, then call ``sync`` up to ``syncs`` times against a
    flaky server (reopening the database between calls), and report what the server saw."""
    path = os.path.join(_folder(), "outbox.db")
    box = ns["Outbox"](path, "dev-a")
    ids = [str(box.record(k, v)) for k, v in records]
    if reopen_between:
        box = ns["Outbox"](path, "dev-a")
    pending_before = box.pending()
    server = FlakyServer({int(k): v for k, v in faults})
    results = []
    for _ in range(syncs):
        result = box.sync(server)
        results.append(result)
        if isinstance(result, dict) and result.get("complete"):
            break
        if reopen_between:
            box = ns["Outbox"](path, "dev-a")
    return {"ids": ids, "pending_before": pending_before, "calls": server.calls, "order": server.order,
            "results": results, "pending_after": ns["Outbox"](path, "dev-a").pending()}


def lamport_session(ns, steps) -> list:
    """``["record", key]`` or ``["receive", lamport]`` steps; the Lamport stamps the server sees afterwards."""
    path = os.path.join(_folder(), "outbox.db")
    box = ns["Outbox"](path, "dev-b")
    for op, arg in steps:
        if op == "record":
            box.record(arg, 1)
        else:
            box.receive("other", 0, int(arg))
        box = ns["Outbox"](path, "dev-b")
    server = FlakyServer({})
    box.sync(server)
    return [call[3] for call in server.calls]


class DurableServer:
    """A server whose log lives in the scratch folder: every delivery is appended and flushed, so it survives the
    kill of the worker it runs in. Each apply takes ``delay`` seconds, so a sync can be interrupted."""

    def __init__(self, folder, delay):
        self.folder, self.delay = folder, delay
        self.log = os.path.join(folder, "server.log")

    def _open_up(self):
        for name in os.listdir(self.folder):
            try:
                os.chmod(os.path.join(self.folder, name), 0o666)
            except OSError:
                pass

    def apply(self, request_id, key, value, lamport, device_id):
        time.sleep(self.delay)
        with open(self.log, "a") as f:
            f.write(json.dumps([str(request_id), str(key), json.dumps(value, sort_keys=True), int(lamport),
                                str(device_id)]) + "\n")
            f.flush()
            os.fsync(f.fileno())
        count = sum(1 for _ in open(self.log))
        open(os.path.join(self.folder, f"delivered-{count}"), "w").close()
        self._open_up()


def durable_server(ns, folder, delay=0.03):
    """A ``DurableServer`` on ``folder`` (a handle for the judge to pass to ``sync_outbox``)."""
    os.makedirs(folder, exist_ok=True)
    return DurableServer(folder, delay)


def record_into(ns, db_path, records) -> list:
    box = ns["Outbox"](db_path, "dev-k")
    ids = [str(box.record(k, v)) for k, v in records]
    folder = os.path.dirname(db_path)
    for name in os.listdir(folder):
        os.chmod(os.path.join(folder, name), 0o666)
    return ids


def server_log(ns, folder) -> list:
    path = os.path.join(folder, "server.log")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


# --------------------------------------------------------------------------------------------
# Q5: stages that count what they are given


def early_exit_run(ns, w1, w2, x, threshold, macs) -> dict:
    """``infer_with_exits`` with two NumPy stages built here (softmax heads), counting the rows each receives."""
    w1 = [np.asarray(a, np.float64) for a in w1]
    w2 = [np.asarray(a, np.float64) for a in w2]
    seen = {"stage1": [], "stage2": []}

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def stage1(batch):
        batch = np.asarray(batch, np.float64)
        seen["stage1"].append(len(batch))
        h = np.maximum(batch @ w1[0] + w1[1], 0)
        return h.astype(np.float32), softmax(h @ w1[2] + w1[3]).astype(np.float32)

    def stage2(features):
        features = np.asarray(features, np.float64)
        seen["stage2"].append(features.shape[0])
        return softmax(np.maximum(features @ w2[0] + w2[1], 0) @ w2[2] + w2[3]).astype(np.float32)

    result = ns["infer_with_exits"](stage1, stage2, np.asarray(x, np.float32), threshold, macs=tuple(macs))
    if isinstance(result, dict):
        result = {k: (np.asarray(v) if isinstance(v, np.ndarray) else v) for k, v in result.items()}
    return {"result": result, "seen": seen}


# --------------------------------------------------------------------------------------------
# Q6: backends and baselines


_SPEED = {}


def prepare_backends(ns, model):
    for backend in ("xnnpack", "builtin", "reference"):
        _SPEED[backend] = ns["make_interpreter"](bytes(model), backend)
    return True


def student_xnnpack(ns, x, model):
    return np.asarray(ns["predict"](_SPEED["xnnpack"], np.asarray(x, np.float32)))


def student_builtin(ns, x, model):
    return np.asarray(ns["predict"](_SPEED["builtin"], np.asarray(x, np.float32)))


def _node_names(interpreter) -> list:
    """The node list read with LiteRT's (or TensorFlow's) own ``Interpreter`` method, never an override of it."""
    for cls in (litert.Interpreter, tf.lite.Interpreter):
        if isinstance(interpreter, cls):
            return [op["op_name"] for op in cls._get_ops_details(interpreter)]
    raise TypeError(f"expected a LiteRT Interpreter, got {type(interpreter).__name__}")


def student_backend_outputs(ns, model, x) -> dict:
    out = {}
    for backend in ("xnnpack", "builtin", "reference"):
        interpreter = ns["make_interpreter"](bytes(model), backend)
        ops = _node_names(interpreter)
        out[backend] = {"y": np.asarray(ns["predict"](interpreter, np.asarray(x, np.float32))),
                        "delegated": "DELEGATE" in ops}
    return out


_BASELINES = {}


def course_reference_kernels(ns, x, model):
    """The speed baseline, timed in the reference worker: TFLite's reference kernels, built by this probe."""
    key = hashlib.sha256(bytes(model)).hexdigest()
    if key not in _BASELINES:
        interpreter = litert.Interpreter(model_content=bytes(model),
                                         experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
        interpreter.allocate_tensors()
        _BASELINES[key] = interpreter
    interpreter = _BASELINES[key]
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], np.asarray(x, np.float32))
    interpreter.invoke()
    return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))


def fallback_run(ns, model, delegate_path, x) -> dict:
    """``with_fallback``, with LiteRT's ``load_delegate`` (and TensorFlow's) recording the paths it is asked for."""
    tried = []
    real_ns, real_litert, real_tf = ns.get("load_delegate"), litert.load_delegate, tf.lite.experimental.load_delegate

    def spy(real):
        def load(library, *args, **kwargs):
            tried.append(str(library))
            return real(library, *args, **kwargs)

        return load

    ns["load_delegate"], litert.load_delegate = spy(real_ns or real_litert), spy(real_litert)
    tf.lite.experimental.load_delegate = spy(real_tf)
    try:
        interpreter, backend = ns["with_fallback"](bytes(model), delegate_path)
    finally:
        litert.load_delegate, tf.lite.experimental.load_delegate = real_litert, real_tf
        if real_ns is None:
            ns.pop("load_delegate", None)
        else:
            ns["load_delegate"] = real_ns
    ops = _node_names(interpreter)
    return {"backend": backend, "delegated": "DELEGATE" in ops, "tried": tried,
            "y": np.asarray(ns["predict"](interpreter, np.asarray(x, np.float32)))}


def garbage_library(ns) -> str:
    """A file that exists but is no shared library."""
    path = os.path.join(_folder(), "libnpu_delegate.so")
    with open(path, "wb") as f:
        f.write(b"not an ELF file")
    return path


def cnn_tflite(ns, weights) -> bytes:
    """A float32 flatbuffer of the judge's CNN (batch 1), converted by course code."""
    return _convert(cnn(weights))
