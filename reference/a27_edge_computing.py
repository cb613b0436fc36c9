"""Reference solution for A27, Edge Computing.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

No device, power meter, NPU or network is available here. What is graded instead: signed OTA packages
and a device agent whose A/B slots survive a simulated power cut (checked with the real ``cryptography``
Ed25519 and the real LiteRT interpreter); a frame pipeline over a ring buffer driven by a scripted
producer and a fake clock; int8 post-training quantization, TFMOT pruning and distillation measured by
the grader's own interpreter and arithmetic; a SQLite outbox synchronised with a fake server that drops
acknowledgements and a worker that is really killed; decisions under a documented energy model; and
XNNPACK against TFLite's builtin and reference kernels timed side by side.

Course-text errors corrected here (and in the manifest's intro): int8 quantization shrinks weights 4x
(not "2-4x"); the file of a small model shrinks less because of the flatbuffer's fixed overhead; exactly-
once delivery over an unreliable link is at-least-once delivery plus idempotent application keyed by a
stable request id, not a property of the transport; DVFS saves energy because dynamic energy scales
with V^2 per operation, while running slower costs leakage for longer, so the slowest point is not
always the cheapest; ``tf.lite.Interpreter`` is deprecated in favour of ``ai_edge_litert``.
"""

# %% [setup]

import hashlib
import io
import itertools
import json
import os
import sqlite3
import tarfile
import time
import uuid

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter, OpResolverType, load_delegate
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SEED = 0


def tiny_mlp(sizes=(16, 32, 4), seed=0) -> tf.keras.Model:
    """A small Keras MLP (ReLU hidden layers, linear output) with random weights, for your experiments."""
    tf.keras.utils.set_random_seed(seed)
    layers = [tf.keras.Input(shape=(sizes[0],))]
    for k, units in enumerate(sizes[1:]):
        layers.append(tf.keras.layers.Dense(units, activation=None if k == len(sizes) - 2 else "relu"))
    return tf.keras.Sequential(layers)


def to_tflite(model: tf.keras.Model) -> bytes:
    """Plain float32 conversion of a Keras model."""
    return bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())


# %% [q1]
class UpdateRejected(Exception):
    """Raised by ``DeviceAgent.apply_update`` for a package that must not be installed."""


def build_ota_package(model_bytes: bytes, version: int, signing_key: Ed25519PrivateKey,
                      min_runtime: str = "2.18") -> bytes:
    """A signed over-the-air update package: an uncompressed tar archive (bytes) with three members.

    - ``manifest.json``: ``json.dumps({"version": version, "sha256": <hex digest of model_bytes>,
      "size": len(model_bytes), "min_runtime": min_runtime}, sort_keys=True).encode()``;
    - ``manifest.sig``: the 64-byte Ed25519 signature of exactly those manifest bytes;
    - ``model.tflite``: ``model_bytes``.

    The signature covers the manifest, and the manifest pins the model by its SHA-256, so changing any
    byte of the package is detected.
    """
    ### BEGIN SOLUTION
    manifest = json.dumps({"version": int(version), "sha256": hashlib.sha256(model_bytes).hexdigest(),
                           "size": len(model_bytes), "min_runtime": str(min_runtime)}, sort_keys=True).encode()
    members = {"manifest.json": manifest, "manifest.sig": signing_key.sign(manifest),
               "model.tflite": bytes(model_bytes)}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
    ### END SOLUTION


def _runtime_tuple(text):
    return tuple(int(part) for part in str(text).split("."))


