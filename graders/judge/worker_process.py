"""One sandboxed worker process, seen from the judge: start, send a request, wait with a watchdog, kill."""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from graders import sandbox, wire

STARTUP_TIMEOUT_S = 120.0
KILL_GRACE_S = 5.0
SEND_TIMEOUT_S = 60.0
OUTPUT_TAIL_BYTES = 64 << 10

# bwrap's --die-with-parent is a parent-death signal, and Linux sends it when the *thread* that forked the sandbox
# ends. Every sandbox is therefore forked by this one long-lived thread, so workers started from a short-lived thread
# live on, and all of them still die with the judge.
_LAUNCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tfgrade-launcher")


@dataclass(frozen=True)
class WorkerConfig:
    """How to start a worker."""

    assignment: str
    sandboxed: bool = True
    limits: sandbox.Limits = sandbox.Limits()
    extra_env: tuple[tuple[str, str], ...] = ()
    scratch: str | None = None
    probes: str | None = None  # host path of the assignment's probe module, mounted read-only into the sandbox


class WorkerProcess:
    """A running worker. Every wait has a deadline; past it the whole sandbox is killed."""

    def __init__(self, config: WorkerConfig, uid: sandbox.UidLease | None = None):
        """Starts the worker.

        Args:
            config: How to start it.
            uid: A uid lease to run under; the caller keeps it across restarts so that files a dead worker left in
                the scratch folder stay writable for the next. Without one the process takes and frees its own.
        """
        self.config = config
        self.output_tail = bytearray()
        self._own_uid = uid is None and config.sandboxed
        self._uid = sandbox.UidLease() if self._own_uid else uid
        to_worker_r, self._to_worker = os.pipe()
        self._from_worker, from_worker_w = os.pipe()
        argv = [sys.executable, "-m", "graders.worker", "--in", str(to_worker_r), "--out", str(from_worker_w),
                "--assignment", config.assignment] + (["--watch-disk"] if config.sandboxed else [])
        if config.probes:
            argv += ["--probes", sandbox.PROBES if config.sandboxed else config.probes]
        extra = dict(config.extra_env)
        if config.sandboxed:
            if config.scratch:
                extra["TFGRADE_SCRATCH"] = sandbox.SCRATCH
            env = sandbox.worker_env(extra)
            argv = sandbox.command(argv, uid=self._uid.uid, limits=config.limits, env=env, scratch=config.scratch,
                                   probes=config.probes)
            launch_env = {}
        else:
            if config.scratch:
                extra["TFGRADE_SCRATCH"] = config.scratch
            launch_env = env = sandbox.unsandboxed_env(extra)
        self.process = _LAUNCHER.submit(
            subprocess.Popen, argv, env=launch_env if config.sandboxed else env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=(to_worker_r, from_worker_w),
            start_new_session=True, preexec_fn=lambda: sandbox.apply_limits(config.limits)).result()
        os.close(to_worker_r)
        os.close(from_worker_w)
        os.set_blocking(self._to_worker, False)  # writes go through a deadline (``send``)
        self._token: str | None = None
        self._drain = threading.Thread(target=self._drain_output, daemon=True)
        self._drain.start()
        self.dead_reason: str | None = None
        ready = self.receive(STARTUP_TIMEOUT_S)
        if ready.get("event") != "ready":
            self.kill("worker_died")
            raise wire.WorkerDied("the worker did not start")

    # -- output -----------------------------------------------------------------------------------------------------

    def _drain_output(self) -> None:
        """Keeps only the tail of whatever the sandbox prints, so a flood costs no memory."""
        stream = self.process.stdout
        while True:
            chunk = stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)
            if not chunk:
                return
            self.output_tail += chunk
            del self.output_tail[:-OUTPUT_TAIL_BYTES]

    # -- messages ---------------------------------------------------------------------------------------------------

    def send(self, header: dict, arrays=(), timeout: float = SEND_TIMEOUT_S) -> None:
        """Sends a request tagged with a fresh token; a worker that stops reading for ``timeout`` s is stopped.

        Every message the worker sends while serving it must carry the token: a frame the student's code forged on
        the protocol channel is told apart from the worker's answers (see ``receive``).
        """
        self._token = secrets.token_hex(16)
        deadline = time.monotonic() + timeout

        def write(fd, view):
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                _, ready, _ = select.select([], [fd], [], min(remaining, 0.5))
                if ready:
                    try:
                        return os.write(fd, view[:1 << 16])
                    except BlockingIOError:
                        continue

        try:
            wire.send_message(self._to_worker, dict(header, token=self._token), arrays, writer=write)
        except TimeoutError:
            self.kill("invalid_result")
            raise wire.InvalidResult("the worker stopped reading its requests; it was stopped") from None
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def readable(self, timeout: float) -> bool:
        """Whether the worker has started to answer within ``timeout`` seconds (nothing is read)."""
        ready, _, _ = select.select([self._from_worker], [], [], timeout)
        return bool(ready)

    def receive(self, timeout: float, watch=None) -> dict:
        """Reads one message; a deadline passing kills the sandbox and raises CallTimeout.

        Args:
            timeout: Seconds to wait for the whole message.
            watch: Called about twice a second while waiting; a RemoteError it returns kills the worker and is raised.
        """
        deadline = time.monotonic() + timeout

        def read(fd, size):
            while True:
                remaining = deadline - time.monotonic()
                ready, _, _ = select.select([fd], [], [], max(min(remaining, 0.5), 0))
                if ready:
                    return os.read(fd, size)
                if remaining <= 0:
                    raise TimeoutError
                problem = watch() if watch is not None else None
                if problem is not None:
                    self.kill(problem.reason)
                    raise problem

        try:
            header, arrays = wire.recv_message(self._from_worker, reader=read)
        except TimeoutError:
            self.kill("timeout")
            raise wire.CallTimeout(f"no answer within {timeout:g} s; the worker was stopped") from None
        except EOFError:
            raise self._died() from None
        except wire.WireError as exc:
            self.kill("invalid_result")
            raise wire.InvalidResult(f"the worker broke the protocol: {exc}") from None
        if self._token is not None and header.get("token") != self._token:
            self.kill("invalid_result")
            raise wire.InvalidResult("the worker sent a message that answers no request (a forged frame?); "
                                     "it was stopped")
        header["_arrays"] = arrays
        return header

    def request(self, header: dict, timeout: float, arrays=(), watch=None) -> dict:
        """Sends a request and waits for its answer (the worker's own soft timeout fires first)."""
        self.send(dict(header, timeout=timeout), arrays)
        return self.receive(timeout + KILL_GRACE_S, watch)

    # -- life and death ---------------------------------------------------------------------------------------------

    def _died(self) -> wire.RemoteError:
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.kill(self.dead_reason or "worker_died")
        if self.dead_reason == "memory_limit" or _looks_like_oom(bytes(self.output_tail[-4096:])):
            self.dead_reason = "memory_limit"
            return wire.MemoryLimit("the worker ran out of its memory budget and was stopped")
        code = self.process.returncode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return wire.WorkerDied(f"the worker process ended ({how})")

    @property
    def alive(self) -> bool:
        return self.dead_reason is None and self.process.poll() is None

    def kill(self, reason: str = "stopped") -> None:
        """Kills the whole sandbox: bwrap's PID namespace takes every process inside with it."""
        if self.dead_reason is None:
            self.dead_reason = reason
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self._to_worker = self._from_worker = -1
        if self._own_uid:
            self._uid.release()

    def close(self) -> None:
        self.kill("closed")

    def network_member(self) -> int | None:
        """A pid inside the sandbox's own network namespace, or None when the worker shares the judge's network.

        Unsandboxed workers share it; a sandboxed one gets its own (bwrap ``--unshare-net``), with loopback only.
        """
        own = os.readlink("/proc/self/ns/net")
        for pid in descendants(self.process.pid):
            try:
                if os.readlink(f"/proc/{pid}/ns/net") != own:
                    return pid
            except OSError:
                continue
        if self.config.sandboxed:
            raise wire.WorkerDied("the worker's sandbox has no process left in its network namespace")
        return None

    @contextlib.contextmanager
    def frozen(self):
        """Stops every process of the sandbox (SIGSTOP) for the duration, then lets them go on (SIGCONT).

        While the judge times a baseline in another worker, nothing the student's code left running (a busy thread, a
        forked child) can take the machine's cores from it. Processes forked while the freeze spreads are caught by
        walking the tree again until it holds still; every process of a sandbox descends from its bwrap process.
        """
        stopped: list[int] = []
        try:
            for _ in range(20):
                fresh = [pid for pid in descendants(self.process.pid) if pid not in stopped]
                if not fresh:
                    break
                for pid in fresh:
                    try:
                        os.kill(pid, signal.SIGSTOP)
                        stopped.append(pid)
                    except (ProcessLookupError, PermissionError):
                        pass
            _settle(stopped)
            yield stopped
        finally:
            for pid in reversed(stopped):
                try:
                    os.kill(pid, signal.SIGCONT)
                except (ProcessLookupError, PermissionError):
                    pass


def _settle(pids: list[int], limit_s: float = 2.0) -> None:
    """Waits until every thread of ``pids`` shows as stopped.

    SIGSTOP is delivered asynchronously: a thread that has not taken it yet still burns CPU in a timing's first ticks.
    """
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if all(_thread_states(pid) <= {"T", "t", "Z", "X"} for pid in pids):
            return
        time.sleep(0.002)


def _thread_states(pid: int) -> set[str]:
    states = set()
    for stat in Path(f"/proc/{pid}/task").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        states.add(text[text.rfind(")") + 2:].split()[0])
    return states


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from ``/proc`` (parents before children)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()  # the command name may hold spaces and parentheses
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _looks_like_oom(tail: bytes) -> bool:
    # Only used to name the reason of a death that already happened; it never changes a score.
    return any(marker in tail for marker in (b"std::bad_alloc", b"MemoryError", b"Cannot allocate memory",
                                            b"OOM when allocating"))
