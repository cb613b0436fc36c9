"""Hidden tests for A15 Q1: MirroredStrategy over logical devices reaches the single-device weights."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _problem(rng, n, d=6, hidden=12, classes=3):
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.integers(0, classes, size=n).astype(np.int32)
    scale1, scale2 = np.sqrt(6 / (d + hidden)), np.sqrt(6 / (hidden + classes))
    weights = [rng.uniform(-scale1, scale1, (d, hidden)).astype(np.float32),
               rng.normal(0, 0.1, hidden).astype(np.float32),
               rng.uniform(-scale2, scale2, (hidden, classes)).astype(np.float32),
               rng.normal(0, 0.1, classes).astype(np.float32)]
    return x, y, weights


def _assert_weights(got, want, what):
    assert isinstance(got, list) and len(got) == len(want), (
        f"{what}: expected the model's {len(want)} weight arrays [W1, b1, W2, b2], got {len(got)}")
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=1e-4, atol=2e-5, name=f"{what}, weight {i}")


@pytest.fixture(scope="module")
def four_replicas(student, reference):
    rng = np.random.default_rng(1501)
    x, y, weights = _problem(rng, 160)
    args = (x, y, weights, 40, 2, 0.2)  # 4 batches of 40 per epoch, 10 per replica
    return {"got": student.probe("fit_on_replicas", 4, *args), "want": reference.probe("fit_on_replicas", 1, *args)}


@pytest.mark.points(2)
def test_strategy_uses_the_requested_devices(student):
    for replicas in (2, 4):
        info = student.probe("strategy_info", replicas)
        assert info["is_mirrored"], (
            f"make_mirrored_strategy({replicas}) returned a {info['type']}, not a tf.distribute.MirroredStrategy")
        checks.assert_value(info["replicas"], replicas,
                            name=f"num_replicas_in_sync of make_mirrored_strategy({replicas})")
        devices = [d.rsplit("/", 1)[-1].upper() for d in info["devices"]]
        assert devices == [f"DEVICE:CPU:{i}" for i in range(replicas)], (
            f"make_mirrored_strategy({replicas}) runs on {info['devices']}; use DEVICES[:{replicas}]")
        assert info["cross_device_ops"] == "ReductionToOneDevice", (
            f"the cross-device ops are {info['cross_device_ops']}; pass tf.distribute.ReductionToOneDevice()")


@pytest.mark.points(2)
def test_variables_are_mirrored_on_every_replica(four_replicas):
    got = four_replicas["got"]
    assert got["same_strategy"], (
        "the model returned by fit_mirrored was not created under the strategy it was given: build and compile "
        "it inside strategy.scope()")
    kinds = sorted(set(got["variable_types"]))
    assert kinds == ["MirroredVariable"], f"the model's variables are {kinds}, expected MirroredVariable"
    for devices in got["value_devices"]:
        short = sorted(d.rsplit("/", 1)[-1].upper() for d in devices)
        assert short == [f"DEVICE:CPU:{i}" for i in range(4)], (
            f"a mirrored variable has copies on {devices}; expected one on each of the 4 devices")


@pytest.mark.points(4)
def test_four_replicas_match_single_device_training(four_replicas):
    _assert_weights(four_replicas["got"]["weights"], four_replicas["want"]["weights"],
                    "weights after 2 epochs on 4 replicas vs single-device training (the replicas' gradients are "
                    "summed: divide the summed per-example loss by the global batch size, e.g. "
                    "tf.nn.compute_average_loss)")


@pytest.mark.points(2)
def test_two_replicas_match_single_device_training(student, reference, rng):
    x, y, weights = _problem(rng, 96, d=5, hidden=10, classes=4)
    args = (x, y, weights, 32, 1, 0.3)
    got = student.probe("fit_on_replicas", 2, *args)
    want = reference.probe("fit_on_replicas", 1, *args)
    _assert_weights(got["weights"], want["weights"], "weights after 1 epoch on 2 replicas vs single-device training")
