"""The judge's view of a sandbox's processes: TensorFlow servers counted from /proc, not from what the code reports."""

import pytest

from graders.judge import processes
from graders.judge.remote import Cell, Remote
from graders.judge.worker_process import WorkerConfig
from tests.conftest import requires_bwrap

# Children that map TensorFlow's runtime (without the seconds a full import takes) and listen on ports, or do not.
CELLS = [Cell(0, '''
import importlib.util, os, subprocess, sys, time

RUNTIME = os.path.join(os.path.dirname(importlib.util.find_spec("tensorflow").origin), "libtensorflow_framework.so.2")
CHILD = """
import ctypes, socket, sys, time
if sys.argv[1] == "tf":
    ctypes.CDLL(sys.argv[3])
sockets = []
for _ in range(int(sys.argv[2])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    sockets.append(s)
print("ready", flush=True)
time.sleep(1.0)
"""

def run_children(*kinds):
    children = [subprocess.Popen([sys.executable, "-c", CHILD, kind, str(ports), RUNTIME], stdout=subprocess.PIPE)
                for kind, ports in kinds]
    for child in children:
        assert child.stdout.readline().strip() == b"ready"
    for child in children:
        child.wait()
    return len(children)

def report_two_workers():
    time.sleep(0.5)
    return [{"task_id": 0, "num_replicas": 2}, {"task_id": 1, "num_replicas": 2}]
''')]


@pytest.fixture(scope="module",
                params=[pytest.param(True, marks=requires_bwrap, id="sandboxed"), pytest.param(False, id="shared")])
def worker(request):
    remote = Remote("student", WorkerConfig(assignment="a00_mini", sandboxed=request.param), CELLS,
                    cell_timeout=30, call_timeout=60)
    yield remote
    remote.close()


def test_two_tensorflow_servers_at_once_are_seen(worker):
    with processes.watch(worker) as seen:
        worker.call("run_children", ("tf", 1), ("tf", 1))
    assert seen.most_concurrent_servers() == 2
    assert seen.most_ports_in_one_process() == 1


def test_one_process_with_three_servers_is_one_process(worker):
    with processes.watch(worker) as seen:
        worker.call("run_children", ("tf", 3))
    assert seen.most_concurrent_servers() == 1
    assert seen.most_ports_in_one_process() == 3


def test_listeners_without_tensorflow_are_not_servers(worker):
    with processes.watch(worker) as seen:
        worker.call("run_children", ("plain", 1), ("plain", 1))
    assert seen.most_concurrent_servers() == 0
    assert "no TensorFlow process" in seen.describe()


def test_what_the_code_reports_is_not_what_is_seen(worker):
    with processes.watch(worker) as seen:
        reported = worker.call("report_two_workers")
    assert len(reported) == 2 and seen.most_concurrent_servers() == 0
