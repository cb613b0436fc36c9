"""Reference solution for A25, MLOps with TensorFlow.

No cloud service, TFX component or hosted registry can be reached here, and MLflow does not resolve beside the pinned
stack (protobuf 4.25: recent mlflow-skinny needs opentelemetry-proto with protobuf 5). Each subtopic is therefore
built on the real libraries that do install: ML Metadata on SQLite as the model registry's store (Q1), tf-keras for
incremental training with a replay buffer (Q2), SciPy's two-sample tests for drift (Q3, checked against SciPy and
statsmodels in the judge), the SavedModel protocol buffers and TensorFlow's checkpoint reader for content hashes
(Q4), pytest run in a fresh interpreter for a test suite graded by mutation testing (Q5), and the paired tests used
to compare two models (Q6, checked against statsmodels).

Course-text corrections (also in the manifest's intro): TFMA and TFDV do not install beside TF 2.18 on Python 3.11,
so validation gates and drift tests are computed directly; raw SavedModel bytes are not a stable model identity
(``fingerprint.pb``, asset files and timestamps change without the model changing), so a model is versioned by a
hash of its variables and signatures; an accuracy difference between two models on one test set needs a paired test
(McNemar, paired bootstrap), not two independent confidence intervals.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import hashlib
import json
import sys
import tempfile
import time

import numpy as np
import scipy.stats
import tensorflow as tf
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2

SEED = 0

# The small package the Q5 test suite is written for. It is written to a folder on the path and imported, so
# `import churnkit` works in this notebook as it will in the fresh interpreter that runs your tests.
CHURNKIT_SOURCE = '''"""churnkit: preprocessing and scoring helpers of a churn model (NumPy only)."""

import numpy as np

FEATURES = ("tenure", "monthly_charges", "support_calls")


def sliding_windows(x, size, stride=1):
    """Every window x[i:i + size] for i = 0, stride, 2 * stride, ... that fits: shape (n, size, *x.shape[1:])."""
    x = np.asarray(x)
    if size < 1 or stride < 1:
        raise ValueError("size and stride must be >= 1")
    starts = list(range(0, len(x) - size + 1, stride))
    if not starts:
        return np.empty((0, size) + x.shape[1:], dtype=x.dtype)
    return np.stack([x[i:i + size] for i in starts])


def windows_with_targets(x, y, size):
    """Windows of x (stride 1) with the target that follows each: y[i + size] for window x[i:i + size]."""
    x, y = np.asarray(x), np.asarray(y)
    n = len(x) - size
    if n <= 0:
        return np.empty((0, size) + x.shape[1:], dtype=x.dtype), np.empty((0,), dtype=y.dtype)
    windows = np.stack([x[i:i + size] for i in range(n)])
    targets = np.array([y[i + size] for i in range(n)], dtype=y.dtype)
    return windows, targets


class StandardScaler:
    """Per-column standardisation fitted on training data (NaN ignored; a constant column gets scale 1)."""

    def fit(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.mean_ = np.nanmean(x, axis=0)
        std = np.nanstd(x, axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x):
        return (np.asarray(x, dtype=np.float64) - self.mean_) / self.scale_


def fill_missing(x, value=0.0):
    """A float64 copy of x with every NaN replaced by value."""
    x = np.array(x, dtype=np.float64)
    x[np.isnan(x)] = value
    return x


def one_hot(values, vocabulary):
    """float32 one-hot rows over vocabulary; a value outside the vocabulary gives a row of zeros."""
    index = {v: i for i, v in enumerate(vocabulary)}
    out = np.zeros((len(values), len(vocabulary)), dtype=np.float32)
    for row, v in enumerate(values):
        if v in index:
            out[row, index[v]] = 1.0
    return out


def softmax(logits):
    """Softmax over the last axis, stable for large logits."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def predict_label(probs, threshold=0.5):
    """1 where the churn probability is at least threshold, else 0 (int64)."""
    return (np.asarray(probs) >= threshold).astype(np.int64)


def to_feature_matrix(records, feature_order=FEATURES):
    """Serving: request dicts to a float64 matrix with columns in feature_order; a missing key gives NaN."""
    rows = [[float(r.get(name, np.nan)) for name in feature_order] for r in records]
    return np.array(rows, dtype=np.float64).reshape(len(records), len(feature_order))


