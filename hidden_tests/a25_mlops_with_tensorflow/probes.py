"""Worker-side probes for A25, MLOps with TensorFlow.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes run inside the sandboxed worker and hold no expected answers: they write the inputs the
judge sent, call the namespace's functions, and read back what those wrote with the real libraries (ML Metadata,
TensorFlow's checkpoint reader, a fresh pytest interpreter), returning plain data.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import numpy as np


def _tmpdir() -> str:
    return tempfile.mkdtemp(dir=os.path.expanduser("~"))


def _write_tree(root: str, files: dict) -> None:
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(bytes(data, "latin-1") if isinstance(data, str) else bytes(data))


# --------------------------------------------------------------------------------------------
# Q1


def _mlmd_dump(path: str) -> dict:
    """The registry's store read with ML Metadata itself: versions and transitions as plain data."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb

    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READONLY
    store = metadata_store.MetadataStore(config)

    def props(message):
        out = {}
        for key, v in list(message.properties.items()) + list(message.custom_properties.items()):
            kind = v.WhichOneof("value")
            out[key] = None if kind is None else getattr(v, kind)
        return out

    try:
        versions = [dict(props(a), uri=a.uri, id=a.id) for a in store.get_artifacts_by_type("ModelVersion")]
    except Exception:  # noqa: BLE001 - no such type: nothing registered the expected way
        versions = []
    try:
        executions = store.get_executions_by_type("StageTransition")
    except Exception:  # noqa: BLE001
        executions = []
    by_id = {v["id"]: v for v in versions}
    transitions = []
    for e in sorted(executions, key=lambda e: e.id):
        events = store.get_events_by_execution_ids([e.id])
        arts = sorted({ev.artifact_id for ev in events})
        kinds = sorted(int(ev.type) for ev in events)
        target = by_id.get(arts[0]) if len(arts) == 1 else None
        transitions.append(dict(props(e), version=None if target is None else target.get("version"),
                                model_name=None if target is None else target.get("model_name"),
                                events=kinds))
    for v in versions:
        v.pop("id")
    return {"versions": sorted(versions, key=lambda v: (str(v.get("model_name")), v.get("version") or 0)),
            "transitions": transitions}


