"""Remote workers: handles, restarts, a judge's real mid-call kill, and the scratch folder that outlives it."""

import time

import numpy as np
import pytest

from graders import wire
from graders.judge.remote import Cell, Remote
from graders.judge.worker_process import WorkerConfig
from tests.conftest import requires_bwrap

pytestmark = requires_bwrap

CELLS = [Cell(0, '''
import os, time

def count_up(folder, steps):
    os.makedirs(folder, exist_ok=True)
    done = len(os.listdir(folder))
    for step in range(done, steps):
        with open(os.path.join(folder, f"step{step:03d}"), "w") as f:
            f.write("x")
        time.sleep(0.2)
    return len(os.listdir(folder))

def fill(folder, megabytes):
    os.makedirs(folder, exist_ok=True)
    for i in range(megabytes):
        with open(os.path.join(folder, f"blob{i}"), "wb") as f:
            f.write(b"0" * (1 << 20))
        time.sleep(0.05)
    time.sleep(5)

class Box:
    def __init__(self):
        self.items = []

def leave_busy_work():
    import subprocess, threading
    threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()
    subprocess.Popen(["python3", "-c", "while True: pass"])
    return True

import tensorflow as tf
from tensorflow.python.ops import nn_ops as hidden_alias

@tf.function
def compiled_softmax(x):
    return hidden_alias.softmax_v2(x)
''')]


@pytest.fixture
def remote():
    worker = Remote("student", WorkerConfig(assignment="a00_mini"), CELLS, cell_timeout=30, call_timeout=30,
                    scratch_mb=4)
    yield worker
    worker.close()


def test_interrupt_kills_mid_call_and_the_scratch_folder_survives(remote):
    folder = f"{remote.scratch}/run"
    other = Remote("reference", WorkerConfig(assignment="a00_mini"), CELLS, cell_timeout=30, call_timeout=30)
    other.start()  # holds a uid while ours restarts: the fresh worker must still own the folder it resumes in
    assert remote.interrupt("count_up", folder, 30, when=lambda: remote.scratch_exists("run/step003")) is True
    assert remote.restarts == 0
    assert remote.call("count_up", folder, 6) == 6, "the fresh worker resumes from what the killed one wrote"
    other.close()


def test_scratch_folder_is_size_capped(remote):
    with pytest.raises(wire.DiskLimit, match="limit is 4 MB"):
        remote.call("fill", f"{remote.scratch}/big", 8)
    assert remote.call("count_up", f"{remote.scratch}/after", 1) == 1


def test_handles_die_with_their_worker(remote):
    box = remote.call("Box")
    assert box.attr("items") == []
    remote.kill()
    with pytest.raises(wire.WorkerDied, match="restarted"):
        box.attr("items")
    assert remote.call("Box").attr("items") == []


def test_scratch_exists_never_leaves_the_folder(remote):
    assert remote.scratch_exists("../../etc/passwd") is False


def test_forbidden_calls_are_seen_through_aliases_and_already_traced_functions(remote):
    x = wire.Tensor(np.ones((2, 3), np.float32))
    remote.call("compiled_softmax", x)  # traced now: a later call runs the graph, not Python
    used = remote.harness("calls_made", "compiled_softmax", [x], ["tf.nn.softmax", "tf.math.reduce_sum"])
    assert used == ["tf.nn.softmax"]
    assert remote.harness("calls_made", "count_up", [f"{remote.scratch}/x", 1], ["tf.nn.softmax"]) == []


def test_student_outputs_are_recognised_inside_reference_arguments_and_forgotten_per_test():
    from graders.judge.remote import StudentOutputs
    from graders.wire import Tensor

    outputs = StudentOutputs()
    # as decoded from the wire: fresh objects, not the constants of this module
    returned = {"hexes": ["".join(["00", "ff"]), "".join(["ab", "cd"])], "embedding": np.zeros(3, np.float32)}
    outputs.note(returned)
    assert outputs.carries((returned["hexes"], 3), {})
    assert outputs.carries((), {"x": Tensor(returned["embedding"])})
    assert outputs.carries(([returned["hexes"][1]],), {})  # one item of what was returned, in a new list
    assert not outputs.carries((["00ff"], 1, True, "a"), {})  # equal values of the judge's own are not the student's
    outputs.clear()
    assert not outputs.carries((returned["hexes"],), {})


def _cpu_ticks(pids) -> int:
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _states(pids) -> set[str]:
    states = set()
    for pid in pids:
        try:
            states.add(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0])
        except OSError:
            pass
    return states


def test_a_frozen_sandbox_uses_no_cpu_while_another_worker_is_timed(remote):
    assert remote.call("leave_busy_work") is True
    time.sleep(0.5)
    with remote.frozen() as stopped:
        assert len(stopped) >= 3  # bwrap, the worker, its busy child (the busy thread stops with its process)
        before = _cpu_ticks(stopped)
        time.sleep(1.0)
        assert _states(stopped) == {"T"}
        assert _cpu_ticks(stopped) == before
    time.sleep(0.5)
    assert "T" not in _states(stopped) and _cpu_ticks(stopped) > before, "the sandbox runs again afterwards"
    assert remote.call("leave_busy_work") is True