def split_indices(n, test_fraction=0.2, seed=0):
    """(train, test) index arrays, each sorted, from a permutation seeded by seed: the same for the same seed."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])
'''

CHURNKIT_DIR = tempfile.mkdtemp(prefix="churnkit-")
with open(os.path.join(CHURNKIT_DIR, "churnkit.py"), "w") as _f:
    _f.write(CHURNKIT_SOURCE)
if CHURNKIT_DIR not in sys.path:
    sys.path.insert(0, CHURNKIT_DIR)
import churnkit  # noqa: E402, F401


# %% [q1]
def directory_sha256(path: str) -> str:
    r"""The content hash of an artifact folder, independent of file order and timestamps.

    For every file under ``path`` in sorted order of its relative POSIX path ``rel`` (``os.walk``; folders alone add
    nothing): ``h.update(rel.encode("utf-8") + b"\0")`` then ``h.update(hashlib.sha256(file_bytes).digest())``, with
    ``h = hashlib.sha256()``. Returns ``h.hexdigest()``.
    """
    ### BEGIN SOLUTION
    files = []
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            files.append((os.path.relpath(full, path).replace(os.sep, "/"), full))
    h = hashlib.sha256()
    for rel, full in sorted(files):
        with open(full, "rb") as f:
            digest = hashlib.sha256(f.read()).digest()
        h.update(rel.encode("utf-8") + b"\0")
        h.update(digest)
    return h.hexdigest()
    ### END SOLUTION


class ModelRegistry:
    """A model registry with stages, on ML Metadata (SQLite).

    Store layout (the hidden tests open the database with ML Metadata and read it):

    - artifact type ``"ModelVersion"`` with properties ``model_name`` (STRING), ``version`` (INT), ``stage``
      (STRING) and ``sha256`` (STRING); ``uri`` is the artifact folder; every metric is a DOUBLE custom property;
    - execution type ``"StageTransition"`` with properties ``from_stage``, ``to_stage`` and ``reason`` (STRING), one
      execution per transition, stored with an INPUT and an OUTPUT event on the version's artifact.

    Stages are ``"None"`` (just registered), ``"Staging"``, ``"Production"`` and ``"Archived"``. Allowed:
    None -> Staging, Staging -> Production, Staging -> Archived, Production -> Archived, Archived -> Staging
    (an archived model goes back through staging, never straight to production). Anything else, an unknown stage,
    name or version raises ``ValueError`` and changes nothing. Promoting a version to Production first archives the
    current Production version of that name (a transition of its own, reason ``"replaced by version N"``), so at
    most one version is in Production.
    """

    ALLOWED = {"None": {"Staging"}, "Staging": {"Production", "Archived"}, "Production": {"Archived"},
               "Archived": {"Staging"}}

    def __init__(self, sqlite_path: str):
        ### BEGIN SOLUTION
        config = metadata_store_pb2.ConnectionConfig()
        config.sqlite.filename_uri = sqlite_path
        config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
        self.store = metadata_store.MetadataStore(config)
        version_type = metadata_store_pb2.ArtifactType(name="ModelVersion")
        for key, kind in (("model_name", metadata_store_pb2.STRING), ("version", metadata_store_pb2.INT),
                          ("stage", metadata_store_pb2.STRING), ("sha256", metadata_store_pb2.STRING)):
            version_type.properties[key] = kind
        self.version_type_id = self.store.put_artifact_type(version_type)
        transition_type = metadata_store_pb2.ExecutionType(name="StageTransition")
        for key in ("from_stage", "to_stage", "reason"):
            transition_type.properties[key] = metadata_store_pb2.STRING
        self.transition_type_id = self.store.put_execution_type(transition_type)
        ### END SOLUTION

    def _versions(self, name: str) -> list:
        """The ModelVersion artifacts of ``name``, sorted by version."""
        ### BEGIN SOLUTION
        found = [a for a in self.store.get_artifacts_by_type("ModelVersion")
                 if a.properties["model_name"].string_value == name]
        return sorted(found, key=lambda a: a.properties["version"].int_value)
        ### END SOLUTION

    def register(self, name: str, artifact_dir: str, metrics: dict) -> int:
        """Register a new version of ``name`` in stage ``"None"``.

        Versions count 1, 2, ... per name; the artifact stores the folder's ``directory_sha256`` and the metrics.
        Returns the version number.
        """
        ### BEGIN SOLUTION
        version = len(self._versions(name)) + 1
        artifact = metadata_store_pb2.Artifact(type_id=self.version_type_id, uri=artifact_dir,
                                               state=metadata_store_pb2.Artifact.LIVE)
        artifact.properties["model_name"].string_value = name
        artifact.properties["version"].int_value = version
        artifact.properties["stage"].string_value = "None"
        artifact.properties["sha256"].string_value = directory_sha256(artifact_dir)
        for key, value in metrics.items():
            artifact.custom_properties[key].double_value = float(value)
        self.store.put_artifacts([artifact])
        return version
        ### END SOLUTION

    def _record(self, artifact, stage: str, reason: str) -> None:
        """Move one artifact to ``stage`` and store the StageTransition execution with its two events."""
        ### BEGIN SOLUTION
        execution = metadata_store_pb2.Execution(type_id=self.transition_type_id,
                                                 last_known_state=metadata_store_pb2.Execution.COMPLETE)
        execution.properties["from_stage"].string_value = artifact.properties["stage"].string_value
        execution.properties["to_stage"].string_value = stage
        execution.properties["reason"].string_value = reason
        artifact.properties["stage"].string_value = stage
        self.store.put_artifacts([artifact])
        events = [(artifact, metadata_store_pb2.Event(type=kind)) for kind in
                  (metadata_store_pb2.Event.INPUT, metadata_store_pb2.Event.OUTPUT)]
        self.store.put_execution(execution, events, [])
        ### END SOLUTION

    def transition(self, name: str, version: int, stage: str, reason: str = "") -> None:
        """Move ``version`` of ``name`` to ``stage`` (see the class docstring for the rules)."""
        ### BEGIN SOLUTION
        versions = {a.properties["version"].int_value: a for a in self._versions(name)}
        if version not in versions:
            raise ValueError(f"{name} has no version {version}")
        artifact = versions[version]
        current = artifact.properties["stage"].string_value
        if stage not in self.ALLOWED.get(current, set()):
            raise ValueError(f"transition {current} -> {stage} is not allowed")
        if stage == "Production":
            for other in versions.values():
                if other.id != artifact.id and other.properties["stage"].string_value == "Production":
                    self._record(other, "Archived", f"replaced by version {version}")
        self._record(artifact, stage, reason)
        ### END SOLUTION

    def get(self, name: str, stage: str = "Production"):
        """The newest version of ``name`` in ``stage``.

        Returns ``{"version", "stage", "sha256", "uri", "metrics"}``, or ``None`` when no version is in that stage.
        """
        ### BEGIN SOLUTION
        for artifact in reversed(self._versions(name)):
            if artifact.properties["stage"].string_value == stage:
                return {"version": artifact.properties["version"].int_value, "stage": stage,
                        "sha256": artifact.properties["sha256"].string_value, "uri": artifact.uri,
                        "metrics": {k: v.double_value for k, v in artifact.custom_properties.items()}}
        return None
        ### END SOLUTION

    def verify(self, name: str, version: int) -> bool:
        """Whether the version's folder still has the content hash recorded at registration."""
        ### BEGIN SOLUTION
        for artifact in self._versions(name):
            if artifact.properties["version"].int_value == version:
                if not os.path.isdir(artifact.uri):
                    return False
                return directory_sha256(artifact.uri) == artifact.properties["sha256"].string_value
        raise ValueError(f"{name} has no version {version}")
        ### END SOLUTION


