"""The ``student`` and ``reference`` fixtures: a worker that runs its cells, answers calls, restarts after a crash."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, replace

import numpy as np

from graders import sandbox, source_policy, wire
from graders.checks import CheckFailed
from graders.judge.worker_process import WorkerConfig, WorkerProcess

MAX_RESTARTS = 6  # workers started to get past cells that kill it, in one start
# Calls that killed the worker, per question: past it that question's calls fail at once. Each death costs a call
# timeout and a fresh worker (a TensorFlow import), so a question whose every call hangs costs a few of those, not one
# per test; a question that killed its worker three times has shown what it does.
MAX_DEATHS_PER_QUESTION = 3
RUN_CELLS_GRACE_S = 10.0
MAX_SCRATCH_FILES = 10_000
# Harness operations whose answer is a fact about the student's code (not a value the judge compares with the
# reference's): with a tampering tool in the submission, they and every probe are not believed.
SELF_REPORTED = frozenset({"calls_made", "traced_ops", "tracing_count", "is_tf_function", "type_info",
                           "isinstance_of"})


@dataclass(frozen=True)
class Cell:
    """A code cell to run in a worker; ``question`` is the question it belongs to, if any."""

    index: int
    source: str
    question: str | None = None


def encode_request(header: dict, args=(), kwargs=None) -> tuple[dict, list]:
    """A request's header with its arguments encoded for the wire, and the arrays that travel with it."""
    encoder = wire.Encoder()
    header = dict(header, args=encoder.encode(tuple(args)) if args else {"$l": []},
                  kwargs=encoder.encode(dict(kwargs or {})))
    return header, encoder.arrays


class StudentOutputs:
    """What the student's worker returned during one test, so that a reference call fed with it can be told apart.

    The reference never fails on the course's own inputs (the sweep grades the reference against every hidden test),
    so a reference call that fails on an argument the student's worker returned fails because of that argument: the
    test fails, not the grading. Objects are recognised by identity, and kept alive until the test ends so that an
    identity cannot be reused; only fresh objects count (arrays, containers, strings and bytes of two or more items),
    never small constants that Python shares.
    """

    def __init__(self):
        self._kept: dict[int, object] = {}

    def note(self, value) -> None:
        todo = [value]
        while todo and len(self._kept) < 100_000:
            item = todo.pop()
            if isinstance(item, (list, tuple, dict, np.ndarray)) or (isinstance(item, (str, bytes)) and len(item) > 1):
                self._kept[id(item)] = item
            if isinstance(item, (list, tuple)):
                todo.extend(item)
            elif isinstance(item, dict):
                todo.extend(item.values())

    def carries(self, args, kwargs) -> bool:
        """Whether any argument, or anything inside one, is an object the student's worker returned."""
        todo = [*args, *(kwargs or {}).values()]
        while todo:
            item = todo.pop()
            if id(item) in self._kept and self._kept[id(item)] is item:
                return True
            if isinstance(item, (list, tuple)):
                todo.extend(item)
            elif isinstance(item, dict):
                todo.extend(item.values())
            elif isinstance(item, wire.Tensor):
                todo.append(item.array)
        return False

    def clear(self) -> None:
        self._kept.clear()


