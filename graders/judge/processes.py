"""Which processes a worker's sandbox ran while a call was in flight, seen by the judge in ``/proc``.

A probe that reports "two worker processes trained" or "the variables live on the parameter server" repeats what the
student's code says about itself: one process can compute the right weights and return two copies. The kernel's view
cannot be written by the sandbox, so a hidden test that needs a real cluster watches the sandbox while the call runs:
a background thread samples the process tree below the worker every ``interval`` seconds and records, for each
process, the TCP ports it listens on (its socket inodes matched against the namespace's ``/proc/net/tcp``) and whether
it has TensorFlow's runtime mapped. A cluster shows as TensorFlow processes listening at the same time; what they then
computed is checked by values, as everywhere else.

Usage in a hidden test::

    with processes.watch(student) as seen:
        got = student.probe("multi_worker_run", ...)
    assert seen.most_concurrent_servers() >= 2
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field

from graders.judge.worker_process import descendants

TENSORFLOW_RUNTIME = "libtensorflow_framework"
TCP_LISTEN = "0A"


@dataclass
class Seen:
    """What the samples showed: per sample, the listening ports of each TensorFlow process of the sandbox."""

    samples: list[dict[int, frozenset[int]]] = field(default_factory=list)

    def most_concurrent_servers(self) -> int:
        """The most TensorFlow processes that listened on a TCP port at the same moment."""
        return max((len(sample) for sample in self.samples), default=0)

    def most_ports_in_one_process(self) -> int:
        """The most TCP ports one TensorFlow process listened on at the same moment."""
        return max((len(ports) for sample in self.samples for ports in sample.values()), default=0)

    def describe(self) -> str:
        """A line for a failure message: the busiest sample."""
        busiest = max(self.samples, key=len, default={})
        if not busiest:
            return f"{len(self.samples)} samples of the sandbox showed no TensorFlow process listening on a port"
        return ("at most " + ", ".join(f"pid {pid} listening on {sorted(ports)}" for pid, ports in busiest.items())
                + f" ({len(self.samples)} samples)")


def _ports_by_inode(pid: int) -> dict[str, int]:
    ports = {}
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == TCP_LISTEN:
                ports[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    return ports


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for name in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


def _runs_tensorflow(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/maps") as f:
            return TENSORFLOW_RUNTIME in f.read()
    except OSError:
        return False


def sample(root: int) -> dict[int, frozenset[int]]:
    """Each TensorFlow process at or below ``root`` that listens on TCP, with its ports."""
    servers = {}
    for pid in descendants(root):
        ports = _ports_by_inode(pid)
        if not ports:
            continue
        mine = frozenset(ports[inode] for inode in _socket_inodes(pid) if inode in ports)
        if mine and _runs_tensorflow(pid):
            servers[pid] = mine
    return servers


@contextlib.contextmanager
def watch(remote, interval: float = 0.05):
    """Sample the worker's sandbox while the block runs; yields a :class:`Seen` filled in as it goes."""
    root = remote.root_pid()
    seen = Seen()
    stop = threading.Event()

    def run():
        while not stop.is_set():
            seen.samples.append(sample(root))
            stop.wait(interval)

    sampler = threading.Thread(target=run, name="tfgrade-process-watch", daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        stop.set()
        sampler.join()
