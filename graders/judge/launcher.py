"""Starting judges: each a fresh pytest process, forked from a server that has already imported pytest and NumPy.

A judge is trusted code (the hidden tests and ``graders.judge``), so it may be forked from a warm process: the judge
server imports what every judge needs once, and each judge starts as a copy of it instead of paying those imports
again (about a third of a second of CPU per submission). Submissions never run here; they run in the sandboxed
workers each judge starts. The server and every judge die with the grading process: the server is started from one
long-lived thread with a parent-death signal, each judge gets one tied to the server, and the server ends when its
requests pipe closes.

Protocol, one JSON object per line. Requests: ``{"id", "argv", "cwd", "env", "output"}``. Replies: ``{"id", "pid"}``
once the judge is forked (or ``{"id", "error"}``), then ``{"id", "exit"}`` when it ends (a negative exit is the
signal that killed it).
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Imported by the server before it forks any judge: what every judge imports (pytest's own plugins included).
PRELOAD = ("numpy", "pytest", "pytest_timeout", "_pytest.python", "_pytest.runner", "_pytest.fixtures",
           "_pytest.terminal", "_pytest.main", "_pytest.capture", "_pytest.logging", "_pytest.skipping",
           "graders.judge.plugin", "graders.checks")
# Ground-truth libraries a hidden suite may import (seconds each): a judge's request names those its suite imports, and
# the server imports them while it has no request waiting, so later judges of that assignment start with them loaded
# and a grading that needs none of them (a batch of another assignment) never pays for them.
IDLE_PRELOADABLE = ("scipy", "sklearn", "statsmodels")
ENGINE_ROOT = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1
# Processes are started from one long-lived thread: a parent-death signal is tied to the thread that forked.
_LAUNCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tfgrade-judge-launcher")


def die_with_parent() -> None:
    """Asks the kernel to SIGKILL this process when the thread that started it ends."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class JudgeProcess:
    """One judge forked by the server: its pid, and its exit status once it ended."""

    def __init__(self, request_id: int):
        self.id = request_id
        self.pid: int | None = None
        self.returncode: int | None = None
        self.error: str | None = None
        self._forked = threading.Event()
        self._ended = threading.Event()

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status, or None if the judge still runs after ``timeout`` seconds."""
        self._ended.wait(timeout)
        return self.returncode

    def kill(self) -> None:
        self._forked.wait()
        if self.pid is not None and self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._ended.wait()

    def _reply(self, message: dict) -> None:
        if "pid" in message:
            self.pid = int(message["pid"])
        elif "exit" in message:
            self.returncode = int(message["exit"])
            self._ended.set()
        else:
            self.error = str(message.get("error", "the judge server failed"))
            self.returncode = -1
            self._ended.set()
        self._forked.set()


class JudgeServer:
    """The client side: starts the server process, sends it requests and routes its replies."""

    def __init__(self, env: dict[str, str]):
        self._lock = threading.Lock()
        self._pending: dict[int, JudgeProcess] = {}
        self._next_id = 0
        self.proc = _LAUNCHER.submit(
            subprocess.Popen, [sys.executable, "-m", "graders.judge.launcher"], env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, bufsize=1,
            preexec_fn=die_with_parent).result()
        self.owner = os.getpid()
        threading.Thread(target=self._read_replies, daemon=True, name="tfgrade-judge-server").start()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None and self.owner == os.getpid()

    def start(self, argv: list[str], cwd: str, env: dict[str, str], output: str,
              preload: tuple[str, ...] = ()) -> JudgeProcess:
        """Forks a judge running ``pytest argv`` in ``cwd`` with exactly ``env``; its output goes to ``output``.

        ``preload``: modules the judge will import, for the server to import while idle (``IDLE_PRELOADABLE`` only).
        """
        with self._lock:
            self._next_id += 1
            judge = JudgeProcess(self._next_id)
            self._pending[judge.id] = judge
            request = {"id": judge.id, "argv": argv, "cwd": cwd, "env": env, "output": output,
                       "preload": [m for m in preload if m.split(".")[0] in IDLE_PRELOADABLE]}
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
            except OSError as exc:
                self._pending.pop(judge.id)
                judge._reply({"error": f"the judge server is gone: {exc}"})
        return judge

    def _read_replies(self) -> None:
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
                judge = self._pending.get(int(message["id"]))
            except (ValueError, KeyError, TypeError):
                continue
            if judge is not None:
                if "pid" not in message:
                    self._pending.pop(judge.id, None)
                judge._reply(message)
        with self._lock:  # the server died: nothing pending will get an answer
            for judge in self._pending.values():
                judge._reply({"error": "the judge server ended"})
            self._pending.clear()


_SERVER: JudgeServer | None = None
_SERVER_LOCK = threading.Lock()


def environ_snapshot() -> dict[str, str]:
    """A copy of ``os.environ`` that survives other threads changing it meanwhile.

    pytest sets and deletes ``PYTEST_CURRENT_TEST`` from the thread that runs a test while sweep threads start
    judges; iterating ``os.environ`` then raises ``KeyError`` or ``RuntimeError``, so the copy is retried.
    """
    for _ in range(20):
        try:
            return dict(os.environ)
        except (KeyError, RuntimeError):
            continue
    return dict(os.environ)


def judge_env() -> dict[str, str]:
    """A judge's environment: this process's, without pytest's or TensorFlow's settings, with the engine importable."""
    env = {k: v for k, v in environ_snapshot().items() if not k.startswith(("PYTEST_", "TF_"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugins the judge's ini names: each costs start-up time
    env["PYTHONPATH"] = os.pathsep.join([str(ENGINE_ROOT), env.get("PYTHONPATH", "")])
    return env


def warm_up() -> JudgeServer:
    """The judge server of this process, started now if it is not running.

    A batch calls this before its own start-up work, so that the server's imports overlap it.
    """
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None or not _SERVER.alive:
            _SERVER = JudgeServer(judge_env())
        return _SERVER


def server_pid() -> int | None:
    """The pid of this process's judge server while it runs (it lives as long as this process)."""
    server = _SERVER
    return server.proc.pid if server is not None and server.alive else None


