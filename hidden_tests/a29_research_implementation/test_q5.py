"""Hidden tests for A29 Q5: a patch to minitfkit, applied with git to a clean copy and graded by the project itself.

The judge applies the patch text with the git CLI to its own clean copy (plain file edits, nothing runs); the
patched project's code and tests run only in the inspector sandbox.
"""

import email
import importlib.util
import os
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.question("q5")

_spec = importlib.util.spec_from_file_location("a29_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)

_CACHE = {}
ALLOWED_NEW = re.compile(r"^(minitfkit/[A-Za-z_]+\.py|tests/test_[A-Za-z_]+\.py)$")
CONVENTIONAL = re.compile(r"^(feat|fix|docs|test|refactor|perf|chore)\([a-z_]+\)!?: \S.*$")


def _git(repo, *args):
    env = dict(os.environ, HOME=repo, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["/usr/bin/git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60)


def _judge_side(student):
    """The patch, its commit message and the files it changes, applied to a clean copy in the judge."""
    key = ("judge", id(student))
    if key not in _CACHE:
        patch = student.probe("contribution_patch")
        assert isinstance(patch, str) and patch.strip(), "make_contribution must return the patch text"
        repo = probes.base_repo(tempfile.mkdtemp(prefix="a29q5-"), commit=False)
        patch_file = os.path.join(tempfile.mkdtemp(prefix="a29q5p-"), "c.patch")
        with open(patch_file, "w") as f:
            f.write(patch)
        check = _git(repo, "apply", "--check", patch_file)
        numstat = _git(repo, "apply", "--numstat", "--summary", patch_file).stdout
        applied = check.returncode == 0 and _git(repo, "apply", patch_file).returncode == 0
        files = {}
        if applied:
            for root, _dirs, names in os.walk(repo):
                for name in names:
                    path = os.path.join(root, name)
                    if not os.path.islink(path):
                        files[os.path.relpath(path, repo)] = Path(path).read_text(errors="replace")
        _CACHE[key] = {"patch": patch, "applied": applied, "check_error": check.stderr[-500:], "numstat": numstat,
                       "files": files}
    return _CACHE[key]


def _changed(side):
    created, changed = [], []
    for line in side["numstat"].splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            changed.append(parts[2])
        elif line.strip().startswith("create mode"):
            created.append(line.split()[-1])
    return created, changed


def _sandbox_run(student, inspector, length=7, depth=10):
    key = ("run", id(student))
    if key not in _CACHE:
        side = _judge_side(student)
        assert side["applied"], "the patch does not apply to a clean copy of minitfkit with `git apply`"
        created, _ = _changed(side)
        new_tests = [p for p in created if p.startswith("tests/")]
        _CACHE[key] = (new_tests, inspector.probe("run_contribution", side["patch"], new_tests, length, depth))
    return _CACHE[key]


@pytest.mark.points(2)
def test_patch_applies_and_commit_message_follows_the_rules(student):
    side = _judge_side(student)
    assert side["applied"], "the patch does not apply to a clean copy of minitfkit with `git apply`"
    message = email.message_from_string(side["patch"])
    subject = re.sub(r"\s+", " ", str(message.get("Subject", ""))).strip()
    subject = re.sub(r"^\[PATCH[^\]]*\]\s*", "", subject)
    assert subject, "the patch has no Subject: send the output of `git format-patch -1 --stdout`"
    assert CONVENTIONAL.match(subject), "the commit subject does not follow Conventional Commits: type(scope): summary"
    body = str(message.get_payload()).split("\n---\n")[0]
    assert re.search(r"^Signed-off-by: .+ <[^>]+@[^>]+>$", body, flags=re.MULTILINE), (
        "the commit message must end with a Signed-off-by line (git commit -s)")


@pytest.mark.points(2)
def test_project_conventions(student):
    side = _judge_side(student)
    assert side["applied"], "the patch does not apply to a clean copy of minitfkit with `git apply`"
    created, changed = _changed(side)
    for path in changed:
        if path not in created:
            assert path in ("minitfkit/__init__.py", "CHANGELOG.md", "README.md"), (
                f"the patch changes {path}: keep to the feature, its tests, the export and the changelog")
    assert "minitfkit/encodings.py" in created, "the issue asks for a new module minitfkit/encodings.py"
    assert any(p.startswith("tests/test_") for p in created), "add a new test module under tests/"
    for path in created:
        assert ALLOWED_NEW.match(path), f"unexpected new file {path}"
        if path.endswith(".py"):
            first = side["files"][path].splitlines()[0] if side["files"][path] else ""
            assert first == "# SPDX-License-Identifier: Apache-2.0", f"{path} must start with the SPDX header"
    init = side["files"]["minitfkit/__init__.py"]
    assert re.search(r"^from minitfkit\.encodings import .*sinusoidal_position_encoding", init, flags=re.MULTILINE), (
        "export sinusoidal_position_encoding in minitfkit/__init__.py")
    assert re.search(r"__all__ = \[[^\]]*\"sinusoidal_position_encoding\"", init), "add it to __all__"
    changelog = side["files"]["CHANGELOG.md"]
    unreleased = changelog.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0]
    assert "sinusoidal_position_encoding" in unreleased, "add a CHANGELOG entry under ## [Unreleased]"
    assert "## [0.1.0] - 2026-01-15" in changelog, "do not rewrite released CHANGELOG sections"


@pytest.mark.points(2)
def test_project_suite_and_ruff_pass(student, inspector):
    _new, run = _sandbox_run(student, inspector)
    suite = run["suite"]
    assert suite["rc"] == 0 and suite["failures"] == 0 and suite["errors"] == 0, (
        f"the project's test suite fails after the patch ({suite['failures']} failures, {suite['errors']} errors)")
    assert suite["tests"] >= 4, "the suite after the patch must hold the 2 existing tests and at least 2 new ones"
    assert run["ruff_rc"] == 0, "`ruff check .` reports problems in the patched project: " + run["ruff_output"][:300]


@pytest.mark.points(2)
def test_new_tests_fail_before_and_pass_after(student, inspector):
    new_tests, run = _sandbox_run(student, inspector)
    assert new_tests, "the patch adds no test module"
    before, after = run["new_tests_on_base"], run["new_tests_on_patched"]
    assert after["rc"] == 0 and after["tests"] >= 2 and after["failures"] + after["errors"] == 0, (
        "your new tests must pass on the patched project (at least two of them)")
    assert before["rc"] != 0 and before["failures"] + before["errors"] > 0, (
        "your new tests also pass on the unpatched project: they do not test the feature")


@pytest.mark.points(2)
def test_encoding_values(student, inspector):
    _new, run = _sandbox_run(student, inspector)
    enc = run["encoding"]
    assert enc is not None, "importing minitfkit.sinusoidal_position_encoding in a fresh interpreter failed: " + (
        run["encoding_error"][-300:])
    assert enc["dtype"] == "float32" and enc["shape"] == [7, 10], (
        "the encoding must be float32 of shape (length, depth)")
    pos = np.arange(7)[:, None]
    angles = pos / 10000.0 ** (np.arange(0, 10, 2) / 10)
    want = np.empty((7, 10))
    want[:, 0::2], want[:, 1::2] = np.sin(angles), np.cos(angles)
    got = np.asarray(enc["values"], np.float64)
    assert np.allclose(got, want, atol=1e-6), f"{int((~np.isclose(got, want, atol=1e-6)).sum())} values are wrong"
    assert enc["errors"] == ["ValueError"] * 3, "odd or zero depth and negative length must raise ValueError"