class Remote:
    """A worker seen from a hidden test.

    The worker starts on first use and runs its cells. When a cell kills the worker (a crash, a timeout it ignores, a
    memory blow-up), that cell is recorded with its reason and skipped on the next start, so one bad cell costs only
    what depends on it. When a call kills the worker, the next call starts a fresh one.
    """

    def __init__(self, role: str, config: WorkerConfig, cells: list[Cell], *, cell_timeout: float,
                 call_timeout: float, scratch_mb: int = 0):
        self.role = role
        self.scratch_mb = scratch_mb
        self._scratch_parent = None
        if scratch_mb > 0:
            # The parent is private to the judge; the folder itself must be writable by the sandbox's uid.
            self._scratch_parent = tempfile.mkdtemp(prefix=f"tfgrade-{role}-")
            folder = os.path.join(self._scratch_parent, "scratch")
            os.mkdir(folder)
            os.chmod(folder, 0o777)
            config = replace(config, scratch=folder)
        self.config = config
        # One uid for every worker of this remote: a restarted worker must own what the previous one wrote.
        self._uid = sandbox.UidLease() if config.sandboxed else None
        self.cells = cells
        self.cell_timeout = cell_timeout
        self.call_timeout = call_timeout
        self.cell_results: dict[int, dict] = {}
        self.killed_by: dict[int, str] = {}
        self.restarts = 0
        self._process: WorkerProcess | None = None
        self._live_handles: set[int] = set()
        self._seed: int | None = None
        self.question: str | None = None  # the question of the test being run (set by the judge)
        self.course_cells: list[Cell] = []  # the reference's cells: the course's own code (set by the judge)
        self.tampering: list[source_policy.Hit] = []  # the source policy's findings (set by the judge)
        self.outputs: StudentOutputs | None = None  # what a student's worker returned in the current test
        self._deaths: dict[str | None, int] = {}

    # -- lifecycle --------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the worker and runs the cells, restarting past any cell that kills it."""
        attempts = 0
        while True:
            if attempts > MAX_RESTARTS:
                raise wire.WorkerDied(f"the {self.role} worker kept dying while running the notebook")
            if self._uid is not None:
                self._uid.clear()  # what a killed predecessor left must not count against this worker's limits
            process = WorkerProcess(self.config, self._uid)
            cells = [c for c in self.cells if c.index not in self.killed_by]
            current = None
            try:
                process.send({"op": "run_cells", "cell_timeout": self.cell_timeout, "timeout": 1e9,
                              "cells": [{"index": c.index, "source": c.source} for c in cells]})
                while True:
                    message = process.receive(self.cell_timeout + RUN_CELLS_GRACE_S)
                    event = message.get("event")
                    if event == "cell_start":
                        current = message.get("index")
                    elif event == "cell_end":
                        self.cell_results[current] = {k: message.get(k) for k in ("ok", "kind", "type", "message")}
                        if message.get("kind") in ("disk_limit", "process_limit"):  # the cell starved the sandbox
                            raise wire.ERRORS_BY_KIND[message["kind"]](str(message.get("message", ""))[:4000])
                        current = None
                    elif "ok" in message:
                        if current is not None:  # an answer in the middle of a cell: the cell forged it
                            raise wire.InvalidResult("a cell wrote its own message to the grading channel")
                        break
            except wire.RemoteError as error:
                process.kill(error.reason)
                if current is None:
                    raise
                self.killed_by[current] = error.reason
                self.cell_results[current] = {"ok": False, "kind": error.reason, "type": type(error).__name__,
                                              "message": str(error)}
                self.restarts += 1
                attempts += 1
                continue
            self._process = process
            self._live_handles.clear()
            return

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
        if self._scratch_parent is not None:
            shutil.rmtree(self._scratch_parent, ignore_errors=True)
        if self._uid is not None:
            self._uid.release()

    @property
    def scratch(self) -> str:
        """The scratch folder as the worker sees it; it survives worker restarts (set ``scratch_mb`` to have one)."""
        if self.config.scratch is None:
            raise RuntimeError("this assignment's budget has no scratch_mb")
        return sandbox.SCRATCH if self.config.sandboxed else self.config.scratch

    def scratch_exists(self, relative: str) -> bool:
        """Whether the worker has created ``relative`` in its scratch folder (the judge never opens it)."""
        root = os.path.realpath(self.config.scratch)
        path = os.path.realpath(os.path.join(root, relative))
        return path.startswith(root + os.sep) and os.path.lexists(path)

    def _watch_scratch(self):
        if self.config.scratch is None:
            return None
        total, count = 0, 0
        for folder, _dirs, files in os.walk(self.config.scratch):
            for name in files:
                count += 1
                try:
                    total += os.lstat(os.path.join(folder, name)).st_size
                except OSError:
                    pass
        if total > self.scratch_mb << 20 or count > MAX_SCRATCH_FILES:
            return wire.DiskLimit(f"the worker wrote {total >> 20} MB in {count} files to its scratch folder; the "
                                  f"limit is {self.scratch_mb} MB and {MAX_SCRATCH_FILES} files")
        return None

    def kill(self) -> None:
        """Kills the worker now, as a crash would; the next call starts a fresh one (the scratch folder stays)."""
        if self._process is not None:
            self._process.kill("killed_by_judge")

    def interrupt(self, name: str, *args, when, timeout: float | None = None, **kwargs) -> bool:
        """Calls ``name`` and kills the worker in the middle of it, once ``when()`` is true.

        A real interruption, for checking that work resumes from what was saved. Returns True when the worker was
        killed, False when the call finished first (its result is discarded; errors are raised as usual).

        Args:
            name: The notebook global to call.
            *args: Positional arguments of the call.
            when: A judge-side predicate, polled about ten times a second (``lambda: remote.scratch_exists(...)``).
            timeout: Seconds before giving up (default: the call budget).
            **kwargs: Keyword arguments of the call.
        """
        process = self._ensure_alive()
        self._apply_seed(process)
        encoder = wire.Encoder()
        header = {"op": "call", "name": name, "args": encoder.encode(tuple(args)),
                  "kwargs": encoder.encode(dict(kwargs)), "timeout": timeout or self.call_timeout}
        process.send(header, encoder.arrays)
        deadline = time.monotonic() + (timeout or self.call_timeout)
        while time.monotonic() < deadline:
            if when():
                process.kill("interrupted")
                return True
            if process.readable(0.1):
                self._checked(process.receive(self.call_timeout))
                return False
        process.kill("timeout")
        raise wire.CallTimeout(f"{name} neither finished nor reached the interruption point in time")

    @contextlib.contextmanager
    def frozen(self):
        """Every process of this worker's sandbox stopped for the duration (nothing to stop if none runs)."""
        if self._process is None or not self._process.alive:
            yield []
            return
        with self._process.frozen() as stopped:
            yield stopped

    def network_member(self) -> int | None:
        """A pid in the worker's network namespace (None: it shares the judge's); starts the worker if needed."""
        return self._ensure_alive().network_member()

    def root_pid(self) -> int:
        """The pid at the top of the worker's sandbox (every process the worker starts is below it)."""
        return self._ensure_alive().process.pid

    @property
    def started(self) -> bool:
        return self._process is not None

    def _ensure_alive(self) -> WorkerProcess:
        if self._process is None or not self._process.alive:
            if self._process is not None and self._process.dead_reason not in ("killed_by_judge", "interrupted"):
                self.restarts += 1
                deaths = self._deaths[self.question] = self._deaths.get(self.question, 0) + 1
                if deaths > MAX_DEATHS_PER_QUESTION:
                    # Each restart re-runs the notebook: a question whose calls keep killing the worker fails its
                    # remaining calls at once, and the next question starts with a fresh worker.
                    raise wire.WorkerDied(f"the worker died in {deaths - 1} calls of this question; not restarted")
            self.start()
        return self._process

    # -- calls ------------------------------------------------------------------------------------------------------

    def reseed(self, seed: int) -> None:
        """Seeds Python, NumPy and TensorFlow in the worker before the next call."""
        self._seed = seed

    def call(self, name: str, *args, **kwargs):
        """Calls the notebook's global ``name`` (``probes.x``: the assignment's probe ``x``)."""
        if name.startswith("probes."):
            self.require_untampered(name)
        return self._request({"op": "call", "name": name}, args, kwargs)

    def get(self, name: str, *, keep: bool = False):
        """The value of the notebook's global ``name``; ``keep=True`` returns a Handle even for plain data."""
        return self._request({"op": "get", "name": name, "keep": keep})

    def has(self, name: str) -> bool:
        """Whether the notebook defines ``name``."""
        return self._request({"op": "has", "name": name})

    def probe(self, name: str, *args, **kwargs):
        """Calls the assignment's worker-side probe ``name(ns, *args, **kwargs)``."""
        self.require_untampered(f"probe {name}")
        return self._request({"op": "probe", "name": name}, args, kwargs)

    def harness(self, name: str, *args, **kwargs):
        """Calls a generic worker-side operation of ``graders.worker.harness``."""
        if name in SELF_REPORTED:
            self.require_untampered(name)
        return self._request({"op": "harness", "name": name}, args, kwargs)

    def require_untampered(self, what: str) -> None:
        """Refuses a fact (a probe's answer, a timing) from a worker whose cells hold a tampering tool.

        Raises:
            CheckFailed: the submission names a tool of ``graders.source_policy.tampering``; the message lists them.
        """
        if self.tampering:
            listed = "; ".join(hit.message() for hit in self.tampering[:5])
            more = f" and {len(self.tampering) - 5} more" if len(self.tampering) > 5 else ""
            raise CheckFailed(
                f"this check reads a fact about your code ({what}), and your notebook uses tools that can forge such "
                f"facts: {listed}{more}. No solution needs them; remove them and submit again")

    def own_cells(self, question: str | None) -> list[Cell]:
        """The cells of ``question`` (all cells if None) that are not the course's own code."""
        course = {cell.source for cell in self.course_cells}
        return [c for c in self.cells if (question is None or c.question == question) and c.source not in course]

    def call_handle(self, handle: wire.Handle, method: str | None, args, kwargs):
        return self._request({"op": "call", "handle": self._handle_id(handle), "method": method}, args, kwargs)

    def getattr_handle(self, handle: wire.Handle, name: str, keep: bool = False):
        return self._request({"op": "getattr", "handle": self._handle_id(handle), "name": name, "keep": keep})

    def _handle_id(self, handle: wire.Handle) -> int:
        self._ensure_alive()  # a restart first, so handles from the worker that died are seen as stale
        if handle.remote is not self or handle.id not in self._live_handles:
            raise wire.WorkerDied("this object belonged to a worker that has since been restarted")
        return handle.id

    def _request(self, header: dict, args=(), kwargs=None):
        value = self._checked(self._exchange(header, args, kwargs))
        if self.outputs is not None:
            self.outputs.note(value)
        return value

    def _exchange(self, header: dict, args=(), kwargs=None) -> dict:
        """Sends one request to the live worker and returns its raw answer (``_checked`` reads it)."""
        for value in list(args) + list((kwargs or {}).values()):
            if isinstance(value, wire.Handle):
                self._handle_id(value)
        process = self._ensure_alive()
        self._apply_seed(process)
        header, arrays = encode_request(header, args, kwargs)
        return process.request(header, self.call_timeout, arrays, watch=self._watch_scratch)

    def _apply_seed(self, process: WorkerProcess) -> None:
        if self._seed is not None:
            self._checked(process.request({"op": "reseed", "seed": self._seed}, self.call_timeout))
            self._seed = None

    def _checked(self, response: dict):
        if response.get("ok") is True:
            try:
                return wire.Decoder(response["_arrays"], on_handle=self._bind_handle).decode(response.get("value"))
            except wire.WireError as exc:
                raise wire.InvalidResult(f"the result could not be read: {exc}") from None
        error = response.get("error")
        if type(error) is not dict:
            raise wire.InvalidResult("the worker sent a malformed answer")
        kind = wire.ERRORS_BY_KIND.get(error.get("kind"), wire.StudentException)
        if kind in (wire.CallTimeout, wire.MemoryLimit, wire.DiskLimit, wire.ProcessLimit):
            self._process.kill(kind.reason)  # its state after an interrupted call cannot be trusted
        exc_type = error.get("type")
        raise kind(str(error.get("message", ""))[:4000], exc_type if isinstance(exc_type, str) else None)

    def _bind_handle(self, handle_id: int, type_name: str) -> wire.Handle:
        self._live_handles.add(handle_id)
        return wire.Handle(handle_id, type_name, remote=self)