def start_judge(argv: list[str], cwd: str, output: str, preload: tuple[str, ...] = ()) -> JudgeProcess:
    """Forks a judge running ``pytest argv`` in ``cwd`` with ``judge_env()``; its output goes to ``output``."""
    return warm_up().start(argv, cwd, judge_env(), output, preload)


# -- the server -------------------------------------------------------------------------------------------------


def serve() -> None:
    """Reads requests on stdin, forks a judge for each, reports each judge's pid and exit on stdout."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    requests = sys.stdin.buffer
    running: dict[int, int] = {}  # pid -> request id
    buffered = b""
    idle_imports: list[str] = []
    named: set[str] = set()
    while True:
        ready, _, _ = select.select([requests, wake_r], [], [], 0 if idle_imports else None)
        if not ready:
            try:
                importlib.import_module(idle_imports.pop(0))
            except ImportError:
                pass  # a judge that needs it reports the error itself
            continue
        if wake_r in ready:
            os.read(wake_r, 4096)
        _reap(running)
        if requests in ready:
            chunk = os.read(requests.fileno(), 1 << 16)
            if not chunk:
                return  # the grading process is gone; its judges die with this process
            buffered += chunk
            *lines, buffered = buffered.split(b"\n")
            for line in lines:
                request = json.loads(line)
                _fork_judge(request, running, (wake_r, wake_w))
                for module in request.get("preload", ()):
                    if module.split(".")[0] in IDLE_PRELOADABLE and module not in named:
                        named.add(module)
                        idle_imports.append(module)


def _reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _reap(running: dict[int, int]) -> None:
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        request_id = running.pop(pid, None)
        if request_id is not None:
            _reply({"id": request_id, "exit": os.waitstatus_to_exitcode(status)})


def _fork_judge(request: dict, running: dict[int, int], own_fds: tuple[int, int]) -> None:
    try:
        output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except (OSError, KeyError) as exc:
        _reply({"id": request.get("id"), "error": f"cannot open the judge's output: {exc}"})
        return
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            die_with_parent()
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in own_fds:
                os.close(fd)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            import pytest

            code = int(pytest.main(list(request["argv"])))
        except BaseException:  # noqa: BLE001 -- the judge's own failure: report it in its output, exit non-zero
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(output)
    running[pid] = request["id"]
    _reply({"id": request["id"], "pid": pid})


if __name__ == "__main__":
    serve()