def registry_scenario(ns, files: dict, steps: list) -> dict:
    """Write an artifact folder, then run ``steps`` on a fresh registry: each step is
    ``["register", name, metrics]``, ``["transition", name, version, stage, reason]``, ``["get", name, stage]``,
    ``["verify", name, version]``, ``["tamper", relative_path]`` (flip one byte of a file), ``["reopen"]`` (a new
    registry object on the same database). Returns each step's outcome and the store as ML Metadata reads it."""
    folder = _tmpdir()
    art = os.path.join(folder, "artifact")
    _write_tree(art, files)
    db = os.path.join(folder, "registry.sqlite")
    registry = ns["ModelRegistry"](db)
    outcomes = []
    for step in steps:
        op, args = step[0], step[1:]
        try:
            if op == "register":
                out = registry.register(args[0], art, args[1])
                out = int(out) if isinstance(out, (int, np.integer)) else repr(out)
            elif op == "transition":
                registry.transition(*args)
                out = "ok"
            elif op == "get":
                got = registry.get(*args)
                out = None if got is None else {k: got.get(k) for k in ("version", "stage", "sha256", "metrics")}
                if out is not None:
                    out["uri_is_artifact"] = os.path.realpath(str(got.get("uri"))) == os.path.realpath(art)
            elif op == "verify":
                out = registry.verify(*args)
                out = out if isinstance(out, bool) else repr(out)
            elif op == "tamper":
                path = os.path.join(art, args[0])
                with open(path, "rb") as f:
                    data = bytearray(f.read())
                data[len(data) // 2] ^= 0x01
                with open(path, "wb") as f:
                    f.write(bytes(data))
                out = "ok"
            elif op == "remove":
                import shutil

                shutil.rmtree(art)
                out = "ok"
            elif op == "reopen":
                registry = ns["ModelRegistry"](db)
                out = "ok"
            else:
                raise ValueError(op)
        except ValueError as e:
            out = ["ValueError", str(e)[:200]]
        outcomes.append(out)
    return {"outcomes": outcomes, "store": _mlmd_dump(db)}


def directory_hash(ns, files: dict, extra_dirs: list = ()) -> str:
    """The namespace's ``directory_sha256`` of a folder holding ``files`` (and empty folders ``extra_dirs``)."""
    root = os.path.join(_tmpdir(), "a")
    _write_tree(root, files)
    for d in extra_dirs:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    out = ns["directory_sha256"](root)
    return out if isinstance(out, str) else repr(out)


# --------------------------------------------------------------------------------------------
# Q2


def trigger_script(ns, kwargs: dict, events: list) -> list:
    """Drive ``RetrainTrigger`` with a scripted clock: ``events`` is ``[[clock_time, n_new, drift], ...]``; the
    clock reads the current event's time (and the first event's at construction)."""
    now = [events[0][0] if events else 0.0]
    trigger = ns["RetrainTrigger"](clock=lambda: now[0], **kwargs)
    out = []
    for t, n_new, drift in events:
        now[0] = float(t)
        fired = trigger.update(int(n_new), float(drift))
        out.append([fired[0] if isinstance(fired[0], bool) else repr(fired[0]), str(fired[1])])
    return out


def stream_triggers(ns, batches: list, threshold: float) -> list:
    """The course's drift loop on a scripted stream: the first batch is the reference; each batch's drift score
    (the namespace's ``drift_score``) feeds a drift-only ``RetrainTrigger``; after a retrain the triggering batch
    becomes the reference. Returns ``[[score, fired, reason], ...]``."""
    trigger = ns["RetrainTrigger"](drift_threshold=threshold, clock=lambda: 0.0)
    reference = np.asarray(batches[0])
    out = []
    for batch in batches[1:]:
        batch = np.asarray(batch)
        score = float(ns["drift_score"](reference, batch))
        fired, reason = trigger.update(len(batch), score)
        if fired:
            reference = batch
        out.append([score, bool(fired), str(reason)])
    return out


def reservoir(ns, capacity: int, n: int, seed: int, batch: int) -> dict:
    """Feed ``ReplayBuffer`` the stream 0..n-1 in batches; return what it holds and a sample."""
    buf = ns["ReplayBuffer"](capacity, seed=seed)
    sizes = []
    for start in range(0, n, batch):
        ids = np.arange(start, min(n, start + batch), dtype=np.float32)
        buf.add(ids[:, None], ids.astype(np.int64))
        sizes.append(len(buf))
    x, y = buf.arrays()
    sx, sy = buf.sample(capacity // 2)
    return {"shapes": [list(np.shape(x)), list(np.shape(y)), list(np.shape(sx))],
            "x": np.asarray(x).reshape(-1).tolist(), "y": np.asarray(y).reshape(-1).tolist(), "sizes": sizes,
            "sample_x": np.asarray(sx).reshape(-1).tolist(), "sample_y": np.asarray(sy).reshape(-1).tolist()}


def replay_scenario(ns, xa, ya, xb, yb, x_eval, replay_ratio: float, capacity: int, seed: int) -> dict:
    """Train a small model on concept A (here, not by the namespace), then let the namespace's
    ``incremental_update`` continue it on concept B with a ReplayBuffer that holds A. Returns the predictions on the
    judge's held-out ``x_eval``, whether the same model and variables were kept, and what ``fit`` was given."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu", input_shape=(2,)),
                                 tf.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(tf.keras.optimizers.Adam(0.02), "binary_crossentropy")
    model.fit(np.asarray(xa, np.float32), np.asarray(ya, np.float32), epochs=15, batch_size=32, verbose=0)
    before_ids = [id(v) for v in model.variables]
    before = [v.numpy().copy() for v in model.variables]
    buf = ns["ReplayBuffer"](capacity, seed=seed)
    buf.add(np.asarray(xa, np.float32), np.asarray(ya, np.float32))
    len_before = len(buf)
    seen = []
    original_fit = model.fit

    def counting_fit(x=None, y=None, *args, **kwargs):
        xs = np.asarray(x)
        seen.append({"rows": int(len(xs)), "from_a": int(np.sum(xs[:, 0] < 0)),
                     "epochs": kwargs.get("epochs"), "batch_size": kwargs.get("batch_size")})
        return original_fit(x, y, *args, **kwargs)

    model.fit = counting_fit
    initial_weights_changed = []
    real_fit = original_fit

    def check_start(x=None, y=None, *args, **kwargs):
        initial_weights_changed.append(any(not np.array_equal(v.numpy(), b)
                                           for v, b in zip(model.variables, before, strict=True)))
        return counting_fit(x, y, *args, **kwargs)

    model.fit = check_start
    returned = ns["incremental_update"](model, np.asarray(xb, np.float32), np.asarray(yb, np.float32), buf,
                                        epochs=15, replay_ratio=replay_ratio, batch_size=32, seed=seed)
    model.fit = real_fit
    same = returned is model
    probs = model.predict(np.asarray(x_eval, np.float32), verbose=0)[:, 0]
    return {"same_model": bool(same), "same_variables": [id(v) for v in model.variables] == before_ids,
            "weights_reset_before_fit": initial_weights_changed, "fits": seen, "probs": probs.tolist(),
            "buffer_before": int(len_before), "buffer_after": int(len(buf))}


# --------------------------------------------------------------------------------------------
# Q4


def _export(folder: str, w, b, output_name: str = "y", extra_file: bool = False) -> str:
    import tensorflow as tf

    module = tf.Module()
    module.w = tf.Variable(np.asarray(w, np.float32), name="w")
    module.b = tf.Variable(np.asarray(b, np.float32), name="b")
    n_in = int(np.asarray(w).shape[0])

    @tf.function(input_signature=[tf.TensorSpec([None, n_in], tf.float32, name="features")])
    def serve(features):
        return {output_name: tf.nn.sigmoid(tf.matmul(features, module.w) + module.b)}

    module.serve = serve
    tf.saved_model.save(module, folder, signatures={"serving_default": serve})
    if extra_file:
        os.makedirs(os.path.join(folder, "assets.extra"), exist_ok=True)
        with open(os.path.join(folder, "assets.extra", "README.txt"), "w") as f:
            f.write("exported by the nightly job\n")
        os.utime(os.path.join(folder, "saved_model.pb"), (1_000_000, 1_000_000))
    return folder


def saved_model_versions(ns, w, b, changed_index: list) -> dict:
    """Export the same weights twice (the second with an extra asset and an old timestamp), one weight changed, a
    renamed output and a second output's worth of signature change; return the namespace's hashes and signatures and
    whether the raw ``saved_model.pb`` bytes of the two identical exports differ."""
    import hashlib

    root = _tmpdir()
    w = np.asarray(w, np.float32)
    w2 = w.copy()
    w2[tuple(changed_index)] = np.nextafter(w2[tuple(changed_index)], np.float32(np.inf))
    paths = {"a": _export(os.path.join(root, "a"), w, b),
             "a_again": _export(os.path.join(root, "a_again"), w, b, extra_file=True),
             "weight": _export(os.path.join(root, "weight"), w2, b),
             "renamed": _export(os.path.join(root, "renamed"), w, b, output_name="score")}
    hashes, signatures = {}, {}
    for key, path in paths.items():
        h = ns["model_content_hash"](path)
        hashes[key] = h if isinstance(h, str) else repr(h)
        signatures[key] = ns["signature_of"](path)
    raw = [hashlib.sha256(open(os.path.join(paths[k], "saved_model.pb"), "rb").read()).hexdigest()
           for k in ("a", "a_again")]
    return {"hashes": hashes, "signatures": signatures, "raw_pb_differs": raw[0] != raw[1]}


def fingerprint(ns, files: dict, order: list) -> str:
    """Write ``files`` and call the namespace's ``dataset_fingerprint`` on their paths in ``order``."""
    root = _tmpdir()
    _write_tree(root, files)
    out = ns["dataset_fingerprint"]([os.path.join(root, name) for name in order])
    return out if isinstance(out, str) else repr(out)


# --------------------------------------------------------------------------------------------
# Q5


def run_test_suite(ns, suite_source: str, packages: list, timeout_s: float = 30.0) -> list:
    """Run the suite in a fresh isolated interpreter (``python -I -m pytest``) beside each package source in turn
    (two at a time); return per package the exit code and the JUnit counts written by that interpreter."""
    runs = []
    for k, package in enumerate(packages):
        folder = os.path.join(_tmpdir(), f"run{k}")
        os.makedirs(folder)
        with open(os.path.join(folder, "churnkit.py"), "w") as f:
            f.write(package)
        with open(os.path.join(folder, "test_churnkit.py"), "w") as f:
            f.write(suite_source)
        runs.append(folder)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": _tmpdir(), "PYTHONHASHSEED": "0",
           "OMP_NUM_THREADS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    results = [None] * len(runs)
    pending = list(range(len(runs)))
    running = {}
    while pending or running:
        while pending and len(running) < 2:
            k = pending.pop(0)
            cmd = [sys.executable, "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                   "--rootdir", runs[k], "--junitxml", os.path.join(runs[k], "junit.xml"),
                   os.path.join(runs[k], "test_churnkit.py")]
            running[k] = subprocess.Popen(cmd, cwd=runs[k], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
        k = next(iter(running))
        proc = running.pop(k)
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = -9
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        junit = os.path.join(runs[k], "junit.xml")
        if os.path.exists(junit):
            try:
                suite = ElementTree.parse(junit).getroot()
                suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
                counts = {key: int(suite.get(key, 0)) for key in counts}
            except (ElementTree.ParseError, AttributeError, ValueError):
                pass
        results[k] = dict(counts, rc=int(rc))
    return results