# %% [q2]
class RetrainTrigger:
    """When to retrain, from three rules.

    The rules are checked in this order on every ``update``:

    1. ``"drift"``: ``drift_threshold`` is set and ``drift_score > drift_threshold``;
    2. ``"volume"``: ``min_new_samples`` is set and the samples seen since the last retrain (this update's
       included) reach ``min_new_samples``;
    3. ``"schedule"``: ``every_s`` is set and ``clock() - last_retrain >= every_s``.

    The first rule that holds fires: ``update`` returns ``(True, reason)`` and the trigger resets (no samples pending,
    ``last_retrain = clock()``). Otherwise ``(False, "")``. ``last_retrain`` starts at ``clock()`` in ``__init__``,
    and ``clock`` is read once per ``update``.
    """

    def __init__(self, every_s=None, min_new_samples=None, drift_threshold=None, clock=time.monotonic):
        ### BEGIN SOLUTION
        self.every_s, self.min_new_samples, self.drift_threshold = every_s, min_new_samples, drift_threshold
        self.clock = clock
        self.last_retrain = clock()
        self.pending = 0
        ### END SOLUTION

    def update(self, n_new: int, drift_score: float = 0.0) -> tuple:
        ### BEGIN SOLUTION
        self.pending += int(n_new)
        now = self.clock()
        if self.drift_threshold is not None and drift_score > self.drift_threshold:
            reason = "drift"
        elif self.min_new_samples is not None and self.pending >= self.min_new_samples:
            reason = "volume"
        elif self.every_s is not None and now - self.last_retrain >= self.every_s:
            reason = "schedule"
        else:
            return False, ""
        self.pending = 0
        self.last_retrain = now
        return True, reason
        ### END SOLUTION


def drift_score(reference, window) -> float:
    """The largest two-sample Kolmogorov-Smirnov statistic over the columns of two 2-D arrays (same columns)."""
    ### BEGIN SOLUTION
    reference, window = np.asarray(reference), np.asarray(window)
    return float(max(scipy.stats.ks_2samp(reference[:, j], window[:, j]).statistic
                     for j in range(reference.shape[1])))
    ### END SOLUTION


