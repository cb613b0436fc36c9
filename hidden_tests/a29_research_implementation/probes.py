"""Worker-side probes for A29, Research Implementation.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module (empty in the inspector). Probes hold no expected answers: they build the inputs the judge
sent (a clean minitfkit repository, a planted ablation task, a fake clock), call the namespace's functions and
return what happened as plain data.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# The clean minitfkit repository (the same files as MINITFKIT_FILES in the notebook's setup cell).
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


def _tmpdir() -> str:
    return tempfile.mkdtemp(dir=os.path.expanduser("~") if os.access(os.path.expanduser("~"), os.W_OK) else None)


def _git(repo: str, *args, check=True):
    env = {**os.environ, "HOME": repo, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory",
           "GIT_CONFIG_VALUE_0": "*", **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def import_statsmodels_power(ns) -> bool:
    """Import statsmodels' power module in the worker so that its functions can be named as forbidden calls."""
    import statsmodels.stats.power  # noqa: F401

    return True


def base_repo(folder: str | None = None, commit: bool = True) -> str:
    """Write the clean minitfkit tree into folder (new temporary one by default); commit it when asked."""
    folder = folder or tempfile.mkdtemp(prefix="minitfkit-", dir=_tmpdir())
    for rel, text in MINITFKIT_FILES.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    if commit:
        _git(folder, "init", "-q", "-b", "main")
        _git(folder, "add", "-A")
        _git(folder, "commit", "-q", "-m", "chore: initial import")
    return folder


# --------------------------------------------------------------------------------------------
# Q2


def _opt_vars(optimizer) -> list:
    variables = optimizer.variables
    variables = variables() if callable(variables) else variables
    return [np.asarray(v.numpy()) for v in variables]


def resume_scenario(ns, config: dict, n: int, k: int) -> dict:
    """Train n steps in one go, and k steps + save + restore in a fresh Trainer + n - k steps; return both states."""
    folder = _tmpdir()
    trainer = ns["Trainer"]
    a = trainer(config)
    losses_a = list(a.train(n))
    b = trainer(config)
    losses_b = list(b.train(k))
    b.save(os.path.join(folder, "ckpt"))
    del b
    c = trainer(config)
    c.restore(os.path.join(folder, "ckpt"))
    losses_c = list(c.train(n - k))
    return {"a_weights": [np.asarray(w) for w in a.model.get_weights()],
            "c_weights": [np.asarray(w) for w in c.model.get_weights()],
            "a_opt": _opt_vars(a.optimizer), "c_opt": _opt_vars(c.optimizer),
            "losses_a": [float(v) for v in losses_a], "losses_bc": [float(v) for v in losses_b + losses_c],
            "step_a": int(a.step), "step_c": int(c.step)}


def registry_behaviour(ns) -> dict:
    """Register, duplicate, build and unknown-name behaviour of a fresh Registry."""
    reg = ns["Registry"]()
    out = {}

    def factory(scale=1):
        return {"built": scale}

    returned = reg.register("thing", "a")(factory)
    out["decorator_returns_function"] = returned is factory
    try:
        reg.register("thing", "a")(factory)
        out["duplicate"] = "no error"
    except KeyError:
        out["duplicate"] = "KeyError"
    except Exception as exc:  # noqa: BLE001
        out["duplicate"] = type(exc).__name__
    reg.register("other", "a")(lambda: "other")
    reg.register("thing", "b")(lambda: "b")
    out["build"] = reg.build("thing", "a", scale=3)
    out["build_other"] = reg.build("other", "a")
    out["names"] = list(reg.names("thing"))
    try:
        reg.build("thing", "zzz")
        out["unknown"] = "no error"
    except KeyError:
        out["unknown"] = "KeyError"
    except Exception as exc:  # noqa: BLE001
        out["unknown"] = type(exc).__name__
    out["global_models"] = list(ns["REGISTRY"].names("model"))
    out["global_optimizers"] = list(ns["REGISTRY"].names("optimizer"))
    return out


def registry_build_mlp(ns, kwargs: dict) -> list:
    """Weights of REGISTRY.build("model", "mlp", **kwargs), twice, and of build_mlp(**kwargs)."""
    first = ns["REGISTRY"].build("model", "mlp", **kwargs)
    second = ns["REGISTRY"].build("model", "mlp", **kwargs)
    direct = ns["build_mlp"](**kwargs)
    return [[np.asarray(w) for w in m.get_weights()] for m in (first, second, direct)]


def mlp_forward(ns, kwargs: dict, x) -> dict:
    """Initial weights of build_mlp(**kwargs) and its output on x."""
    model = ns["build_mlp"](**kwargs)
    return {"weights": [np.asarray(w) for w in model.get_weights()], "output": np.asarray(model(x))}


def optimizer_config(ns, name: str, kwargs: dict) -> dict:
    """The config of the optimizer the registry builds (learning rate, momentum, class name)."""
    opt = ns["REGISTRY"].build("optimizer", name, **kwargs)
    cfg = opt.get_config()
    return {"class": type(opt).__name__, "learning_rate": float(cfg["learning_rate"]),
            "momentum": float(cfg.get("momentum", -1.0))}


# --------------------------------------------------------------------------------------------
# Q3


def planted_score(enabled, seed: int, effects: dict, noise_seed: int) -> float:
    """The planted task: a base score, each enabled component's effect, seed noise shared by all configurations
    (so pairing helps) and a small configuration-specific noise."""
    shared = np.random.default_rng([noise_seed, int(seed)]).normal(0.0, 0.03)
    key = hashlib.sha256(("|".join(sorted(enabled)) + f"#{seed}").encode()).digest()
    own = np.random.default_rng([noise_seed, int.from_bytes(key[:4], "little")]).normal(0.0, 0.004)
    return float(0.5 + sum(effects[c] for c in enabled) + shared + own)


