"""Launching untrusted code under bubblewrap.

The sandbox has an empty environment, no network, its own PID/IPC/UTS namespaces, a read-only interpreter and
site-packages, size-capped tmpfs for HOME and /tmp, and no view of the repository beyond the engine's own package and
the one probe module of the assignment being graded (``hidden_tests/<id>/probes.py``, never the tests beside it).
Untrusted code runs as an unprivileged uid: when the launcher is root, bwrap drops every capability but the two
``setpriv`` needs to switch to a per-sandbox uid, so ``RLIMIT_NPROC`` counts that sandbox alone; otherwise bwrap makes
a user namespace and the code keeps the launcher's own uid.
"""

from __future__ import annotations

import fcntl
import os
import resource
import shutil
import signal
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

GRADERS_DIR = Path(__file__).resolve().parent
SANDBOX_ROOT = "/opt/tfgrade"
HOME = "/home/student"
SCRATCH = f"{HOME}/scratch"
PROBES = f"{SANDBOX_ROOT}/probes/probes.py"  # where the assignment's probe module is mounted, alone
UID_RANGE = range(61000, 62000)
_LOCK_DIR = Path("/tmp/tfgrade-uids")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create a sandbox on this machine."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox."""

    memory_mb: int = 4096
    cpu_s: int = 1800
    processes: int = 512
    file_mb: int = 256
    open_files: int = 1024
    home_mb: int = 512
    tmp_mb: int = 256
    shm_mb: int = 64


def bwrap_path() -> str:
    """The bubblewrap binary, or SandboxUnavailable with what to do about it."""
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed. Install the Debian package `bubblewrap` "
            "(`make setup` does it when run as root), or pass --no-sandbox to run untrusted code unprotected.")
    return path


class UidLease:
    """An unprivileged uid held for one sandbox's lifetime (a lock file per uid keeps two sandboxes apart)."""

    def __init__(self):
        self.uid, self._fd = None, None
        if os.geteuid() != 0:
            return
        _LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
        for uid in UID_RANGE:
            fd = os.open(_LOCK_DIR / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            return
        raise SandboxUnavailable("no free sandbox uid")

    def clear(self, timeout: float = 10.0) -> None:
        """Kills whatever still runs under this uid and waits for it to go.

        A killed sandbox's processes die asynchronously, and ``RLIMIT_NPROC`` counts them until they do: a worker
        started on the same uid at once (after a fork bomb, say) could not create a thread. The uid range belongs to
        the sandboxes alone and this one is leased to us, so nothing else is touched.
        """
        if self.uid is None:
            return
        deadline = time.monotonic() + timeout
        while True:
            pids = _pids_of_uid(self.uid)
            if not pids or time.monotonic() > deadline:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _pids_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _readonly_roots() -> list[str]:
    """Host folders the interpreter needs: the venv, the base installation, and nothing of the repository."""
    roots = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]}
    roots = sorted({os.path.realpath(p) for p in roots} | {p for p in roots})
    kept: list[str] = []
    for root in roots:
        if root.startswith("/usr/") or any(root == k or root.startswith(k + "/") for k in kept):
            continue
        kept.append(root)
    return kept


def _dirs_for(path: str, made: set[str]) -> list[str]:
    args = []
    parts = Path(path).parts[1:-1]
    for i in range(len(parts)):
        parent = "/" + "/".join(parts[: i + 1])
        if parent not in made and parent not in ("/usr", "/tmp", "/proc", "/dev"):
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args


def _check_readable_by_others(folder: Path) -> None:
    """The sandbox uid reads the engine through a mount; a private file there would break every worker."""
    for path in [folder, *folder.rglob("*.py")]:
        if not path.stat().st_mode & (0o005 if path.is_dir() else 0o004):
            raise SandboxUnavailable(f"{path} is not readable by other users, so the sandbox cannot load it; "
                                     f"run `chmod -R a+rX {folder}` (make setup does)")


