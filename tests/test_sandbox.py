"""The sandbox's promises, checked from inside it."""

import json
import os
import subprocess
import sys

import pytest

from graders import sandbox
from tests.conftest import ROOT, requires_bwrap

pytestmark = requires_bwrap
PROBED = "a01_tensorflow_fundamentals"  # whose probe module the sandbox gets

PROBE = r"""
import json, os, socket, resource
facts = {"uid": os.getuid(), "euid": os.geteuid(), "env": dict(os.environ)}
status = open("/proc/self/status").read()
facts["cap_eff"] = [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")][0]
facts["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
def readable(path):
    try:
        with open(path, "rb") as f:
            return len(f.read(64)) > 0
    except Exception:
        return False
facts["environ_of_pid1"] = readable("/proc/1/environ")
facts["sees"] = {p: os.path.exists(p) for p in PATHS}
def can_write(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return True
    except Exception:
        return False
facts["writes"] = {p: can_write(p) for p in ["/home/student/ok", "/tmp/ok", WRITE_PROBE, PROBES]}
facts["probes"] = {"readable": readable(PROBES), "beside": sorted(os.listdir(os.path.dirname(PROBES)))}
s = socket.socket()
s.settimeout(2)
facts["egress"] = s.connect_ex(("1.1.1.1", 80))
try:
    socket.getaddrinfo("pypi.org", 443)
    facts["dns"] = True
except OSError:
    facts["dns"] = False
facts["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
facts["as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
facts["fsize"] = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
print(json.dumps(facts))
"""


@pytest.fixture(scope="module")
def facts():
    secrets = [str(ROOT / "hidden_tests"), str(ROOT / "reference"), str(ROOT / "gradebook"), str(ROOT / ".git"),
               str(ROOT / "assignments")]
    code = (PROBE.replace("PATHS", repr(secrets)).replace("WRITE_PROBE", repr(f"{sys.prefix}/written"))
            .replace("PROBES", repr(sandbox.PROBES)))
    limits = sandbox.Limits(memory_mb=2048, processes=64)
    lease = sandbox.UidLease()
    argv = sandbox.command([sys.executable, "-c", code], uid=lease.uid, limits=limits, env=sandbox.worker_env(),
                           probes=str(ROOT / "hidden_tests" / PROBED / "probes.py"))
    os.environ["TFGRADE_SECRET_PROBE"] = "launcher-secret"
    try:
        proc = subprocess.run(argv, env={}, capture_output=True, text=True, timeout=60,
                              preexec_fn=lambda: sandbox.apply_limits(limits))
    finally:
        del os.environ["TFGRADE_SECRET_PROBE"]
        lease.release()
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_runs_as_an_unprivileged_uid_without_capabilities(facts):
    assert facts["uid"] != 0 and facts["euid"] != 0
    assert int(facts["cap_eff"], 16) == 0


def test_environment_is_only_what_the_worker_needs(facts):
    assert "TFGRADE_SECRET_PROBE" not in facts["env"]
    assert set(facts["env"]) <= set(sandbox.worker_env()) | {"PWD", "LC_CTYPE"}
    assert not facts["environ_of_pid1"], "the launcher's environment must not be readable through /proc"


def test_own_pid_namespace(facts):
    assert max(facts["pids"]) < 20


def test_no_view_of_the_course_repository(facts):
    assert not any(facts["sees"].values()), facts["sees"]


def test_only_the_probe_module_of_hidden_tests_is_mounted_and_read_only(facts):
    assert facts["probes"] == {"readable": True, "beside": ["probes.py"]}
    assert not facts["writes"][sandbox.PROBES]


def test_home_and_tmp_are_writable_and_the_interpreter_is_not(facts):
    assert facts["writes"]["/home/student/ok"] and facts["writes"]["/tmp/ok"]
    assert not facts["writes"][f"{sys.prefix}/written"]


def test_no_network(facts):
    assert facts["egress"] != 0
    assert facts["dns"] is False


def test_limits_are_set(facts):
    assert facts["as"] == 2048 << 20
    assert facts["fsize"] == sandbox.Limits().file_mb << 20
    assert 0 < facts["nproc"] < 10_000