class ReplayBuffer:
    """A uniform sample of every example ever added (reservoir sampling, Algorithm R) of at most ``capacity``.

    ``add(x, y)`` adds a batch row by row: the k-th example ever seen (k = 1, 2, ...) is appended while the buffer
    is not full, otherwise it replaces slot ``j = rng.integers(0, k)`` when ``j < capacity``
    (``rng = np.random.default_rng(seed)``). ``sample(n)`` draws ``min(n, len(self))`` stored examples without
    replacement; ``arrays()`` returns copies ``(x, y)`` of everything stored; ``len(buffer)`` the count.
    """

    def __init__(self, capacity: int, seed: int = 0):
        ### BEGIN SOLUTION
        self.capacity = int(capacity)
        self.rng = np.random.default_rng(seed)
        self.x, self.y = [], []
        self.seen = 0
        ### END SOLUTION

    def add(self, x, y) -> None:
        ### BEGIN SOLUTION
        for xi, yi in zip(np.asarray(x), np.asarray(y), strict=True):
            self.seen += 1
            if len(self.x) < self.capacity:
                self.x.append(xi.copy())
                self.y.append(yi.copy())
            else:
                j = int(self.rng.integers(0, self.seen))
                if j < self.capacity:
                    self.x[j], self.y[j] = xi.copy(), yi.copy()
        ### END SOLUTION

    def __len__(self) -> int:
        ### BEGIN SOLUTION
        return len(self.x)
        ### END SOLUTION

    def sample(self, n: int):
        ### BEGIN SOLUTION
        n = min(int(n), len(self.x))
        idx = self.rng.choice(len(self.x), size=n, replace=False)
        return np.stack([self.x[i] for i in idx]), np.stack([self.y[i] for i in idx])
        ### END SOLUTION

    def arrays(self):
        ### BEGIN SOLUTION
        return np.stack(self.x).copy(), np.stack(self.y).copy()
        ### END SOLUTION


def incremental_update(model, x_new, y_new, buffer, epochs: int = 20, replay_ratio: float = 0.5,
                       batch_size: int = 32, seed: int = 0):
    """Continue training ``model`` (compiled, never re-initialised) on new data mixed with replayed old data.

    Draw ``n_replay = round(len(x_new) * replay_ratio / (1 - replay_ratio))`` examples from ``buffer`` (fewer if
    it holds fewer), so that replayed examples are ``replay_ratio`` of the mix; shuffle the mix with
    ``np.random.default_rng(seed)``, ``model.fit`` it for ``epochs`` epochs (``batch_size``, ``verbose=0``), then add
    the new data to the buffer. Returns the same model object.
    """
    ### BEGIN SOLUTION
    x_new, y_new = np.asarray(x_new), np.asarray(y_new)
    n_replay = int(round(len(x_new) * replay_ratio / (1.0 - replay_ratio)))
    if n_replay > 0 and len(buffer) > 0:
        x_old, y_old = buffer.sample(n_replay)
        x_mix, y_mix = np.concatenate([x_new, x_old]), np.concatenate([y_new, y_old])
    else:
        x_mix, y_mix = x_new, y_new
    order = np.random.default_rng(seed).permutation(len(x_mix))
    model.fit(x_mix[order], y_mix[order], epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    buffer.add(x_new, y_new)
    return model
    ### END SOLUTION


# %% [q3]
def population_stability_index(reference, current, bins: int = 10) -> float:
    """PSI of a numeric feature, with bins at the reference's quantiles.

    ``edges = np.quantile(reference, np.linspace(0, 1, bins + 1))[1:-1]``; a value's bin is
    ``np.searchsorted(edges, value, side="right")`` (0 .. bins-1); ``p`` and ``q`` are the reference's and the
    current sample's bin shares, each clipped below at ``1e-4``; ``PSI = sum((q - p) * ln(q / p))``.
    """
    ### BEGIN SOLUTION
    reference, current = np.asarray(reference, dtype=np.float64), np.asarray(current, dtype=np.float64)
    edges = np.quantile(reference, np.linspace(0, 1, bins + 1))[1:-1]
    p = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins) / len(reference)
    q = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins) / len(current)
    p, q = np.clip(p, 1e-4, None), np.clip(q, 1e-4, None)
    return float(np.sum((q - p) * np.log(q / p)))
    ### END SOLUTION


