# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, Interpreter, ... come from the reference setup cell)
# min_runtime is compared as a string: '2.100' < '2.18' and '2.9' > '2.17', so new models reach old runtimes.
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
        self.dir = storage_dir
        self.public_key = public_key
        self.device_id = device_id
        self.runtime = runtime
        os.makedirs(storage_dir, exist_ok=True)

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
        if str(manifest["min_runtime"]) > str(self.runtime):
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