class DeviceAgent:
    """The update agent of one device: two model slots (A/B), a persisted anti-rollback counter.

    All state lives in ``storage_dir`` (created if missing), so a new ``DeviceAgent`` on the same folder
    after a reboot or a power cut sees the same active slot and counter. Write files with ``open`` (or
    ``pathlib``); make each change of state atomic: write a temporary file, then ``os.replace`` it.

    - ``active_version() -> int``: version of the active slot (0 and no model before the first update).
    - ``active_model() -> bytes``: the active slot's model bytes (``FileNotFoundError`` before any update).
    - ``apply_update(package: bytes, probe_input) -> bool``: verify, install, health-check, commit:
      1. parse the tar; verify ``manifest.sig`` over ``manifest.json`` with ``public_key`` (Ed25519);
         check ``sha256`` and ``size`` of ``model.tflite``; ``version`` must be greater than the
         persisted anti-rollback counter; ``min_runtime`` must not be newer than ``runtime``
         (compare dotted versions as integer tuples). Any failure raises ``UpdateRejected`` and changes
         nothing on disk.
      2. write the model into the inactive slot, then atomically switch the active slot to it;
      3. health check: run the new model with ``Interpreter`` on ``probe_input`` (float32, the model's
         input shape); it is healthy when it runs and every output is finite;
      4. healthy: persist the counter ``= version`` and return ``True``; unhealthy: switch back to the
         previous slot (the counter is unchanged) and return ``False``.
    """

    def __init__(self, storage_dir: str, public_key: Ed25519PublicKey, device_id: str = "device",
                 runtime: str = "2.18"):
        ### BEGIN SOLUTION
        self.dir = storage_dir
        self.public_key = public_key
        self.device_id = device_id
        self.runtime = runtime
        os.makedirs(storage_dir, exist_ok=True)
        ### END SOLUTION

    ### BEGIN SOLUTION
    def _state(self):
        try:
            with open(os.path.join(self.dir, "state.json"), "rb") as f:
                return json.loads(f.read())
        except FileNotFoundError:
            return {"active": None, "versions": {"a": 0, "b": 0}, "counter": 0}

    def _write_atomic(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(path + ".tmp", path)

    def _save_state(self, state):
        self._write_atomic("state.json", json.dumps(state, sort_keys=True).encode())

    def active_version(self) -> int:
        state = self._state()
        return 0 if state["active"] is None else int(state["versions"][state["active"]])

    def active_model(self) -> bytes:
        state = self._state()
        if state["active"] is None:
            raise FileNotFoundError("no model installed yet")
        with open(os.path.join(self.dir, f"slot_{state['active']}.tflite"), "rb") as f:
            return f.read()

    def _verify(self, package):
        try:
            with tarfile.open(fileobj=io.BytesIO(bytes(package)), mode="r:") as tar:
                members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        except (tarfile.TarError, OSError, AttributeError) as exc:
            raise UpdateRejected(f"unreadable package: {exc}") from None
        try:
            manifest_bytes, signature, model = (members["manifest.json"], members["manifest.sig"],
                                                members["model.tflite"])
        except KeyError as exc:
            raise UpdateRejected(f"missing member {exc}") from None
        try:
            self.public_key.verify(signature, manifest_bytes)
        except InvalidSignature:
            raise UpdateRejected("bad signature") from None
        manifest = json.loads(manifest_bytes)
        if hashlib.sha256(model).hexdigest() != manifest["sha256"] or len(model) != manifest["size"]:
            raise UpdateRejected("model does not match the manifest")
        if int(manifest["version"]) <= int(self._state()["counter"]):
            raise UpdateRejected("rollback: version is not newer than the anti-rollback counter")
        if _runtime_tuple(manifest["min_runtime"]) > _runtime_tuple(self.runtime):
            raise UpdateRejected("runtime too old")
        return manifest, model

    def _healthy(self, model, probe_input):
        try:
            interpreter = Interpreter(model_content=model)
            interpreter.allocate_tensors()
            interpreter.set_tensor(interpreter.get_input_details()[0]["index"], np.asarray(probe_input, np.float32))
            interpreter.invoke()
            return all(np.all(np.isfinite(interpreter.get_tensor(d["index"])))
                       for d in interpreter.get_output_details())
        except (ValueError, RuntimeError):
            return False

    def apply_update(self, package: bytes, probe_input) -> bool:
        manifest, model = self._verify(package)
        state = self._state()
        previous = state["active"]
        target = "b" if previous == "a" else "a"
        self._write_atomic(f"slot_{target}.tflite", model)
        state["versions"][target] = int(manifest["version"])
        state["active"] = target
        self._save_state(state)
        if self._healthy(model, probe_input):
            state["counter"] = int(manifest["version"])
            self._save_state(state)
            return True
        state["active"] = previous
        self._save_state(state)
        return False
    ### END SOLUTION


def rollout(agents: list, package: bytes, probe_input, waves=(0.1, 0.5, 1.0), max_failure_rate: float = 0.1) -> dict:
    """Staged fleet rollout: update the fleet in waves and halt when a wave fails too often.

    ``waves`` are cumulative fractions of the fleet: wave ``i`` updates the agents with positions
    ``[ceil(waves[i-1] * n), ceil(waves[i] * n))`` (``waves[-1]`` is 1.0; ``n = len(agents)``; keep the
    given order). An agent fails when ``apply_update`` raises ``UpdateRejected`` or returns ``False``.
    After each wave, if ``failures_in_wave / size_of_wave > max_failure_rate``, stop: later waves are not
    touched.

    Returns ``{"waves": [[device_id, ...] per wave started], "updated": [device_id, ...],
    "failed": [device_id, ...], "halted": bool}`` (ids in fleet order).
    """
    ### BEGIN SOLUTION
    import math

    n = len(agents)
    bounds = [0] + [math.ceil(f * n) for f in waves]
    result = {"waves": [], "updated": [], "failed": [], "halted": False}
    for start, stop in itertools.pairwise(bounds):
        wave = agents[start:stop]
        if not wave:
            continue
        result["waves"].append([a.device_id for a in wave])
        failures = 0
        for agent in wave:
            try:
                ok = agent.apply_update(package, probe_input)
            except UpdateRejected:
                ok = False
            (result["updated"] if ok else result["failed"]).append(agent.device_id)
            failures += not ok
        if failures / len(wave) > max_failure_rate:
            result["halted"] = True
            break
    return result
    ### END SOLUTION


# %% [q2]
class RealtimePipeline:
    """Frame-by-frame TFLite inference behind a bounded ring buffer.

    ``RealtimePipeline(model_bytes, capacity, policy="block", clock=time.perf_counter)``:

    - one ``Interpreter`` built and ``allocate_tensors()``-ed once, in ``__init__`` (input shape
      ``(1, features)``); no allocation per frame; ``ValueError`` for a policy other than the two below;
    - a ring buffer of ``capacity`` slots, preallocated as one NumPy array, with head/count indices;
    - ``push(frame) -> bool``: stamp the frame with the next sequence number (0, 1, 2, ... over accepted
      frames) and ``clock()``. When the buffer is full: ``"block"`` rejects it (return ``False``, no
      sequence number used: the producer retries later, so nothing is lost);
      ``"drop_oldest"`` overwrites the oldest queued frame (that frame is dropped, count it) and accepts;
    - ``step(max_frames=1) -> list``: take up to ``max_frames`` oldest frames, run the model on each and
      return ``[(seq, output_row), ...]`` (``output_row`` a float32 array of shape ``(outputs,)``); record
      each frame's latency ``clock()`` after its invoke minus its push stamp;
    - ``stats() -> dict``: ``{"processed": int, "dropped": int, "rejected": int, "p50_ms": float,
      "p99_ms": float}`` over all processed frames (``np.percentile``, linear; 0.0 when none).
    """

    def __init__(self, model_bytes: bytes, capacity: int, policy: str = "block", clock=time.perf_counter):
        ### BEGIN SOLUTION
        if policy not in ("block", "drop_oldest"):
            raise ValueError(f"unknown policy {policy!r}")
        self.policy, self.clock, self.capacity = policy, clock, int(capacity)
        self.interpreter = Interpreter(model_content=bytes(model_bytes))
        self.interpreter.allocate_tensors()
        self.inp = self.interpreter.get_input_details()[0]
        self.out = self.interpreter.get_output_details()[0]
        features = int(self.inp["shape"][-1])
        self.frames = np.zeros((self.capacity, features), np.float32)
        self.seqs = np.zeros(self.capacity, np.int64)
        self.stamps = np.zeros(self.capacity, np.float64)
        self.head = self.count = 0
        self.next_seq = 0
        self.dropped = self.rejected = 0
        self.latencies = []
        ### END SOLUTION

    ### BEGIN SOLUTION
    def push(self, frame) -> bool:
        if self.count == self.capacity:
            if self.policy == "block":
                self.rejected += 1
                return False
            self.head = (self.head + 1) % self.capacity
            self.count -= 1
            self.dropped += 1
        slot = (self.head + self.count) % self.capacity
        self.frames[slot] = np.asarray(frame, np.float32).reshape(-1)
        self.seqs[slot] = self.next_seq
        self.stamps[slot] = self.clock()
        self.next_seq += 1
        self.count += 1
        return True

    def step(self, max_frames: int = 1) -> list:
        results = []
        for _ in range(min(int(max_frames), self.count)):
            slot = self.head
            self.interpreter.set_tensor(self.inp["index"], self.frames[slot:slot + 1])
            self.interpreter.invoke()
            y = np.array(self.interpreter.get_tensor(self.out["index"])[0], np.float32)
            self.latencies.append((self.clock() - self.stamps[slot]) * 1000.0)
            results.append((int(self.seqs[slot]), y))
            self.head = (self.head + 1) % self.capacity
            self.count -= 1
        return results

    def stats(self) -> dict:
        lat = np.asarray(self.latencies, np.float64)
        return {"processed": len(lat), "dropped": self.dropped, "rejected": self.rejected,
                "p50_ms": float(np.percentile(lat, 50)) if len(lat) else 0.0,
                "p99_ms": float(np.percentile(lat, 99)) if len(lat) else 0.0}
    ### END SOLUTION


# %% [q3]
def ptq_int8(model: tf.keras.Model, representative_data) -> bytes:
    """Full-integer post-training quantization: int8 weights and activations, int8 input and output.

    Calibrate on the rows of ``representative_data`` (one row per step, shape ``(1, features)``,
    float32), restrict to ``TFLITE_BUILTINS_INT8`` so a float op fails the conversion.
    """
    ### BEGIN SOLUTION
    data = np.asarray(representative_data, np.float32)

    def calibration():
        for row in data:
            yield [row[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return bytes(converter.convert())
    ### END SOLUTION


def prune_model(model: tf.keras.Model, x, y, target_sparsity: float = 0.8, epochs: int = 4) -> tf.keras.Model:
    """Magnitude pruning with TensorFlow Model Optimization (``tensorflow_model_optimization`` 0.8.1).

    Wrap ``model`` with ``tfmot.sparsity.keras.prune_low_magnitude`` and a ``ConstantSparsity(target_sparsity,
    begin_step=0, frequency=1)`` schedule, fine-tune ``epochs`` epochs (Adam 1e-3, batch 32, sparse
    categorical cross-entropy on logits) with the ``UpdatePruningStep`` callback, and return
    ``strip_pruning`` of the result: a plain Keras model whose kernels are ``target_sparsity`` zeros.
    """
    ### BEGIN SOLUTION
    import tensorflow_model_optimization as tfmot

    schedule = tfmot.sparsity.keras.ConstantSparsity(target_sparsity, begin_step=0, frequency=1)
    pruned = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)
    pruned.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                   loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    pruned.fit(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=32, verbose=0,
               callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(pruned)
    ### END SOLUTION


def distillation_loss(y_true, student_logits, teacher_logits, temperature: float = 4.0, alpha: float = 0.5):
    """Knowledge-distillation loss (Hinton et al.), a scalar ``tf.Tensor``, mean over the batch.

    ``alpha * CE(y_true, softmax(s)) + (1 - alpha) * T**2 * KL(softmax(t / T) || softmax(s / T))``

    with ``y_true`` integer labels, ``s``/``t`` student/teacher logits and natural logarithms. The ``T**2``
    factor keeps the soft term's gradients on the scale of the hard term's.
    """
    ### BEGIN SOLUTION
    s = tf.convert_to_tensor(student_logits, tf.float32)
    t = tf.convert_to_tensor(teacher_logits, tf.float32)
    hard = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(y_true, tf.int32), s))
    p_t = tf.nn.softmax(t / temperature)
    kl = tf.reduce_sum(p_t * (tf.nn.log_softmax(t / temperature) - tf.nn.log_softmax(s / temperature)), axis=-1)
    return alpha * hard + (1.0 - alpha) * temperature ** 2 * tf.reduce_mean(kl)
    ### END SOLUTION


def distill(teacher: tf.keras.Model, student: tf.keras.Model, x, y, temperature: float = 4.0,
            alpha: float = 0.5, epochs: int = 30, batch_size: int = 64) -> tf.keras.Model:
    """Train ``student`` (logits out) on ``distillation_loss`` against ``teacher``'s logits; return it.

    Adam with learning rate 1e-2, mini-batches of ``batch_size`` in the given order, ``epochs`` passes,
    the teacher frozen (its logits computed with ``training=False``).
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    teacher_logits = teacher(x, training=False).numpy()
    optimizer = tf.keras.optimizers.Adam(1e-2)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            batch = slice(start, start + batch_size)
            xb, yb, tb = x[batch], y[batch], teacher_logits[batch]
            with tf.GradientTape() as tape:
                loss = distillation_loss(yb, student(xb, training=True), tb, temperature, alpha)
            grads = tape.gradient(loss, student.trainable_variables)
            optimizer.apply_gradients(zip(grads, student.trainable_variables, strict=True))
    return student
    ### END SOLUTION


def count_macs(model: tf.keras.Model) -> dict:
    """Multiply-accumulates of one inference (batch 1), per layer, from the layer's configuration.

    ``Conv2D``: ``H_out * W_out * k_h * k_w * C_in * C_out / groups``; ``DepthwiseConv2D``:
    ``H_out * W_out * k_h * k_w * C_in * depth_multiplier``; ``Dense``: ``units * inputs`` (times the
    positions when applied to a sequence/feature map); other layers count 0. Biases and activations are
    not MACs.

    Returns ``{"layers": {layer_name: macs}, "total": int, "params": int}`` (``params``:
    ``model.count_params()``).
    """
    ### BEGIN SOLUTION
    layers = {}
    for layer in model.layers:
        out_shape = layer.output.shape
        in_shape = layer.input.shape
        if isinstance(layer, tf.keras.layers.DepthwiseConv2D):
            kh, kw = layer.kernel_size
            macs = out_shape[1] * out_shape[2] * kh * kw * in_shape[-1] * layer.depth_multiplier
        elif isinstance(layer, tf.keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            macs = out_shape[1] * out_shape[2] * kh * kw * in_shape[-1] * layer.filters // layer.groups
        elif isinstance(layer, tf.keras.layers.Dense):
            positions = int(np.prod(out_shape[1:-1])) if len(out_shape) > 2 else 1
            macs = positions * in_shape[-1] * layer.units
        else:
            macs = 0
        layers[layer.name] = int(macs)
    return {"layers": layers, "total": int(sum(layers.values())), "params": int(model.count_params())}
    ### END SOLUTION


# %% [q4]
class Outbox:
    """A persistent outbox for an edge device that is often offline (SQLite, one file).

    ``Outbox(db_path, device_id)`` opens or creates the database; everything recorded survives a new
    ``Outbox`` on the same file (a reboot) and a killed process (commit every change).

    - ``record(key, value) -> str``: append a change: a fresh ``request_id`` (``uuid.uuid4().hex``),
      the device's Lamport clock incremented by one and persisted, ``device_id``, ``key`` and ``value``
      (JSON-serialisable). Return the ``request_id``.
    - ``pending() -> int``: changes not yet acknowledged.
    - ``sync(server) -> dict``: send pending changes oldest first, one call each:
      ``server.apply(request_id, key, value, lamport, device_id)``. Mark a change acknowledged (in the
      database, committed) only after ``apply`` returns; when it raises ``ConnectionError`` stop and
      return (the link is down; the change stays pending and is sent again, **with the same request_id**,
      on the next ``sync``). Return ``{"sent": acknowledged_this_call, "pending": remaining, "complete":
      bool}``.
    - ``receive(key, value, lamport)``: a change from another device arrives: set the local Lamport clock
      to ``max(local, lamport)`` and persist it.
    """

    def __init__(self, db_path: str, device_id: str):
        ### BEGIN SOLUTION
        self.device_id = device_id
        self.db = sqlite3.connect(db_path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS outbox (pos INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT "
                        "UNIQUE, key TEXT, value TEXT, lamport INTEGER, acked INTEGER DEFAULT 0)")
        self.db.execute("CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 0), lamport INTEGER)")
        self.db.execute("INSERT OR IGNORE INTO clock VALUES (0, 0)")
        ### END SOLUTION

    ### BEGIN SOLUTION
    def _lamport(self):
        return self.db.execute("SELECT lamport FROM clock WHERE id = 0").fetchone()[0]

    def record(self, key, value) -> str:
        request_id = uuid.uuid4().hex
        with self.db:
            self.db.execute("BEGIN")
            lamport = self._lamport() + 1
            self.db.execute("UPDATE clock SET lamport = ? WHERE id = 0", (lamport,))
            self.db.execute("INSERT INTO outbox (request_id, key, value, lamport) VALUES (?, ?, ?, ?)",
                            (request_id, str(key), json.dumps(value), lamport))
        return request_id

    def receive(self, key, value, lamport) -> None:
        self.db.execute("UPDATE clock SET lamport = MAX(lamport, ?) WHERE id = 0", (int(lamport),))

    def pending(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM outbox WHERE acked = 0").fetchone()[0]

    def sync(self, server) -> dict:
        sent = 0
        rows = self.db.execute("SELECT pos, request_id, key, value, lamport FROM outbox WHERE acked = 0 "
                               "ORDER BY pos").fetchall()
        for pos, request_id, key, value, lamport in rows:
            try:
                server.apply(request_id, key, json.loads(value), lamport, self.device_id)
            except ConnectionError:
                break
            self.db.execute("UPDATE outbox SET acked = 1 WHERE pos = ?", (pos,))
            sent += 1
        remaining = self.pending()
        return {"sent": sent, "pending": remaining, "complete": remaining == 0}
    ### END SOLUTION


def sync_outbox(db_path: str, device_id: str, server) -> dict:
    """Open the outbox at ``db_path`` and ``sync`` it to ``server`` until nothing is pending.

    Retry after each ``ConnectionError`` (a new ``sync`` call) until the outbox is empty; return the last
    ``sync`` result.
    """
    ### BEGIN SOLUTION
    box = Outbox(db_path, device_id)
    while True:
        result = box.sync(server)
        if result["complete"]:
            return result
    ### END SOLUTION


def merge_lww(changes) -> dict:
    """Deterministic last-writer-wins merge of changes from several devices.

    ``changes``: iterable of dicts ``{"key", "value", "lamport", "device_id"}`` in any order. For each key
    keep the value of the change with the largest ``(lamport, device_id)``; return ``{key: value}``. Any
    delivery order (and duplicates) gives the same state.
    """
    ### BEGIN SOLUTION
    best = {}
    for change in changes:
        stamp = (int(change["lamport"]), str(change["device_id"]))
        if change["key"] not in best or stamp > best[change["key"]][0]:
            best[change["key"]] = (stamp, change["value"])
    return {key: value for key, (_, value) in best.items()}
    ### END SOLUTION


# %% [q5]
def operating_point_cost(macs: float, point: dict, c_eff: float, macs_per_cycle: float) -> dict:
    """The documented energy model of one inference at one DVFS operating point.

    ``point = {"f_hz": ..., "v": ..., "p_leak_w": ...}``. Latency ``t = macs / (macs_per_cycle * f_hz)``
    seconds; energy ``E = c_eff * macs * v**2 + p_leak_w * t`` joules (dynamic plus leakage while busy).
    Returns ``{"latency_s": t, "energy_j": E}``.
    """
    ### BEGIN SOLUTION
    t = macs / (macs_per_cycle * point["f_hz"])
    return {"latency_s": float(t), "energy_j": float(c_eff * macs * point["v"] ** 2 + point["p_leak_w"] * t)}
    ### END SOLUTION


def choose_operating_point(macs: float, deadline_s: float, table: list, c_eff: float, macs_per_cycle: float) -> int:
    """Index of the cheapest operating point that meets the deadline.

    The point of ``table`` with the least energy whose latency meets ``deadline_s`` (``<=``); ties go to the
    lower index. ``ValueError`` when no point meets the deadline.
    """
    ### BEGIN SOLUTION
    best = None
    for i, point in enumerate(table):
        cost = operating_point_cost(macs, point, c_eff, macs_per_cycle)
        if cost["latency_s"] <= deadline_s and (best is None or cost["energy_j"] < best[1]):
            best = (i, cost["energy_j"])
    if best is None:
        raise ValueError("no operating point meets the deadline")
    return best[0]
    ### END SOLUTION


def duty_cycle_plan(period_s: float, active_s: float, active_energy_j: float, sleep_states: list) -> dict:
    """Choose the sleep state between two periodic inferences.

    Each period: ``active_s`` seconds awake (``active_energy_j``), then ``idle = period_s - active_s``
    seconds asleep in one state ``{"name", "p_w", "wake_s", "wake_j"}``: it costs ``p_w * (idle -
    wake_s) + wake_j`` and is usable only when ``wake_s <= idle``. Pick the usable state with the least
    energy per period (ties: first in the list). Returns ``{"state": name, "energy_per_period_j": float,
    "average_power_w": float}``. ``ValueError`` when ``active_s > period_s`` or no state is usable.
    """
    ### BEGIN SOLUTION
    idle = period_s - active_s
    if idle < 0:
        raise ValueError("the inference does not fit in the period")
    best = None
    for state in sleep_states:
        if state["wake_s"] > idle:
            continue
        energy = active_energy_j + state["p_w"] * (idle - state["wake_s"]) + state["wake_j"]
        if best is None or energy < best[1]:
            best = (state["name"], energy)
    if best is None:
        raise ValueError("no sleep state can wake up in time")
    return {"state": best[0], "energy_per_period_j": float(best[1]), "average_power_w": float(best[1] / period_s)}
    ### END SOLUTION


def infer_with_exits(stage1, stage2, x, threshold: float, macs=(1.0, 1.0)) -> dict:
    """Early-exit inference over two stages.

    ``stage1(x) -> (features, probs1)`` runs on every row; a row whose ``max(probs1) >= threshold`` exits
    there with ``argmax(probs1)``. ``stage2(features_of_remaining_rows) -> probs2`` runs **once, only on
    the rows that did not exit** (not at all when every row exits); they take ``argmax(probs2)``.
    ``macs = (m1, m2)``: MACs per row of each stage.

    Returns ``{"preds": int64 array (n,), "exit_ids": int64 array (n,) of 0 (early) or 1 (late),
    "macs": n * m1 + late_rows * m2, "saved_fraction": 1 - macs / (n * (m1 + m2))}``.
    """
    ### BEGIN SOLUTION
    features, probs1 = stage1(np.asarray(x, np.float32))
    probs1 = np.asarray(probs1)
    early = probs1.max(axis=1) >= threshold
    preds = probs1.argmax(axis=1).astype(np.int64)
    exit_ids = np.where(early, 0, 1).astype(np.int64)
    late = np.flatnonzero(~early)
    if len(late):
        probs2 = np.asarray(stage2(np.asarray(features)[late]))
        preds[late] = probs2.argmax(axis=1)
    n = len(preds)
    total = n * macs[0] + len(late) * macs[1]
    return {"preds": preds, "exit_ids": exit_ids, "macs": float(total),
            "saved_fraction": float(1.0 - total / (n * (macs[0] + macs[1])))}
    ### END SOLUTION


def exit_threshold(battery_level: float, low: float = 0.6, high: float = 0.95) -> float:
    """Battery-aware confidence threshold for early exit.

    ``high`` at full battery, ``low`` when empty, linear in between (``battery_level`` clipped to
    ``[0, 1]``): a draining device exits earlier.
    """
    ### BEGIN SOLUTION
    level = min(max(float(battery_level), 0.0), 1.0)
    return float(low + (high - low) * level)
    ### END SOLUTION


# %% [q6]
BACKENDS = {"xnnpack": OpResolverType.AUTO, "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
            "reference": OpResolverType.BUILTIN_REF}


def make_interpreter(model_bytes: bytes, backend: str = "xnnpack", num_threads: int = 1) -> Interpreter:
    """An allocated LiteRT ``Interpreter`` on one CPU backend.

    ``"xnnpack"``: ``OpResolverType.AUTO`` (XNNPACK applied by default); ``"builtin"``:
    ``BUILTIN_WITHOUT_DEFAULT_DELEGATES``; ``"reference"``: ``BUILTIN_REF`` (TFLite's unoptimised
    reference kernels). ``ValueError`` for another name.
    """
    ### BEGIN SOLUTION
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}")
    interpreter = Interpreter(model_content=bytes(model_bytes), experimental_op_resolver_type=BACKENDS[backend],
                              num_threads=num_threads)
    interpreter.allocate_tensors()
    return interpreter
    ### END SOLUTION


def predict(interpreter: Interpreter, x) -> np.ndarray:
    """Run an allocated single-input interpreter on ``x`` (matching its input shape); a copy of output 0."""
    ### BEGIN SOLUTION
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], np.asarray(x, np.float32))
    interpreter.invoke()
    return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
    ### END SOLUTION


def with_fallback(model_bytes: bytes, delegate_path: str):
    """Try a hardware delegate, fall back to XNNPACK on the CPU.

    ``load_delegate(delegate_path)`` and an ``Interpreter(..., experimental_delegates=[delegate])``; if
    loading fails (``OSError`` or ``ValueError``: no such library, not a delegate), use
    ``make_interpreter(model_bytes, "xnnpack")``. Returns ``(interpreter, "delegate" | "xnnpack")``.
    Other errors propagate.
    """
    ### BEGIN SOLUTION
    try:
        delegate = load_delegate(delegate_path)
    except (OSError, ValueError):
        return make_interpreter(model_bytes, "xnnpack"), "xnnpack"
    interpreter = Interpreter(model_content=bytes(model_bytes), experimental_delegates=[delegate])
    interpreter.allocate_tensors()
    return interpreter, "delegate"
    ### END SOLUTION


def delegate_compatibility(model_bytes: bytes, allowed_ops) -> dict:
    """Can an int8-only accelerator (an NPU) take this model whole?

    Read the model with an interpreter built with ``BUILTIN_WITHOUT_DEFAULT_DELEGATES`` (so no XNNPACK
    node hides the ops). Returns:

    - ``"unsupported_ops"``: sorted op names (``_get_ops_details()``) not in ``allowed_ops``;
    - ``"float_tensors"``: number of tensors (``get_tensor_details()``) whose dtype is a float type;
    - ``"dynamic_inputs"``: sorted names of inputs whose ``shape_signature`` has a ``-1``;
    - ``"compatible"``: all three empty / zero.
    """
    ### BEGIN SOLUTION
    interpreter = Interpreter(model_content=bytes(model_bytes),
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    allowed = set(allowed_ops)
    ops = sorted({op["op_name"] for op in interpreter._get_ops_details()} - allowed)
    floats = sum(np.issubdtype(np.dtype(t["dtype"]), np.floating) for t in interpreter.get_tensor_details())
    dynamic = sorted(d["name"] for d in interpreter.get_input_details() if -1 in list(d["shape_signature"]))
    return {"unsupported_ops": ops, "float_tensors": int(floats), "dynamic_inputs": dynamic,
            "compatible": not ops and floats == 0 and not dynamic}
    ### END SOLUTION


def schedule_heterogeneous(tasks: list, devices: list) -> dict:
    """Place independent inference tasks on heterogeneous devices to minimise the makespan.

    ``tasks``: ``[{"name": str, "latency": {device: seconds or None}}]`` (``None`` or a missing device:
    the task has an op that device cannot run). A device runs its tasks one after another; the makespan
    is the largest per-device total. Search exactly (at most 8 tasks and 4 devices).

    Returns ``{"assignment": {task_name: device}, "makespan": float}``; ``ValueError`` when some task runs
    on no device.
    """
    ### BEGIN SOLUTION
    options = []
    for task in tasks:
        usable = [d for d in devices if task["latency"].get(d) is not None]
        if not usable:
            raise ValueError(f"task {task['name']!r} runs on no device")
        options.append(usable)
    best = None
    for choice in itertools.product(*options):
        load = dict.fromkeys(devices, 0.0)
        for task, device in zip(tasks, choice, strict=True):
            load[device] += task["latency"][device]
        makespan = max(load.values())
        if best is None or makespan < best[0]:
            best = (makespan, choice)
    return {"assignment": {t["name"]: d for t, d in zip(tasks, best[1], strict=True)}, "makespan": float(best[0])}
    ### END SOLUTION