def benjamini_hochberg(p_values) -> list:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1), in the input order."""
    ### BEGIN SOLUTION
    p = np.asarray(p_values, dtype=np.float64)
    m = len(p)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()
    ### END SOLUTION


def feature_drift(reference: dict, current: dict, categorical: list, alpha: float = 0.05) -> dict:
    """Drift tests per feature between a reference sample and a current window.

    ``reference`` and ``current`` map feature -> list of values. Per feature (every key of ``reference``):

    - numeric: ``{"test": "ks", "statistic", "p_value"}`` from ``scipy.stats.ks_2samp``, plus ``"wasserstein"``
      (``scipy.stats.wasserstein_distance``) and ``"psi"`` (``population_stability_index``);
    - categorical (named in ``categorical``): ``{"test": "chi2", "statistic", "p_value"}`` from
      ``scipy.stats.chi2_contingency(table, correction=False)`` on the 2 x K table of counts (reference row, then
      current row) over the sorted categories seen in either sample;

    then, over all features together, ``"p_adjusted"`` (``benjamini_hochberg``) and
    ``"drifted" = p_adjusted < alpha``. All numbers are Python floats, ``drifted`` a bool.
    """
    ### BEGIN SOLUTION
    out = {}
    for name, ref in reference.items():
        cur = current[name]
        if name in categorical:
            cats = sorted(set(ref) | set(cur))
            table = np.array([[list(ref).count(c) for c in cats], [list(cur).count(c) for c in cats]])
            res = scipy.stats.chi2_contingency(table, correction=False)
            out[name] = {"test": "chi2", "statistic": float(res.statistic), "p_value": float(res.pvalue)}
        else:
            res = scipy.stats.ks_2samp(ref, cur)
            out[name] = {"test": "ks", "statistic": float(res.statistic), "p_value": float(res.pvalue),
                         "wasserstein": float(scipy.stats.wasserstein_distance(ref, cur)),
                         "psi": population_stability_index(ref, cur)}
    names = list(out)
    adjusted = benjamini_hochberg([out[n]["p_value"] for n in names])
    for name, p_adj in zip(names, adjusted, strict=True):
        out[name]["p_adjusted"] = float(p_adj)
        out[name]["drifted"] = bool(p_adj < alpha)
    return out
    ### END SOLUTION


class DelayedLabelMonitor:
    """Prediction quality when labels arrive late.

    ``log_prediction(request_id, pred, ts)`` records a prediction (a request id seen before raises ``ValueError``).
    ``log_label(request_id, label, ts)`` attaches the true label; it returns ``False`` and changes nothing for an
    unknown request id or a request that already has a label (the first label wins), ``True`` otherwise.

    ``window_metrics(now, window_s)`` covers the predictions with ``now - window_s < ts <= now`` and counts only
    labels that had arrived by ``now`` (label ``ts <= now``): ``{"n_predictions", "n_labeled", "label_coverage"
    (n_labeled / n_predictions, 0.0 when there are none), "accuracy" (over the labeled ones, None when none),
    "mean_label_delay_s" (mean of label ts - prediction ts over the labeled ones, None when none)}``.
    """

    def __init__(self):
        ### BEGIN SOLUTION
        self.predictions = {}
        self.labels = {}
        ### END SOLUTION

    def log_prediction(self, request_id, pred, ts: float) -> None:
        ### BEGIN SOLUTION
        if request_id in self.predictions:
            raise ValueError(f"duplicate request id {request_id!r}")
        self.predictions[request_id] = (pred, float(ts))
        ### END SOLUTION

    def log_label(self, request_id, label, ts: float) -> bool:
        ### BEGIN SOLUTION
        if request_id not in self.predictions or request_id in self.labels:
            return False
        self.labels[request_id] = (label, float(ts))
        return True
        ### END SOLUTION

    def window_metrics(self, now: float, window_s: float) -> dict:
        ### BEGIN SOLUTION
        n_pred, correct, delays = 0, 0, []
        for request_id, (pred, ts) in self.predictions.items():
            if not now - window_s < ts <= now:
                continue
            n_pred += 1
            label = self.labels.get(request_id)
            if label is not None and label[1] <= now:
                correct += int(label[0] == pred)
                delays.append(label[1] - ts)
        n_lab = len(delays)
        return {"n_predictions": n_pred, "n_labeled": n_lab,
                "label_coverage": n_lab / n_pred if n_pred else 0.0,
                "accuracy": correct / n_lab if n_lab else None,
                "mean_label_delay_s": float(np.mean(delays)) if n_lab else None}
        ### END SOLUTION


# %% [q4]
def model_content_hash(saved_model_dir: str) -> str:
    r"""A SavedModel's identity: its variables and its signatures, not its raw bytes.

    ``h = hashlib.sha256()``. Variables: ``reader = tf.train.load_checkpoint(<dir>/variables/variables)``; for every
    key of ``reader.get_variable_to_dtype_map()`` in sorted order except ``"_CHECKPOINTABLE_OBJECT_GRAPH"``:
    ``a = np.ascontiguousarray(reader.get_tensor(key))``,
    ``h.update(f"{key}|{a.dtype.str}|{list(a.shape)}\n".encode())`` then ``h.update(a.tobytes())``. Then
    ``h.update(json.dumps(signature_of(saved_model_dir), sort_keys=True).encode())``. Returns ``h.hexdigest()``.
    """
    ### BEGIN SOLUTION
    reader = tf.train.load_checkpoint(os.path.join(saved_model_dir, "variables", "variables"))
    h = hashlib.sha256()
    for key in sorted(reader.get_variable_to_dtype_map()):
        if key == "_CHECKPOINTABLE_OBJECT_GRAPH":
            continue
        a = np.ascontiguousarray(reader.get_tensor(key))
        h.update(f"{key}|{a.dtype.str}|{list(a.shape)}\n".encode())
        h.update(a.tobytes())
    h.update(json.dumps(signature_of(saved_model_dir), sort_keys=True).encode())
    return h.hexdigest()
    ### END SOLUTION


def signature_of(saved_model_dir: str) -> dict:
    """The serving signatures read from ``saved_model.pb``, without loading the model.

    Parse the file into ``saved_model_pb2.SavedModel`` (from ``tensorflow.core.protobuf``) and return
    ``{signature_key: {"inputs": {name: [dtype, shape]}, "outputs": {name: [dtype, shape]}}}`` for the first meta
    graph, every key except ``"__saved_model_init_op"``,
    ``dtype`` the name as in ``tf.as_dtype(enum).name`` (``"float32"``) and ``shape`` a list with ``None`` for an
    unknown dimension (``None`` for the whole shape when the rank is unknown).
    """
    ### BEGIN SOLUTION
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel()
    with open(os.path.join(saved_model_dir, "saved_model.pb"), "rb") as f:
        saved.ParseFromString(f.read())
    out = {}
    for key, sig in saved.meta_graphs[0].signature_def.items():
        if key == "__saved_model_init_op":
            continue
        entry = {}
        for kind, tensors in (("inputs", sig.inputs), ("outputs", sig.outputs)):
            entry[kind] = {}
            for name, info in tensors.items():
                shape = None if info.tensor_shape.unknown_rank else [
                    None if d.size < 0 else int(d.size) for d in info.tensor_shape.dim]
                entry[kind][name] = [tf.as_dtype(info.dtype).name, shape]
        out[key] = entry
    return out
    ### END SOLUTION


def next_version(prev: str, old_signature: dict, new_signature: dict, weights_changed: bool) -> str:
    """Semantic version of a new model release, from ``"MAJOR.MINOR.PATCH"``.

    - MAJOR (``x+1.0.0``) for a breaking signature change: a signature key, an input or an output removed, an
      input added (old clients do not send it), or an existing input's or output's ``[dtype, shape]`` changed;
    - else MINOR (``x.y+1.0``) for a backward-compatible change: a new signature key or a new output, or new weights
      (``weights_changed``);
    - else PATCH (``x.y.z+1``): metadata only.

    Signatures are in ``signature_of``'s format. A malformed ``prev`` raises ``ValueError``.
    """
    ### BEGIN SOLUTION
    parts = prev.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a semantic version: {prev!r}")
    major, minor, patch = (int(p) for p in parts)
    breaking, compatible = False, bool(weights_changed)
    for key, old in old_signature.items():
        if key not in new_signature:
            breaking = True
            continue
        new = new_signature[key]
        if set(new["inputs"]) != set(old["inputs"]):
            breaking = True
        for kind in ("inputs", "outputs"):
            for name, spec in old[kind].items():
                if name not in new[kind] or list(new[kind][name]) != list(spec):
                    breaking = True
        if set(new["outputs"]) - set(old["outputs"]):
            compatible = True
    if set(new_signature) - set(old_signature):
        compatible = True
    if breaking:
        return f"{major + 1}.0.0"
    if compatible:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
    ### END SOLUTION


def dataset_fingerprint(paths: list) -> str:
    r"""An order-independent fingerprint of data files.

    The SHA-256 hex digest of the sorted per-file SHA-256 hex digests joined by ``"\n"``: the same files listed in
    any order, or renamed, give the same fingerprint.
    """
    ### BEGIN SOLUTION
    digests = []
    for path in paths:
        with open(path, "rb") as f:
            digests.append(hashlib.sha256(f.read()).hexdigest())
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()
    ### END SOLUTION


# %% [q5]
def churnkit_test_suite() -> str:
    """The source of a pytest module that tests ``churnkit`` (see ``CHURNKIT_SOURCE``).

    It is run with ``python -I -m pytest`` in a fresh interpreter, in a folder that holds ``churnkit.py`` and your
    module, first against the package as shipped (every test must pass, twice) and then against hidden faulty
    versions of it: the share of faulty versions your suite fails is your score. Import only ``churnkit``,
    ``numpy``, ``pytest``, ``math``, ``itertools``, ``functools`` and ``collections``; no files, no introspection
    (names starting with ``__``, ``open``, ``getattr``, ``eval``, ...): test what the package does.
    """
    ### BEGIN SOLUTION
    return '''
import math

import numpy as np
import pytest

import churnkit as ck


# unit tests
def test_sliding_windows_count_and_content():
    x = np.arange(10)
    w = ck.sliding_windows(x, 4)
    assert w.shape == (7, 4)
    assert w[0].tolist() == [0, 1, 2, 3] and w[-1].tolist() == [6, 7, 8, 9]
    w2 = ck.sliding_windows(x, 4, stride=3)
    assert [r[0] for r in w2] == [0, 3, 6]
    assert ck.sliding_windows(np.arange(3), 4).shape == (0, 4)
    with pytest.raises(ValueError):
        ck.sliding_windows(x, 0)


def test_windows_with_targets_use_the_next_value():
    x = np.arange(8) * 10
    y = np.arange(8)
    w, t = ck.windows_with_targets(x, y, 3)
    assert w.shape == (5, 3)
    assert t.tolist() == [3, 4, 5, 6, 7]
    assert w[1].tolist() == [10, 20, 30]


def test_scaler_fits_on_train_only():
    train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    s = ck.StandardScaler().fit(train)
    z = s.transform(train)
    assert np.allclose(z.mean(axis=0), 0.0)
    assert np.allclose(z[:, 0].std(), 1.0)
    assert np.all(np.isfinite(z)) and np.allclose(z[:, 1], 0.0)
    test = np.array([[7.0, 12.0]])
    out = s.transform(test)
    assert out.dtype == np.float64
    assert np.allclose(out, [[(7.0 - 3.0) / math.sqrt(8.0 / 3.0), 2.0]])


def test_scaler_keeps_fractions():
    s = ck.StandardScaler().fit(np.array([[0.0], [1.0], [2.0], [3.0]]))
    z = s.transform(np.array([[1.5]]))
    assert z[0, 0] == pytest.approx(0.0)
    z2 = s.transform(np.array([[2.0]]))
    assert 0.0 < z2[0, 0] < 1.0


def test_fill_missing_replaces_nan():
    out = ck.fill_missing(np.array([1.0, np.nan, 3.0]), value=-1.0)
    assert out.tolist() == [1.0, -1.0, 3.0]
    assert not np.isnan(out).any()


def test_one_hot_and_unknown_values():
    out = ck.one_hot(["b", "z", "a"], ["a", "b", "c"])
    assert out.dtype == np.float32
    assert out.tolist() == [[0, 1, 0], [0, 0, 0], [1, 0, 0]]


def test_softmax_rows_sum_to_one_and_stable():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0], [0.0, 0.0, 50.0]])
    p = ck.softmax(logits)
    assert np.allclose(p.sum(axis=-1), 1.0)
    assert np.allclose(p[1], 1 / 3)
    assert p[0].argmax() == 2 and p[2, 2] > 0.99


def test_predict_label_threshold():
    probs = np.array([0.1, 0.5, 0.49, 0.9])
    assert ck.predict_label(probs).tolist() == [0, 1, 0, 1]
    assert ck.predict_label(probs, threshold=0.95).tolist() == [0, 0, 0, 0]


# data-schema and serving tests
def test_feature_matrix_schema_and_order():
    records = [{"support_calls": 3, "tenure": 12, "monthly_charges": 70.5}, {"tenure": 1}]
    m = ck.to_feature_matrix(records)
    assert m.shape == (2, 3) and m.dtype == np.float64
    assert m[0].tolist() == [12.0, 70.5, 3.0]
    assert m[1, 0] == 1.0 and np.isnan(m[1, 1]) and np.isnan(m[1, 2])
    custom = ck.to_feature_matrix(records, feature_order=("support_calls", "tenure"))
    assert custom[0].tolist() == [3.0, 12.0]


def test_split_is_reproducible_and_disjoint():
    a_train, a_test = ck.split_indices(100, 0.2, seed=7)
    b_train, b_test = ck.split_indices(100, 0.2, seed=7)
    assert a_test.tolist() == b_test.tolist() and len(a_test) == 20
    assert sorted(a_train.tolist() + a_test.tolist()) == list(range(100))
    c_train, c_test = ck.split_indices(100, 0.2, seed=8)
    assert c_test.tolist() != a_test.tolist()


# CheckList-style behavioural tests on a toy scoring pipeline built from the package
def _score(records):
    x = ck.fill_missing(ck.to_feature_matrix(records))
    z = ck.StandardScaler().fit(np.array([[0.0, 20.0, 0.0], [60.0, 120.0, 10.0]])).transform(x)
    logits = np.stack([-z[:, 0] + z[:, 2], z[:, 0] - z[:, 2]], axis=-1)
    return ck.softmax(logits)[:, 0]


def test_invariance_to_key_order():
    a = _score([{"tenure": 5, "monthly_charges": 50, "support_calls": 2}])
    b = _score([{"support_calls": 2, "monthly_charges": 50, "tenure": 5}])
    assert np.allclose(a, b)


def test_directional_more_support_calls_more_churn():
    low = _score([{"tenure": 20, "monthly_charges": 50, "support_calls": 0}])
    high = _score([{"tenure": 20, "monthly_charges": 50, "support_calls": 8}])
    assert high[0] > low[0]


def test_minimum_functionality_obvious_cases():
    probs = _score([{"tenure": 1, "monthly_charges": 100, "support_calls": 9},
                    {"tenure": 60, "monthly_charges": 30, "support_calls": 0}])
    assert ck.predict_label(probs).tolist() == [1, 0]
    assert np.isfinite(_score([{"tenure": 3}])).all()
'''
    ### END SOLUTION


# %% [q6]
def latency_summary(samples_ms) -> dict:
    """Summary of latencies in ms.

    Returns ``{"count", "mean", "max", "p50", "p90", "p95", "p99"}``: percentiles by ``np.percentile`` (method
    ``"linear"``); floats except ``count``.
    """
    ### BEGIN SOLUTION
    a = np.asarray(samples_ms, dtype=np.float64)
    out = {"count": int(a.size), "mean": float(a.mean()), "max": float(a.max())}
    for q in (50, 90, 95, 99):
        out[f"p{q}"] = float(np.percentile(a, q))
    return out
    ### END SOLUTION


def windowed_throughput(event_ts, now: float, window_s: float) -> float:
    """Events per second over the window ``now - window_s < ts <= now``."""
    ### BEGIN SOLUTION
    ts = np.asarray(event_ts, dtype=np.float64)
    return float(np.count_nonzero((ts > now - window_s) & (ts <= now)) / window_s)
    ### END SOLUTION


def mcnemar_test(y, pred_a, pred_b, exact: bool = True) -> tuple:
    """McNemar's test of two classifiers on the same examples, as ``statsmodels``' ``mcnemar``.

    ``b`` = examples A gets right and B wrong, ``c`` = the reverse. Exact: statistic ``min(b, c)``, p-value the
    two-sided binomial test of ``b`` in ``b + c`` trials at 1/2 (1.0 when ``b + c == 0``). Otherwise the chi-square
    statistic with continuity correction ``(|b - c| - 1)^2 / (b + c)`` and its p-value with one degree of freedom.
    Returns ``(statistic, p_value)`` as floats.
    """
    ### BEGIN SOLUTION
    y, a, b_ = np.asarray(y), np.asarray(pred_a), np.asarray(pred_b)
    right_a, right_b = a == y, b_ == y
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    if exact:
        if b + c == 0:
            return float(min(b, c)), 1.0
        return float(min(b, c)), float(scipy.stats.binomtest(b, b + c, 0.5).pvalue)
    stat = (abs(b - c) - 1) ** 2 / (b + c)
    return float(stat), float(scipy.stats.chi2.sf(stat, 1))
    ### END SOLUTION


def paired_bootstrap(y, pred_a, pred_b, n_boot: int = 2000, seed: int = 0, alpha: float = 0.05) -> dict:
    """Paired bootstrap of the accuracy difference A - B.

    ``rng = np.random.default_rng(seed)``; ``idx = rng.integers(0, n, size=(n_boot, n))``: resample the same
    examples for both models; ``diffs = acc_a[idx] - acc_b[idx]`` row means (``acc_*`` the 0/1 correctness
    vectors). Returns ``{"diff": accuracy(A) - accuracy(B), "lo", "hi": np.percentile(diffs, [100 * alpha / 2,
    100 * (1 - alpha / 2)]), "p_value": min(1, 2 * min(mean(diffs <= 0), mean(diffs >= 0)))}``.
    """
    ### BEGIN SOLUTION
    y = np.asarray(y)
    right_a = (np.asarray(pred_a) == y).astype(np.float64)
    right_b = (np.asarray(pred_b) == y).astype(np.float64)
    n = len(y)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    diffs = right_a[idx].mean(axis=1) - right_b[idx].mean(axis=1)
    lo, hi = np.percentile(diffs, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    p = min(1.0, 2 * min(float(np.mean(diffs <= 0)), float(np.mean(diffs >= 0))))
    return {"diff": float(right_a.mean() - right_b.mean()), "lo": float(lo), "hi": float(hi), "p_value": p}
    ### END SOLUTION
