"""Hidden tests for A15 Q5: strategy factory and selection, multi-worker and parameter-server clusters.

The clusters are real: worker processes started by the student's code talk gRPC over localhost in
the sandbox. That they ran is seen by the judge in /proc while the call is in flight (TensorFlow processes
listening at the same time), not taken from the task ids and devices the student's code returns. The
single-process comparison runs in the reference worker.
"""

import json

import numpy as np
import pytest

from graders import checks
from graders.judge import processes

pytestmark = pytest.mark.question("q5")


def _problem(rng, n, d=6, hidden=10, classes=3):
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.integers(0, classes, size=n).astype(np.int32)
    weights = [rng.uniform(-0.5, 0.5, (d, hidden)).astype(np.float32), rng.normal(0, 0.1, hidden).astype(np.float32),
               rng.uniform(-0.5, 0.5, (hidden, classes)).astype(np.float32),
               rng.normal(0, 0.1, classes).astype(np.float32)]
    return x, y, weights


@pytest.mark.points(2)
def test_create_strategy_builds_each_kind(student):
    got = student.probe("strategy_kinds")
    expected = {"default": ("_DefaultDistributionStrategy", 1), "one_device": ("OneDeviceStrategy", 1),
                "mirrored": ("MirroredStrategy", 3), "central_storage": ("CentralStorageStrategy", 2)}
    for kind, (type_name, replicas) in expected.items():
        assert got[kind]["type"] == type_name, f"create_strategy({kind!r}, ...) made a {got[kind]['type']}"
        checks.assert_value(got[kind]["replicas"], replicas,
                            name=f"num_replicas_in_sync of create_strategy({kind!r}, ...)")
    assert got["one_device"]["variable_device"].upper().endswith("CPU:1"), (
        "a variable of create_strategy('one_device', ['/device:CPU:1']) lives on "
        f"{got['one_device']['variable_device']}")
    assert got["central_storage"]["variable_device"].upper().endswith("CPU:0"), (
        "central storage keeps the variables on devices[0]; a variable was created on "
        f"{got['central_storage']['variable_device']}")
    assert got["unknown"] == "ValueError", f"an unknown kind should raise ValueError, got {got['unknown']}"


def test_select_strategy_reads_tf_config(student):
    cases = [
        (None, 1, "default"),
        (None, 4, "mirrored"),
        (json.dumps({"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "worker", "index": 0}}), 4,
         "multi_worker"),
        (json.dumps({"cluster": {"chief": ["h:0"], "worker": ["h:1"]}, "task": {"type": "chief", "index": 0}}), 1,
         "multi_worker"),
        (json.dumps({"cluster": {"worker": ["h:1", "h:2"], "ps": ["h:3"], "chief": ["h:0"]},
                     "task": {"type": "worker", "index": 1}}), 2, "parameter_server"),
        (json.dumps({"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0}}), 2, "mirrored"),
    ]
    for tf_config, devices, want in cases:
        got = student.call("select_strategy", tf_config, devices)
        if got != want:
            raise checks.CheckFailed(f"select_strategy({tf_config!r}, {devices}) returned {got!r}",
                                     values=f"expected {want!r}")


@pytest.fixture(scope="module")
def multi_worker(student, reference):
    rng = np.random.default_rng(1505)
    x, y, weights = _problem(rng, 96)
    args = (x, y, weights, 24, 2, 0.3)  # 4 global batches of 24 per epoch, 12 per worker
    with processes.watch(student) as seen:
        got = student.probe("multi_worker_run", *args)
    return {"got": got, "seen": seen, "want": reference.probe("single_device_fit", *args)}


def _require_two_worker_processes(seen):
    assert seen.most_concurrent_servers() >= 2, (
        "run_multi_worker(..., num_workers=2) must train in two worker processes, each a TensorFlow server on its "
        f"own port at the same time; the grader watched the sandbox and saw {seen.describe()}")


@pytest.mark.points(2)
def test_multi_worker_processes_form_one_cluster(multi_worker):
    got = multi_worker["got"]
    _require_two_worker_processes(multi_worker["seen"])
    assert isinstance(got, list) and len(got) == 2, "run_multi_worker(..., num_workers=2) must return 2 results"
    checks.assert_value([r["task_id"] for r in got], [0, 1], name="task ids of the workers")
    checks.assert_value([r["num_replicas"] for r in got], [2, 2],
                        name="num_replicas_in_sync in each worker (2 processes with one device each)")
    for i, (a, b) in enumerate(zip(got[0]["weights"], got[1]["weights"], strict=True)):
        checks.assert_tensor(b, a, rtol=0, atol=0, name=f"worker 1's weight {i} vs worker 0's (synchronous training "
                                                       "keeps the replicas identical)")


@pytest.mark.points(3)
def test_multi_worker_matches_single_process_training(multi_worker):
    got, want = multi_worker["got"], multi_worker["want"]
    _require_two_worker_processes(multi_worker["seen"])  # the same weights from one process prove no all-reduce
    assert len(got[0]["weights"]) == len(want), f"expected {len(want)} weight arrays"
    for i, (g, w) in enumerate(zip(got[0]["weights"], want, strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=1e-4, atol=2e-5,
                             name=f"multi-worker weight {i} vs single-process training on the same global batches "
                                  "(batch by the global batch size and shard with AutoShardPolicy.DATA)")


@pytest.mark.points(3)
def test_parameter_server_cluster_trains_on_the_ps(student, thresholds):
    rng = np.random.default_rng(2505)
    x = rng.normal(size=(256, 6)).astype(np.float32)
    x_test = rng.normal(size=(300, 6)).astype(np.float32)

    def label(a):
        return (a[:, 0] - a[:, 1] + 0.5 * a[:, 2] > 0).astype(np.int32)

    with processes.watch(student) as seen:
        got = student.probe("parameter_server_run", x, label(x), x_test, 60)
    assert seen.most_ports_in_one_process() >= 3, (
        "run_parameter_server(..., num_workers=2, num_ps=1) starts a subprocess holding the in-process cluster: "
        f"three tf.distribute.Server ports (two workers, one ps); the grader watched the sandbox and saw "
        f"{seen.describe()}")
    checks.assert_value(got["steps_done"], 60, name="optimizer iterations after 60 scheduled steps and join()")
    checks.assert_value(len(got["losses"]), 60, name="number of losses fetched (one per scheduled step)")
    checks.assert_value(got["num_workers"], 2, name="number of workers in the cluster")
    assert got["variable_devices"] and all("/job:ps/" in d for d in got["variable_devices"]), (
        f"the model's variables live on {sorted(set(got['variable_devices']))}; under ParameterServerStrategy "
        "they belong on /job:ps")
    checks.assert_accuracy(got["predictions"], label(x_test).astype(np.int64), thresholds["min_ps_accuracy"],
                           name="accuracy of the parameter-server model")
