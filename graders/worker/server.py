"""The worker's request loop: cells first, then calls from the judge."""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import sys
import traceback

import numpy as np

from graders import wire
from graders.worker import harness
from graders.worker.objects import ObjectTable

MAX_MESSAGE_CHARS = 2000
# The sandbox's own tmpfs mounts: code that (nearly) fills one would make everything after it fail for want of space.
DISK_WATCHED = ("/tmp", "~", "/dev/shm")
DISK_FULL_SHARE = 0.9
# Left running after a cell or a call (a fork or thread bomb), these would starve every later question.
MAX_LEFT_PROCESSES = 64
MAX_LEFT_THREADS = 400


class _SoftTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so that a student's ``except Exception`` does not swallow it."""


def _on_alarm(signum, frame):
    raise _SoftTimeout()


class Worker:
    """Holds the notebook namespace and answers one request at a time."""

    def __init__(self, fd_in: int, fd_out: int, assignment: str, probes: str | None = None,
                 watch_disk: bool = False):
        self.fd_in, self.fd_out = fd_in, fd_out
        self.objects = ObjectTable()
        self.shell = _make_shell()
        self.ns = self.shell.user_ns
        self.assignment = assignment
        self.probes = _load_probes(probes)
        self.watch_disk = watch_disk
        self._token = None
        self.ops = {
            "run_cells": self.run_cells, "call": self.call, "get": self.get, "has": self.has,
            "getattr": self.getattr, "probe": self.probe, "harness": self.harness,
            "release": self.release, "reseed": self.reseed, "ping": lambda req: "pong",
        }

    # -- the loop -----------------------------------------------------------------------------------------------

    def serve_forever(self) -> None:
        send = self.send
        send({"event": "ready", "pid": os.getpid()})
        while True:
            try:
                header, arrays = wire.recv_message(self.fd_in)
            except EOFError:
                return
            op = self.ops.get(header.get("op"))
            if op is None:
                send({"ok": False, "error": {"kind": "invalid_result", "message": "unknown op"}})
                continue
            self.respond(op, header, arrays)

    def respond(self, op, header: dict, arrays) -> None:
        self._arrays = arrays
        self._token = header.get("token")  # echoed, so the judge can tell our answers from forged frames
        timeout = float(header.get("timeout", 60))
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.001))
        try:
            value = op(header)
            if header.get("keep"):
                value = self.objects.add(value)
            encoder = wire.Encoder(to_handle=self.objects.add, classify=harness.classify)
            tree = encoder.encode(value)
            signal.setitimer(signal.ITIMER_REAL, 0)
            if not self._over_limits():
                self.send({"ok": True, "value": tree}, encoder.arrays)
        except _SoftTimeout:
            self.fail("timeout", "TimeoutError", f"the call did not finish within {timeout:g} s")
        except BaseException as exc:  # the student's code may raise anything, SystemExit included
            signal.setitimer(signal.ITIMER_REAL, 0)
            if not self._over_limits():
                self.fail(*_classify_error(exc))

    def _over_limits(self) -> bool:
        """Answers ``disk_limit`` or ``process_limit`` when the sandbox is nearly out of disk, processes or threads.

        The judge then replaces this worker, so the rest of the notebook is graded on a clean one.
        """
        problem = over_limits() if self.watch_disk else None
        if problem:
            self.fail(problem[0], "OSError", problem[1])
        return problem is not None

    def send(self, header: dict, arrays=()) -> None:
        wire.send_message(self.fd_out, dict(header, token=self._token), arrays)

    def fail(self, kind: str, exc_type: str, message: str) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.send({"ok": False, "error": {"kind": kind, "type": exc_type, "message": message[:MAX_MESSAGE_CHARS]}})

    def decode(self, node):
        return wire.Decoder(self._arrays, on_handle=lambda i, _t: self.objects.get(i), on_tensor=harness.make_tensor,
                            on_dtype=harness.make_dtype, on_spec=harness.make_spec).decode(node)

    # -- operations -----------------------------------------------------------------------------------------------

    def run_cells(self, req: dict):
        """Runs cells in order; each reports its outcome as an event before the next starts."""
        per_cell = float(req.get("cell_timeout", 120))
        results = []
        for cell in req["cells"]:
            self.send({"event": "cell_start", "index": cell["index"]})
            signal.setitimer(signal.ITIMER_REAL, per_cell)
            try:
                outcome = self.shell.run_cell(cell["source"], store_history=True, silent=False)
                error = outcome.error_before_exec or outcome.error_in_exec
            except _SoftTimeout as exc:
                error = exc
            except BaseException as exc:  # a cell can raise SystemExit past IPython
                error = exc
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            entry = {"index": cell["index"], "ok": error is None}
            if error is not None:
                entry.update(zip(("kind", "type", "message"), _classify_error(error), strict=True))
                if isinstance(error, _SoftTimeout):
                    entry.update(kind="timeout", type="TimeoutError", message=f"the cell ran past {per_cell:g} s")
            problem = over_limits() if self.watch_disk else None
            if problem:
                entry.update(ok=False, kind=problem[0], type="OSError", message=problem[1])
            self.send({"event": "cell_end", **entry})
            results.append(entry)
        return results

    def call(self, req: dict):
        target = self._target(req)
        return target(*self.decode(req.get("args", {"$l": []})), **self.decode(req.get("kwargs", {"$d": {}})))

    def get(self, req: dict):
        return self._global(req["name"])

    def has(self, req: dict):
        return req["name"] in self.ns

    def getattr(self, req: dict):
        return getattr(self.objects.get(req["handle"]), req["name"])

    def probe(self, req: dict):
        name = req["name"]
        if self.probes is None or name.startswith("_") or not callable(getattr(self.probes, name, None)):
            raise LookupError(f"no probe named {name!r}")
        args = self.decode(req.get("args", {"$l": []}))
        return getattr(self.probes, name)(self.ns, *args, **self.decode(req.get("kwargs", {"$d": {}})))

    def harness(self, req: dict):
        func = harness.OPERATIONS.get(req["name"])
        if func is None:
            raise LookupError(f"no harness operation {req['name']!r}")
        args = self.decode(req.get("args", {"$l": []}))
        return func(self, *args, **self.decode(req.get("kwargs", {"$d": {}})))

    def release(self, req: dict):
        for handle_id in req.get("handles", []):
            self.objects.drop(handle_id)

    def reseed(self, req: dict):
        harness.reseed(int(req["seed"]))

    def resolve(self, target):
        """Turns a name or a decoded handle into the object it names (harness operations use this).

        ``"probes.name"`` names a function of the assignment's probe module, called with the namespace first: a
        named baseline (a Python-loop version, say) can then be timed and checked like the student's function.
        """
        if isinstance(target, str) and target.startswith("probes."):
            probe = getattr(self.probes, target.removeprefix("probes."), None)
            if probe is None or target.startswith("probes._"):
                raise LookupError(f"no probe named {target!r}")
            return lambda *args, **kwargs: probe(self.ns, *args, **kwargs)
        return self._global(target) if isinstance(target, str) else target

    def _target(self, req: dict):
        if "handle" in req:
            obj = self.objects.get(req["handle"])
            return getattr(obj, req["method"]) if req.get("method") else obj
        return self._global(req["name"])

    def _global(self, name: str):
        if name not in self.ns:
            raise _Missing(name)
        return self.ns[name]