def command(argv: list[str], *, uid: int | None, limits: Limits, env: dict[str, str],
            scratch: str | None = None, probes: str | None = None) -> list[str]:
    """The bwrap command line that runs ``argv`` in a fresh sandbox.

    Args:
        argv: The program to run inside.
        uid: The unprivileged uid to run as (launcher is root), or None to use a user namespace.
        limits: Resource limits (the tmpfs sizes are applied here; the rlimits by ``apply_limits``).
        env: The whole environment inside.
        scratch: A host folder to mount read-write at ``SCRATCH``; it outlives the sandbox, so a test can kill a
            worker and let the next one resume from what the first wrote.
        probes: The assignment's probe module on the host; that one file is mounted read-only at ``PROBES``.
    """
    if uid is not None:
        _check_readable_by_others(GRADERS_DIR)
        if probes:
            _check_readable_by_others(Path(probes))
    args = [bwrap_path(), "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv"]
    if uid is not None:
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        args += ["--unshare-user"]
    args += ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            args += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            args += ["--ro-bind", f"/{link}", f"/{link}"]
    for etc_file in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf"):
        if os.path.exists(etc_file):
            args += ["--ro-bind", etc_file, etc_file]
    # A private, size-capped /dev/shm: Python's multiprocessing locks (and so thread pools, and Beam's file sinks)
    # need one, and it must not be the host's.
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "01777", "--size", str(limits.shm_mb << 20), "--tmpfs", "/dev/shm",
             "--perms", "01777", "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp",
             "--perms", "01777", "--size", str(limits.home_mb << 20), "--tmpfs", HOME]
    made: set[str] = set()
    for root in _readonly_roots():
        args += _dirs_for(root, made) + ["--ro-bind", root, root]
    args += _dirs_for(f"{SANDBOX_ROOT}/graders", made) + ["--ro-bind", str(GRADERS_DIR), f"{SANDBOX_ROOT}/graders"]
    if probes:
        args += _dirs_for(PROBES, made) + ["--ro-bind", str(Path(probes).resolve()), PROBES]
    if scratch is not None:
        args += ["--bind", scratch, SCRATCH]
    args += ["--chdir", HOME]
    for key, value in env.items():
        args += ["--setenv", key, value]
    if uid is not None:
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs"]
    return args + list(argv)


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The whole environment a worker sees; nothing of the launcher's leaks in."""
    env = {
        "HOME": HOME, "USER": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "PYTHONPATH": SANDBOX_ROOT, "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg",
        "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "",
        "TMPDIR": "/tmp", "IPYTHONDIR": f"{HOME}/.ipython", "MPLCONFIGDIR": f"{HOME}/.mpl",
    }
    env.update(extra or {})
    return env


def unsandboxed_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for ``--no-sandbox`` runs: the same variables, with the real engine path."""
    env = worker_env(extra)
    env.update(PYTHONPATH=str(GRADERS_DIR.parent), HOME=os.environ.get("HOME", "/tmp"),
               IPYTHONDIR=os.path.join(os.environ.get("TMPDIR", "/tmp"), "tfgrade-ipython"))
    env.pop("MPLCONFIGDIR")
    return env


def apply_limits(limits: Limits) -> None:
    """Sets the rlimits of the current process (called between fork and exec of the sandbox)."""
    os.umask(0o022)
    memory = limits.memory_mb << 20
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, limits.cpu_s),
                         (resource.RLIMIT_FSIZE, limits.file_mb << 20), (resource.RLIMIT_NOFILE, limits.open_files),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(which, (value, value))
    if os.geteuid() != 0:
        # Without a private uid the process limit counts all of the launcher's processes; leave it room.
        running = sum(1 for p in os.listdir("/proc") if p.isdigit())
        resource.setrlimit(resource.RLIMIT_NPROC, (running + limits.processes,) * 2)
    else:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