def planted_ablation(ns, components: list, seeds: list, effects: dict, noise_seed: int) -> dict:
    calls = []

    def train_eval_fn(enabled, seed):
        enabled = list(enabled)
        calls.append([sorted(str(c) for c in enabled), int(seed)])
        return planted_score(enabled, seed, effects, noise_seed)

    rows = ns["ablation"](train_eval_fn, list(components), list(seeds))
    return {"rows": rows, "calls": calls}


# --------------------------------------------------------------------------------------------
# Q4


def bootstrap_many(ns, ys: list, preds: list, n_boot: int) -> list:
    return [list(ns["bootstrap_ci"](np.asarray(y), np.asarray(p), n_boot=n_boot, seed=k))
            for k, (y, p) in enumerate(zip(ys, preds, strict=True))]


def leaderboard_script(ns, labels, max_per_day: int, script: list) -> list:
    """Drive a Leaderboard with a fake clock: script items ["submit", t, team, predictions] or ["standings", t]."""
    now = [0.0]
    board = ns["Leaderboard"](np.asarray(labels), max_per_day=max_per_day, clock=lambda: now[0])
    out = []
    for item in script:
        now[0] = float(item[1])
        if item[0] == "submit":
            res = board.submit(item[2], np.asarray(item[3]))
            out.append(json.loads(json.dumps(res, default=lambda o: repr(o))))
        else:
            out.append(json.loads(json.dumps(board.standings(), default=lambda o: repr(o))))
    return out


# --------------------------------------------------------------------------------------------
# Q5


def contribution_patch(ns) -> str:
    """Call make_contribution on a clean committed copy of minitfkit; return the patch text it gives."""
    repo = base_repo()
    patch = ns["make_contribution"](repo)
    return patch if isinstance(patch, str) else repr(patch)


def _pytest(folder: str, targets: list) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder, "PYTHONHASHSEED": "0",
           "OMP_NUM_THREADS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    junit = os.path.join(tempfile.mkdtemp(dir=_tmpdir()), "junit.xml")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", folder,
           "--junitxml", junit, *targets]
    try:
        rc = subprocess.run(cmd, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            timeout=60).returncode
    except subprocess.TimeoutExpired:
        rc = -9
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if os.path.exists(junit):
        try:
            suite = ElementTree.parse(junit).getroot()
            suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
            counts = {key: int(suite.get(key, 0)) for key in counts}
        except (ElementTree.ParseError, AttributeError, ValueError):
            pass
    return dict(counts, rc=int(rc))


def _ruff(folder: str):
    ruff = shutil.which("ruff") or os.path.join(sys.prefix, "bin", "ruff")
    try:
        done = subprocess.run([ruff, "check", "--no-cache", "."], cwd=folder, capture_output=True, text=True,
                              timeout=60)
        return done.returncode, done.stdout[-2000:]
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, repr(exc)


def _encoding(folder: str, length: int, depth: int):
    script = ("import json, sys, numpy as np\n"
              "from minitfkit import sinusoidal_position_encoding as f\n"
              f"pe = f({int(length)}, {int(depth)})\n"
              "errs = []\n"
              "for args in [(4, 5), (4, 0), (-1, 4)]:\n"
              "    try:\n"
              "        f(*args)\n"
              "        errs.append('none')\n"
              "    except ValueError:\n"
              "        errs.append('ValueError')\n"
              "    except Exception as e:\n"
              "        errs.append(type(e).__name__)\n"
              "print(json.dumps({'dtype': str(pe.dtype), 'shape': list(pe.shape), 'values': pe.tolist(), "
              "'errors': errs}))\n")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder, "PYTHONDONTWRITEBYTECODE": "1",
           "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, "-c", script], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=60)
        value = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
        return value, done.stderr[-1500:]
    except (subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        return None, repr(exc)


def run_contribution(ns, patch: str, new_tests: list, length: int, depth: int) -> dict:
    """Apply the patch to a clean copy (git apply), run the suite, ruff and the new tests on the unpatched copy,
    and compute the encoding with the patched package in a fresh interpreter."""
    out = {}
    patched = base_repo()
    patch_file = os.path.join(_tmpdir(), "contribution.patch")
    with open(patch_file, "w") as f:
        f.write(patch)
    applied = _git(patched, "apply", patch_file, check=False)
    out["applied"] = applied.returncode == 0
    if not out["applied"]:
        return out
    base = base_repo(commit=False)
    for rel in new_tests:
        os.makedirs(os.path.dirname(os.path.join(base, rel)), exist_ok=True)
        shutil.copy(os.path.join(patched, rel), os.path.join(base, rel))
    with ThreadPoolExecutor(max_workers=4) as pool:
        suite = pool.submit(_pytest, patched, ["tests"])
        on_base = pool.submit(_pytest, base, list(new_tests)) if new_tests else None
        on_patched = pool.submit(_pytest, patched, list(new_tests)) if new_tests else None
        ruff = pool.submit(_ruff, patched)
        encoding = pool.submit(_encoding, patched, length, depth)
        out["suite"] = suite.result()
        out["new_tests_on_base"] = on_base.result() if on_base else None
        out["new_tests_on_patched"] = on_patched.result() if on_patched else None
        out["ruff_rc"], out["ruff_output"] = ruff.result()
        out["encoding"], out["encoding_error"] = encoding.result()
    return out
