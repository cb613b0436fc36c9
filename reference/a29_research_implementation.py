"""Reference solution for A29, Research Implementation.

The course text for this topic is prose only: it names no APIs and gives no numbers. Each subtopic is made gradable
with something the judge can recompute: the focal loss of Lin et al. (2017) written to its equations and trained
deterministically (Q1), a small research framework (registry, layered configuration, bitwise-exact resume, Q2),
power analysis, paired tests and Holm's correction checked against statsmodels and SciPy (Q3), leak-free benchmark
splits, fingerprints, bootstrap intervals, a rate-limited leaderboard and leakage detection (Q4), a patch to the
small git repository ``minitfkit`` that the course ships, applied with ``git apply`` to a clean copy and graded by
that repository's own tests (Q5), and the mechanical artefacts of a paper: a LaTeX table, a BibTeX file read with
bibtexparser and an anonymity check (Q6).

Community building, venue choice and peer review are not auto-gradable and are not graded.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import copy
import hashlib
import json
import math
import re
import subprocess
import tempfile
import time

import numpy as np
import scipy.stats
import tensorflow as tf

SEED = 0

# Q5: the small open-source project you contribute to. `make_base_repo(folder)` writes it and commits it with git.
MINITFKIT_FILES = {
    "pyproject.toml": '''[project]
name = "minitfkit"
version = "0.1.0"
description = "Small NumPy helpers for TensorFlow input pipelines"
license = {text = "Apache-2.0"}
requires-python = ">=3.9"
dependencies = ["numpy"]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "W", "I"]

[tool.pytest.ini_options]
testpaths = ["tests"]
''',
    "LICENSE": '''Apache License, Version 2.0, January 2004. http://www.apache.org/licenses/LICENSE-2.0
Copyright 2026 The minitfkit authors.
''',
    "README.md": '''# minitfkit

Small NumPy helpers for TensorFlow input pipelines: learning-rate schedules and, soon, position encodings.
''',
    "CONTRIBUTING.md": '''# Contributing to minitfkit

1. One change per commit. The subject line follows Conventional Commits: `type(scope): summary`, where type is one
   of feat, fix, docs, test, refactor, perf, chore, and scope is the module (e.g. `feat(encodings): ...`).
2. Every commit is signed off (Developer Certificate of Origin): the message ends with a
   `Signed-off-by: Name <email>` line (`git commit -s`).
3. Every new Python file starts with the line `# SPDX-License-Identifier: Apache-2.0`.
4. New public functions are exported in `minitfkit/__init__.py` (and listed in `__all__`).
5. Add an entry under `## [Unreleased]` in CHANGELOG.md.
6. Add tests under `tests/` that fail without your change and pass with it; keep `ruff check .` and
   `python -m pytest` clean. Do not edit existing tests.
7. Send the commit as a patch: `git format-patch -1 --stdout`.
''',
    "CHANGELOG.md": '''# Changelog

## [Unreleased]

## [0.1.0] - 2026-01-15

### Added
- `cosine_decay` learning-rate schedule.
''',
    "ISSUE_12.md": '''# Issue #12: add `sinusoidal_position_encoding`

Transformers need the fixed sinusoidal position encoding of "Attention Is All You Need" (Vaswani et al., 2017):

    PE[p, 2i]     = sin(p / base ** (2i / depth))
    PE[p, 2i + 1] = cos(p / base ** (2i / depth))

for positions p = 0 .. length - 1 and i = 0 .. depth / 2 - 1.

Add `sinusoidal_position_encoding(length, depth, base=10000.0)` in a new module `minitfkit/encodings.py`, returning
a float32 NumPy array of shape (length, depth). `depth` must be even and positive and `length` non-negative,
otherwise raise `ValueError`. Export it from the package, with tests and a changelog entry (see CONTRIBUTING.md).
''',
    "minitfkit/__init__.py": '''# SPDX-License-Identifier: Apache-2.0
"""minitfkit: small NumPy helpers for TensorFlow input pipelines."""

from minitfkit.schedules import cosine_decay

__all__ = ["cosine_decay"]
__version__ = "0.1.0"
''',
    "minitfkit/schedules.py": '''# SPDX-License-Identifier: Apache-2.0
"""Learning-rate schedules."""

import math


def cosine_decay(step, total_steps, base_lr, final_lr=0.0):
    """Cosine decay from base_lr at step 0 to final_lr at total_steps (constant afterwards)."""
    if total_steps <= 0:
        raise ValueError("total_steps must be positive")
    t = min(max(step, 0), total_steps) / total_steps
    return final_lr + 0.5 * (base_lr - final_lr) * (1.0 + math.cos(math.pi * t))
''',
    "tests/test_schedules.py": '''# SPDX-License-Identifier: Apache-2.0
import pytest

from minitfkit import cosine_decay


def test_cosine_decay_end_points():
    assert cosine_decay(0, 10, 1.0) == pytest.approx(1.0)
    assert cosine_decay(10, 10, 1.0) == pytest.approx(0.0)
    assert cosine_decay(5, 10, 1.0) == pytest.approx(0.5)


def test_cosine_decay_rejects_bad_total():
    with pytest.raises(ValueError):
        cosine_decay(0, 0, 1.0)
''',
}

GIT_ENV = {"GIT_AUTHOR_NAME": "minitfkit maintainers", "GIT_AUTHOR_EMAIL": "maintainers@minitfkit.invalid",
           "GIT_COMMITTER_NAME": "minitfkit maintainers", "GIT_COMMITTER_EMAIL": "maintainers@minitfkit.invalid",
           "GIT_AUTHOR_DATE": "2026-01-15T12:00:00+00:00", "GIT_COMMITTER_DATE": "2026-01-15T12:00:00+00:00",
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo_dir, *args, env=None):
    """Run ``git args`` in repo_dir and return its standard output (raises RuntimeError with git's message)."""
    full_env = {**os.environ, "HOME": repo_dir, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*", **(env or {})}
    done = subprocess.run(["git", *args], cwd=repo_dir, env=full_env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def make_base_repo(folder=None):
    """Write minitfkit into folder (a new temporary one by default) and commit it: the base of your contribution."""
    folder = folder or tempfile.mkdtemp(prefix="minitfkit-")
    for rel, text in MINITFKIT_FILES.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "chore: initial import", env=GIT_ENV)
    return folder


# %% [q1]
def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    """The focal loss of Lin et al. (2017), element-wise: FL(p_t) = -alpha_t * (1 - p_t) ** gamma * log(p_t).

    p = sigmoid(logits); p_t = p where y_true == 1, 1 - p where y_true == 0; alpha_t = alpha for positives and
    1 - alpha for negatives (alpha=None: alpha_t = 1). Computed from log-sigmoids so that it is finite (values and
    gradients) for logits of any size.

    Args:
        y_true: labels in {0, 1}, any shape.
        logits: float tensor of the same shape.
        alpha: the class-balance weight of the positives, or None.
        gamma: the focusing parameter (>= 0; gamma=0 gives alpha-weighted binary cross-entropy).

    Returns:
        A tensor of logits' shape and dtype: the loss of each element (no reduction).
    """
    ### BEGIN SOLUTION
    logits = tf.convert_to_tensor(logits)
    y = tf.cast(y_true, logits.dtype)
    log_p = -tf.nn.softplus(-logits)       # log sigmoid(z)
    log_q = -tf.nn.softplus(logits)        # log (1 - sigmoid(z))
    log_pt = y * log_p + (1.0 - y) * log_q
    log_one_minus_pt = y * log_q + (1.0 - y) * log_p
    modulator = tf.exp(gamma * log_one_minus_pt)
    if alpha is None:
        alpha_t = tf.ones_like(y)
    else:
        alpha_t = y * alpha + (1.0 - y) * (1.0 - alpha)
    return -alpha_t * modulator * log_pt
    ### END SOLUTION


def prior_bias_init(pi=0.01):
    """The paper's bias initialisation of the classifier: b = -log((1 - pi) / pi), so that sigmoid(b) = pi."""
    ### BEGIN SOLUTION
    return float(-math.log((1.0 - pi) / pi))
    ### END SOLUTION


def train_focal(x, y, seed, steps=100, batch_size=128, lr=0.05, alpha=0.25, gamma=2.0, pi=0.01):
    """Train a logistic-regression classifier with the focal loss, deterministically.

    Seed everything from `seed` (`tf.keras.utils.set_random_seed`, op determinism): the weights start at
    N(0, 0.01^2) drawn with that seed, the bias at `prior_bias_init(pi)`; each step takes a minibatch of
    `batch_size` rows drawn with a seeded generator and makes one Adam(lr) step on the mean focal loss.

    Returns:
        {"w": float32 array (d,), "b": float32 scalar array, "losses": list of the `steps` minibatch losses}.
        Two calls with the same seed must return bitwise-equal arrays; steps=0 returns the initial values.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    x = tf.constant(np.asarray(x, np.float32))
    y = tf.constant(np.asarray(y, np.float32))
    w = tf.Variable(tf.random.normal((x.shape[1],), stddev=0.01, seed=int(seed)))
    b = tf.Variable(prior_bias_init(pi), dtype=tf.float32)
    opt = tf.keras.optimizers.Adam(learning_rate=lr)
    gen = tf.random.Generator.from_seed(int(seed))

    @tf.function
    def step():
        idx = gen.uniform((batch_size,), 0, x.shape[0], dtype=tf.int64)
        xb, yb = tf.gather(x, idx), tf.gather(y, idx)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(focal_loss(yb, tf.linalg.matvec(xb, w) + b, alpha=alpha, gamma=gamma))
        grads = tape.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b], strict=True))
        return loss

    losses = [float(step()) for _ in range(int(steps))]
    return {"w": w.numpy(), "b": b.numpy(), "losses": losses}
    ### END SOLUTION


# %% [q2]
class Registry:
    """Named components by kind: `@REGISTRY.register("model", "mlp")` on a factory, `REGISTRY.build(kind, name, **kw)`.

    Registering a (kind, name) pair twice raises KeyError; building an unknown one raises KeyError naming it.
    """

    ### BEGIN SOLUTION
    def __init__(self):
        self._items = {}

    def register(self, kind, name):
        key = (kind, name)
        if key in self._items:
            raise KeyError(f"{kind}/{name} is already registered")

        def decorator(factory):
            self._items[key] = factory
            return factory

        return decorator

    def build(self, kind, name, **kwargs):
        if (kind, name) not in self._items:
            raise KeyError(f"no {kind} named {name!r}; known: {self.names(kind)}")
        return self._items[(kind, name)](**kwargs)

    def names(self, kind):
        return sorted(n for k, n in self._items if k == kind)
    ### END SOLUTION


REGISTRY = Registry()


@REGISTRY.register("model", "mlp")
def build_mlp(input_dim=4, hidden=16, outputs=1, seed=0):
    """A Dense(hidden, relu) -> Dense(outputs) model, built, with GlorotUniform(seed) / GlorotUniform(seed + 1)."""
    ### BEGIN SOLUTION
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(hidden, activation="relu",
                              kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed)),
        tf.keras.layers.Dense(outputs, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed + 1)),
    ])
    model.build((None, input_dim))
    return model
    ### END SOLUTION


@REGISTRY.register("optimizer", "adam")
def build_adam(lr=0.01):
    """tf.keras.optimizers.Adam(learning_rate=lr)."""
    ### BEGIN SOLUTION
    return tf.keras.optimizers.Adam(learning_rate=lr)
    ### END SOLUTION


@REGISTRY.register("optimizer", "sgd")
def build_sgd(lr=0.01, momentum=0.9):
    """tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)."""
    ### BEGIN SOLUTION
    return tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)
    ### END SOLUTION


_REF = re.compile(r"\$\{([^}]+)\}")


def resolve_config(base, *layers, overrides=()):
    """Merge configuration layers over `base`, apply dotted overrides, then resolve `${a.b}` interpolations.

    - Layers are merged in order, recursively for nested dicts (a later value wins). A key a layer or an override
      sets must exist in `base`: otherwise KeyError whose message contains its dotted path (e.g. "optimizer.lrr").
    - An override is "a.b.c=value"; value is parsed as JSON (`3`, `0.5`, `true`, `[1, 2]`, `"x"`, `null`) and kept
      as a plain string when it is not valid JSON.
    - A string that is exactly "${a.b}" becomes the (typed) value at a.b; "${a.b}" inside a longer string is
      replaced by str(value). References may chain; a cycle raises ValueError; a missing target raises KeyError.
    Inputs are not modified; the result is a new dict.
    """
    ### BEGIN SOLUTION
    def merge(dst, src, prefix):
        for key, value in src.items():
            path = f"{prefix}{key}"
            if key not in dst:
                raise KeyError(f"unknown configuration key {path}")
            if isinstance(value, dict) and isinstance(dst[key], dict):
                merge(dst[key], value, path + ".")
            else:
                dst[key] = copy.deepcopy(value)

    def lookup(cfg, path):
        node = cfg
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"unknown configuration key {path}")
            node = node[part]
        return node

    cfg = copy.deepcopy(base)
    for layer in layers:
        merge(cfg, layer, "")
    for item in overrides:
        path, _, text = item.partition("=")
        path = path.strip()
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        parts = path.split(".")
        parent = lookup(cfg, ".".join(parts[:-1])) if len(parts) > 1 else cfg
        if not isinstance(parent, dict) or parts[-1] not in parent:
            raise KeyError(f"unknown configuration key {path}")
        parent[parts[-1]] = value

    def resolve(value, stack):
        if isinstance(value, dict):
            return {k: resolve(v, stack) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, stack) for v in value]
        if not isinstance(value, str):
            return value
        whole = _REF.fullmatch(value)
        if whole:
            return follow(whole.group(1), stack)
        return _REF.sub(lambda m: str(follow(m.group(1), stack)), value)

    def follow(path, stack):
        if path in stack:
            raise ValueError(f"interpolation cycle: {' -> '.join(stack + [path])}")
        return resolve(lookup(cfg, path), stack + [path])

    return resolve(cfg, [])
    ### END SOLUTION


class Trainer:
    """A config-driven regression trainer whose runs can be checkpointed and resumed bitwise-exactly.

    config: {"model": {"name": ..., **kwargs}, "optimizer": {"name": ..., **kwargs},
             "data": {"n": int, "input_dim": int, "seed": int}, "train": {"batch_size": int, "seed": int}}.
    The model and optimizer come from REGISTRY (`self.model`, `self.optimizer`); the data is
    x ~ N(0, 1) of shape (n, input_dim) and y = sin(x @ (1, 2, ..., input_dim) / input_dim) drawn with
    np.random.default_rng(data.seed) (`rng.normal(size=(n, input_dim))`, float32); each step's minibatch indices
    are `gen.uniform((batch_size,), 0, n, dtype=tf.int64)` of a `tf.random.Generator.from_seed(train.seed)`; the
    loss is the mean squared error of the model's output (training=True) against y of shape (n, 1).
    `train(steps)` returns the step losses; `self.step` counts steps.
    `save(path)` writes everything a resume needs (weights, optimizer slots and iterations, generator state, step);
    `restore(path)` on a fresh Trainer of the same config continues exactly where the saved one stopped.
    """

    ### BEGIN SOLUTION
    def __init__(self, config):
        self.config = copy.deepcopy(config)
        model_cfg = dict(config["model"])
        opt_cfg = dict(config["optimizer"])
        data = config["data"]
        self.model = REGISTRY.build("model", model_cfg.pop("name"), input_dim=data["input_dim"], **model_cfg)
        self.optimizer = REGISTRY.build("optimizer", opt_cfg.pop("name"), **opt_cfg)
        self.optimizer.build(self.model.trainable_variables)
        rng = np.random.default_rng(data["seed"])
        x = rng.normal(size=(data["n"], data["input_dim"])).astype(np.float32)
        coef = np.arange(1, data["input_dim"] + 1, dtype=np.float32) / data["input_dim"]
        self.x = tf.constant(x)
        self.y = tf.constant(np.sin(x @ coef)[:, None].astype(np.float32))
        self.gen = tf.random.Generator.from_seed(config["train"]["seed"])
        self.step_var = tf.Variable(0, dtype=tf.int64)

    @property
    def step(self):
        return int(self.step_var.numpy())

    def _checkpoint(self):
        return tf.train.Checkpoint(model=self.model, optimizer=self.optimizer, gen=self.gen, step=self.step_var)

    def train(self, steps):
        losses = []
        bs = self.config["train"]["batch_size"]
        for _ in range(int(steps)):
            idx = self.gen.uniform((bs,), 0, int(self.x.shape[0]), dtype=tf.int64)
            xb, yb = tf.gather(self.x, idx), tf.gather(self.y, idx)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self.model(xb, training=True) - yb))
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
            self.step_var.assign_add(1)
            losses.append(float(loss))
        return losses

    def save(self, path):
        return self._checkpoint().write(path)

    def restore(self, path):
        self._checkpoint().read(path).assert_consumed()
    ### END SOLUTION


# %% [q3]
def required_n(effect_size, alpha=0.05, power=0.8, ratio=1.0):
    """Smallest group-1 size n1 (n2 = ratio * n1) at which a two-sided two-sample t-test reaches `power`.

    Power uses the noncentral t distribution (df = n1 + n2 - 2, noncentrality d * sqrt(n1 * n2 / (n1 + n2))).
    Solve for a real n1, then round up. Write it with scipy.stats (statsmodels' solve_power is what the grader uses).
    """
    ### BEGIN SOLUTION
    def power_at(n1):
        n2 = ratio * n1
        df = n1 + n2 - 2
        nc = effect_size * math.sqrt(n1 * n2 / (n1 + n2))
        crit = scipy.stats.t.ppf(1 - alpha / 2, df)
        return scipy.stats.nct.sf(crit, df, nc) + scipy.stats.nct.cdf(-crit, df, nc)

    high = 4.0
    while power_at(high) < power:
        high *= 2.0
    n1 = scipy.optimize.brentq(lambda n: power_at(n) - power, 2.0 + 1e-10, high, xtol=1e-10)
    return int(math.ceil(n1))
    ### END SOLUTION


def compare_paired(scores_a, scores_b, test="t"):
    """Paired comparison of two methods scored on the same seeds or datasets.

    test="t": the paired t-test; test="wilcoxon": the Wilcoxon signed-rank test (SciPy's defaults).
    Returns {"statistic": float, "pvalue": float, "mean_diff": mean(a - b)}.
    """
    ### BEGIN SOLUTION
    a = np.asarray(scores_a, np.float64)
    b = np.asarray(scores_b, np.float64)
    if test == "t":
        res = scipy.stats.ttest_rel(a, b)
    elif test == "wilcoxon":
        res = scipy.stats.wilcoxon(a, b)
    else:
        raise ValueError(f"unknown test {test!r}")
    return {"statistic": float(res.statistic), "pvalue": float(res.pvalue), "mean_diff": float(np.mean(a - b))}
    ### END SOLUTION


def holm(pvals, alpha=0.05):
    """Holm's step-down correction: {"reject": list[bool], "adjusted": list[float]} in the input order."""
    ### BEGIN SOLUTION
    p = np.asarray(pvals, np.float64)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted_sorted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return {"reject": [bool(v) for v in adjusted <= alpha], "adjusted": [float(v) for v in adjusted]}
    ### END SOLUTION


def ablation(train_eval_fn, components, seeds, alpha=0.05):
    """An ablation study: the full system and the system without each component, on every seed.

    `train_eval_fn(enabled: list[str], seed: int) -> float` (higher is better) is called exactly once per
    (configuration, seed). Returns rows (dicts): first {"config": "full", "mean", "sd"} then one per component
    {"config": "-name", "mean", "sd", "delta" (its mean minus the full mean), "pvalue" (paired t-test against the
    full system over the seeds), "significant" (Holm-corrected over the components at alpha)}, sorted by delta
    ascending (the most harmful removal first). sd uses ddof=1.
    """
    ### BEGIN SOLUTION
    components = list(components)
    seeds = list(seeds)
    full = np.array([train_eval_fn(list(components), s) for s in seeds], np.float64)
    rows = []
    for c in components:
        enabled = [k for k in components if k != c]
        scores = np.array([train_eval_fn(enabled, s) for s in seeds], np.float64)
        rows.append({"config": f"-{c}", "mean": float(scores.mean()), "sd": float(scores.std(ddof=1)),
                     "delta": float(scores.mean() - full.mean()),
                     "pvalue": float(scipy.stats.ttest_rel(scores, full).pvalue)})
    reject = holm([r["pvalue"] for r in rows], alpha)["reject"]
    for r, flag in zip(rows, reject, strict=True):
        r["significant"] = flag
    rows.sort(key=lambda r: r["delta"])
    return [{"config": "full", "mean": float(full.mean()), "sd": float(full.std(ddof=1))}] + rows
    ### END SOLUTION


# %% [q4]
def group_split(groups, test_fraction=0.2, salt="v1"):
    """Leak-free split by group: a row is in the test set when its group's hash falls below test_fraction.

    h = int(sha256((salt + str(group)).encode()).hexdigest()[:8], 16) / 2**32; test when h < test_fraction.
    Every row of a group lands on the same side, and a row keeps its side when rows are appended.
    Returns a bool array (True = test).
    """
    ### BEGIN SOLUTION
    cache = {}
    out = np.zeros(len(groups), dtype=bool)
    for i, g in enumerate(groups):
        key = str(g)
        if key not in cache:
            digest = hashlib.sha256((salt + key).encode()).hexdigest()
            cache[key] = int(digest[:8], 16) / 2**32 < test_fraction
        out[i] = cache[key]
    return out
    ### END SOLUTION


def temporal_split(times, cutoff, gap=0.0):
    """Train on the past, test on the future: (train_idx, test_idx), index arrays in ascending order.

    train = times < cutoff - gap and test = times >= cutoff (rows in the gap are dropped).
    """
    ### BEGIN SOLUTION
    t = np.asarray(times)
    return np.flatnonzero(t < cutoff - gap), np.flatnonzero(t >= cutoff)
    ### END SOLUTION


def fingerprint(x, y):
    """SHA-256 hex digest of a dataset: for x then y, the C-contiguous array's f"{dtype.str}{shape}" then its bytes."""
    ### BEGIN SOLUTION
    h = hashlib.sha256()
    for a in (x, y):
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()
    ### END SOLUTION


def bootstrap_ci(y_true, y_pred, n_boot=1000, level=0.95, seed=0):
    """Accuracy with a percentile-bootstrap confidence interval: (accuracy, low, high).

    Resample the rows with replacement n_boot times (np.random.default_rng(seed)), take the accuracy of each
    resample, and return the (1 - level) / 2 and (1 + level) / 2 quantiles.
    """
    ### BEGIN SOLUTION
    correct = (np.asarray(y_true) == np.asarray(y_pred)).astype(np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(correct), size=(n_boot, len(correct)))
    stats = correct[idx].mean(axis=1)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(correct.mean()), float(lo), float(hi)
    ### END SOLUTION


class Leaderboard:
    """A benchmark server's leaderboard over hidden test labels.

    `submit(team, predictions)` -> {"accepted": bool, "score": accuracy or None, "rank": 1-based rank or None}:
    at most `max_per_day` accepted submissions per team per day (day = int(clock() // 86400)); a refused one is
    not scored. `standings()` -> [[team, best score], ...] sorted by best score (descending), ties by who reached
    it first. Nothing returned ever contains the labels.
    """

    ### BEGIN SOLUTION
    def __init__(self, labels, max_per_day=3, clock=time.time):
        self._labels = np.asarray(labels)
        self.max_per_day = max_per_day
        self.clock = clock
        self._used = {}
        self._best = {}
        self._order = 0

    def submit(self, team, predictions):
        day = int(self.clock() // 86400)
        used = self._used.get((team, day), 0)
        if used >= self.max_per_day:
            return {"accepted": False, "score": None, "rank": None}
        self._used[(team, day)] = used + 1
        pred = np.asarray(predictions)
        if pred.shape != self._labels.shape:
            raise ValueError("predictions must have one entry per test example")
        score = float(np.mean(pred == self._labels))
        self._order += 1
        if team not in self._best or score > self._best[team][0]:
            self._best[team] = (score, self._order)
        rank = 1 + [t for t, _ in self.standings()].index(team)
        return {"accepted": True, "score": score, "rank": rank}

    def standings(self):
        items = sorted(self._best.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        return [[team, best[0]] for team, best in items]
    ### END SOLUTION


def detect_leakage(train_x, test_x, decimals=6):
    """Test rows that also occur in the training set, exactly or up to rounding.

    Returns every (train_index, test_index) pair whose rows are equal after np.round(..., decimals), sorted.
    Must not compare all pairs one by one (use hashing).
    """
    ### BEGIN SOLUTION
    a = np.round(np.asarray(train_x, np.float64), decimals) + 0.0
    b = np.round(np.asarray(test_x, np.float64), decimals) + 0.0
    index = {}
    for i, row in enumerate(a):
        index.setdefault(row.tobytes(), []).append(i)
    pairs = [(i, j) for j, row in enumerate(b) for i in index.get(row.tobytes(), [])]
    return sorted(pairs)
    ### END SOLUTION


# %% [q5]
def make_contribution(repo_dir):
    """Resolve minitfkit's issue #12 in the git repository at repo_dir (a clean copy of the base commit).

    Follow CONTRIBUTING.md: write the feature, its tests and the changelog entry, commit once (Conventional
    Commits subject, signed off), and return the patch: the text of `git format-patch -1 --stdout`.
    """
    ### BEGIN SOLUTION
    files = {
        "minitfkit/encodings.py": '''# SPDX-License-Identifier: Apache-2.0
"""Position encodings."""

import numpy as np


def sinusoidal_position_encoding(length, depth, base=10000.0):
    """Sinusoidal position encoding (Vaswani et al., 2017): float32, shape (length, depth).

    >>> sinusoidal_position_encoding(2, 4).shape
    (2, 4)
    """
    if depth <= 0 or depth % 2 or length < 0:
        raise ValueError("depth must be positive and even, length non-negative")
    positions = np.arange(length, dtype=np.float64)[:, None]
    rates = base ** (-np.arange(0, depth, 2, dtype=np.float64) / depth)
    angles = positions * rates[None, :]
    out = np.empty((length, depth), dtype=np.float64)
    out[:, 0::2] = np.sin(angles)
    out[:, 1::2] = np.cos(angles)
    return out.astype(np.float32)
''',
        "tests/test_encodings.py": '''# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest

from minitfkit import sinusoidal_position_encoding


def test_values_match_the_paper():
    pe = sinusoidal_position_encoding(5, 6)
    assert pe.shape == (5, 6) and pe.dtype == np.float32
    p, i = 3, 1
    angle = p / 10000.0 ** (2 * i / 6)
    assert pe[p, 2 * i] == pytest.approx(np.sin(angle), abs=1e-6)
    assert pe[p, 2 * i + 1] == pytest.approx(np.cos(angle), abs=1e-6)
    assert np.allclose(pe[0], np.tile([0.0, 1.0], 3))


def test_rejects_odd_depth():
    with pytest.raises(ValueError):
        sinusoidal_position_encoding(4, 5)
''',
    }
    for rel, text in files.items():
        with open(os.path.join(repo_dir, rel), "w") as f:
            f.write(text)
    init = os.path.join(repo_dir, "minitfkit", "__init__.py")
    with open(init) as f:
        source = f.read()
    source = source.replace("from minitfkit.schedules import cosine_decay\n",
                            "from minitfkit.encodings import sinusoidal_position_encoding\n"
                            "from minitfkit.schedules import cosine_decay\n")
    source = source.replace('__all__ = ["cosine_decay"]', '__all__ = ["cosine_decay", "sinusoidal_position_encoding"]')
    with open(init, "w") as f:
        f.write(source)
    changelog = os.path.join(repo_dir, "CHANGELOG.md")
    with open(changelog) as f:
        text = f.read()
    text = text.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n"
                        "- `sinusoidal_position_encoding` (issue #12).\n", 1)
    with open(changelog, "w") as f:
        f.write(text)
    env = {"GIT_AUTHOR_NAME": "A Student", "GIT_AUTHOR_EMAIL": "student@example.invalid",
           "GIT_COMMITTER_NAME": "A Student", "GIT_COMMITTER_EMAIL": "student@example.invalid"}
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "-q", "-s", "-m", "feat(encodings): add sinusoidal_position_encoding",
        "-m", "Closes #12.", env=env)
    return git(repo_dir, "format-patch", "-1", "--stdout")
    ### END SOLUTION


# %% [q6]
def latex_table(results, baseline, decimals=2, alpha=0.05):
    r"""A booktabs LaTeX table of mean ± sd over seeds (higher is better).

    results: {method: {dataset: [score per seed]}}; the methods in dict order, the datasets in the order of the
    first method. Layout, one item per line: "\begin{tabular}{l" + "c" * n_datasets + "}", "\toprule",
    "Method & d1 & d2 \\", "\midrule", one row per method "name & cell & cell \\", "\bottomrule",
    "\end{tabular}". A cell is "$m \pm s$" with `decimals` places (sd with ddof=1); the best mean of a column
    (at the displayed precision, ties all bold) is "$\mathbf{m \pm s}$"; "^{\dagger}" goes right before the
    closing "$" of a non-baseline cell whose paired t-test against the baseline on the same seeds is significant
    after Holm's correction over all non-baseline cells of the table.
    """
    ### BEGIN SOLUTION
    methods = list(results)
    datasets = list(results[methods[0]])
    tests = [(m, d) for m in methods if m != baseline for d in datasets]
    pvals = [scipy.stats.ttest_rel(results[m][d], results[baseline][d]).pvalue for m, d in tests]
    reject = dict(zip(tests, holm(pvals, alpha)["reject"], strict=True)) if tests else {}
    shown = {(m, d): (round(float(np.mean(results[m][d])), decimals),
                      round(float(np.std(results[m][d], ddof=1)), decimals)) for m in methods for d in datasets}
    lines = ["\\begin{tabular}{l" + "c" * len(datasets) + "}", "\\toprule",
             "Method & " + " & ".join(datasets) + " \\\\", "\\midrule"]
    for m in methods:
        cells = []
        for d in datasets:
            mean, sd = shown[(m, d)]
            body = f"{mean:.{decimals}f} \\pm {sd:.{decimals}f}"
            if mean == max(shown[(k, d)][0] for k in methods):
                body = f"\\mathbf{{{body}}}"
            if reject.get((m, d)):
                body += "^{\\dagger}"
            cells.append(f"${body}$")
        lines.append(f"{m} & " + " & ".join(cells) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"
    ### END SOLUTION


def make_bibtex(entries):
    """BibTeX text for a list of references.

    entries: [{"key", "type" ("article" | "inproceedings"), "title", "authors": [names], "year": int, "venue"}].
    One @type{key, ...} per entry with fields author (names joined by " and "),
    title (wrapped in an extra pair of braces to keep its capitals), year, and journal (article) or booktitle
    (inproceedings). LaTeX special characters in titles and venues (& % $ # _) are escaped with a backslash.
    """
    ### BEGIN SOLUTION
    def esc(text):
        return re.sub(r"([&%$#_])", r"\\\1", str(text))

    out = []
    for e in entries:
        venue_field = "journal" if e["type"] == "article" else "booktitle"
        out.append(f"@{e['type']}{{{e['key']},\n"
                   f"  author = {{{' and '.join(e['authors'])}}},\n"
                   f"  title = {{{{{esc(e['title'])}}}}},\n"
                   f"  {venue_field} = {{{esc(e['venue'])}}},\n"
                   f"  year = {{{int(e['year'])}}}\n}}\n")
    return "\n".join(out)
    ### END SOLUTION


def check_citations(tex, bib):
    r"""Cross-check a manuscript's citations with its bibliography.

    Keys are read from \cite, \citep, \citet (optional [..] arguments, several keys separated by commas);
    entries from the BibTeX text. Returns {"missing": sorted keys cited but not defined, "unused": sorted keys
    defined but never cited}.
    """
    ### BEGIN SOLUTION
    cited = set()
    for group in re.findall(r"\\cite[pt]?\*?(?:\[[^\]]*\]){0,2}\{([^}]*)\}", tex):
        cited.update(k.strip() for k in group.split(",") if k.strip())
    defined = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib))
    return {"missing": sorted(cited - defined), "unused": sorted(defined - cited)}
    ### END SOLUTION


def anonymity_issues(text, authors):
    """What would de-anonymise a double-blind submission: a sorted list of [kind, matched text] pairs.

    kinds: "author" (an author's full name or surname as a whole word, case-sensitive), "email"
    (name@domain.tld), "url" (http:// or https:// up to the next whitespace, or www. likewise; a trailing
    ".,;)" is not part of it), "self_citation" ("our previous work", "our prior work", "our earlier work",
    "our recent work", any case). An email's domain is not reported again as a URL.
    """
    ### BEGIN SOLUTION
    issues = []
    for m in re.finditer(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text):
        issues.append(["email", m.group(0)])
    for m in re.finditer(r"(?:https?://|www\.)\S+", text):
        issues.append(["url", m.group(0).rstrip(".,;)")])
    for name in authors:
        for candidate in {name, name.split()[-1]}:
            for m in re.finditer(r"(?<!\w)" + re.escape(candidate) + r"(?!\w)", text):
                issues.append(["author", m.group(0)])
    for m in re.finditer(r"\bour\s+(?:previous|prior|earlier|recent)\s+work\b", text, flags=re.IGNORECASE):
        issues.append(["self_citation", m.group(0)])
    return sorted(issues)
    ### END SOLUTION