class _Missing(Exception):
    def __init__(self, name: str):
        super().__init__(f"the notebook does not define `{name}`")


def _classify_error(exc: BaseException) -> tuple[str, str, str]:
    """Names an exception for the judge without ever calling the student's ``__str__`` unguarded."""
    if isinstance(exc, _Missing):
        return "missing_name", "NameError", str(exc)
    if isinstance(exc, _SoftTimeout):
        return "timeout", "TimeoutError", "the call ran past its time budget"
    if isinstance(exc, MemoryError):
        return "memory_limit", "MemoryError", "the worker ran out of its memory budget"
    if isinstance(exc, wire.WireError):
        return "invalid_result", "WireError", str(exc)
    exc_type = type(exc).__name__[:100]
    try:
        signal.setitimer(signal.ITIMER_REAL, 2.0)  # a __str__ that loops must not hang the worker
        text = str(exc)[:MAX_MESSAGE_CHARS]
        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:
        signal.setitimer(signal.ITIMER_REAL, 0)
        text = "<the exception's message could not be shown>"
    where = _student_frame(exc)
    return "exception", exc_type, f"{exc_type}: {text}{where}"


def _student_frame(exc: BaseException) -> str:
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/graders/" not in f.filename]
    except BaseException:
        return ""
    if not frames:
        return ""
    last = frames[-1]
    return f" (in {last.name}, line {last.lineno})"


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor", autocall=0)
    shell.showtraceback = _quiet_traceback(shell.showtraceback)
    return shell


def _quiet_traceback(original):
    def show(*args, **kwargs):
        try:
            original(*args, **kwargs)
        except BaseException:
            pass
    return show


PROBES_MODULE = "tfgrade_probes"


def _load_probes(path: str | None):
    """Imports the assignment's probe module from its file (``hidden_tests/<id>/probes.py``, mounted alone)."""
    if not path or not os.path.isfile(path):
        return None
    spec = importlib.util.spec_from_file_location(PROBES_MODULE, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[PROBES_MODULE] = module  # dataclasses and typing look a class's module up there
    spec.loader.exec_module(module)
    return module


def disk_overfull(folders=DISK_WATCHED) -> str | None:
    """Which of the sandbox's own size-capped file systems the code has (nearly) filled, if any."""
    for folder in folders:
        try:
            stats = os.statvfs(os.path.expanduser(folder))
        except OSError:
            continue
        blocks = 1 - stats.f_bavail / stats.f_blocks if stats.f_blocks else 0.0
        inodes = 1 - stats.f_favail / stats.f_files if stats.f_files else 0.0
        if max(blocks, inodes) > DISK_FULL_SHARE:
            return (f"{folder} is {100 * max(blocks, inodes):.0f}% full ({'inodes' if inodes > blocks else 'space'}); "
                    f"the worker was stopped so that the rest of the notebook is graded on a clean one")
    return None


def over_limits() -> tuple[str, str] | None:
    """``(kind, message)`` when the sandbox is (nearly) out of disk, processes or threads, else None."""
    full = disk_overfull()
    if full:
        return "disk_limit", full
    processes = sum(name.isdigit() for name in os.listdir("/proc"))  # the sandbox's own PID namespace
    threads = len(os.listdir("/proc/self/task"))
    if processes > MAX_LEFT_PROCESSES or threads > MAX_LEFT_THREADS:
        return "process_limit", (f"{processes} processes and {threads} threads of the worker were left running; the "
                                 f"worker was stopped so that the rest of the notebook is graded on a clean one")
    return None


def serve(fd_in: int, fd_out: int, assignment: str, probes: str | None = None, watch_disk: bool = False) -> None:
    """Starts the worker: warms up TensorFlow, then serves until the judge closes the channel."""
    # The protocol descriptors move out of the way of 0-2, which the student's code may close or redirect.
    fd_in, fd_out = os.dup(fd_in), os.dup(fd_out)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    np.seterr(all="ignore")
    harness.warm_up()
    Worker(fd_in, fd_out, assignment, probes=probes, watch_disk=watch_disk).serve_forever()
    sys.stdout.flush()
