"""Hidden tests for A27 Q1: signed OTA packages, A/B slots with anti-rollback, power cuts, staged fleet waves.

The judge holds the signing key (made from the test's seed), verifies the student's packages with `cryptography`,
and builds its own packages (good, tampered, wrongly signed, downgraded) for the student's agent. Power cuts are
simulated by the probe, which makes every write under the device folder fail past a byte budget, then reboots the
agent on the same folder.
"""

import hashlib
import io
import json
import math
import tarfile

import numpy as np
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graders import checks

pytestmark = pytest.mark.question("q1")

FEATURES = 6


def _keys(rng):
    seed = rng.bytes(32)
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return seed, key, key.public_key().public_bytes_raw()


def _weights(seed):
    r = np.random.default_rng(seed)
    return [r.normal(0, 0.5, (FEATURES, 8)).astype(np.float32), r.normal(0, 0.1, 8).astype(np.float32),
            r.normal(0, 0.5, (8, 3)).astype(np.float32), r.normal(0, 0.1, 3).astype(np.float32)]


def _model(reference, seed):
    """A float flatbuffer of a small MLP, converted by course code in the reference worker."""
    return bytes(reference.probe("mlp_tflite", _weights(seed)))


def package(model, version, key, min_runtime="2.18", sign_with=None):
    """The judge's own OTA package, in the documented layout."""
    manifest = json.dumps({"version": version, "sha256": hashlib.sha256(model).hexdigest(), "size": len(model),
                           "min_runtime": min_runtime}, sort_keys=True).encode()
    members = {"manifest.json": manifest, "manifest.sig": (sign_with or key).sign(manifest), "model.tflite": model}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def read_package(data):
    assert isinstance(data, bytes), f"build_ota_package should return bytes, got {type(data).__name__}"
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    except tarfile.TarError as exc:
        raise AssertionError(f"the package is not an uncompressed tar archive: {exc}") from None
    missing = {"manifest.json", "manifest.sig", "model.tflite"} - set(members)
    assert not missing, f"the package lacks {sorted(missing)}; it holds {sorted(members)}"
    return members


def _probe_input(rng):
    return rng.normal(size=(1, FEATURES)).astype(np.float32)


@pytest.mark.points(2)
def test_package_is_signed_and_pins_the_model(student, reference, rng):
    seed, key, public = _keys(rng)
    model = _model(reference, 1)
    version = int(rng.integers(2, 500))
    data = student.probe("build_package", model, version, seed, min_runtime="2.16")
    members = read_package(data)
    manifest_bytes = members["manifest.json"]
    try:
        key.public_key().verify(members["manifest.sig"], manifest_bytes)
    except InvalidSignature:
        raise AssertionError("manifest.sig is not a valid Ed25519 signature of manifest.json under the device "
                             "key (sign exactly the manifest bytes you store)") from None
    checks.assert_value(json.loads(manifest_bytes), {"version": version, "sha256": hashlib.sha256(model).hexdigest(),
                                                     "size": len(model), "min_runtime": "2.16"},
                        name="manifest.json")
    assert manifest_bytes == json.dumps(json.loads(manifest_bytes), sort_keys=True).encode(), (
        "manifest.json should be json.dumps(manifest, sort_keys=True).encode()")
    assert members["model.tflite"] == model, "model.tflite should hold the model bytes unchanged"


@pytest.mark.points(2)
def test_agent_installs_and_survives_a_reboot(student, reference, rng):
    seed, key, public = _keys(rng)
    v1, v2 = int(rng.integers(1, 50)), int(rng.integers(50, 100))
    m1, m2 = _model(reference, 1), _model(reference, 2)
    folder = student.probe("new_device", public)
    steps = student.probe("agent_apply", folder, public, [package(m1, v1, key), package(m2, v2, key)],
                          _probe_input(rng))
    want = [{"outcome": True, "version": v1, "sha256": hashlib.sha256(m1).hexdigest(), "loadable": True},
            {"outcome": True, "version": v2, "sha256": hashlib.sha256(m2).hexdigest(), "loadable": True}]
    checks.assert_value(steps, want, name="two good updates, each followed by a reboot (a new DeviceAgent on the "
                                          "same folder): outcome, active_version(), sha256 of active_model()")


@pytest.mark.points(3)
def test_tampered_foreign_and_old_packages_are_rejected(student, reference, rng):
    seed, key, public = _keys(rng)
    m1, m2 = _model(reference, 1), _model(reference, 2)
    good = package(m1, 5, key)
    stranger = Ed25519PrivateKey.from_private_bytes(rng.bytes(32))
    bad = {}
    raw = bytearray(package(m2, 9, key))
    data_at = raw.find(m2)
    raw[data_at + len(m2) // 2] ^= 0x01
    bad["a flipped byte in model.tflite"] = bytes(raw)
    manifest = package(m2, 9, key)
    bad["a manifest signed by another key"] = package(m2, 9, key, sign_with=stranger)
    bad["a downgrade to version 4"] = package(m2, 4, key)
    bad["a replay of the installed version 5"] = package(m2, 5, key)
    bad["a model newer than the device runtime"] = package(m2, 9, key, min_runtime="2.100")
    raw = bytearray(manifest)
    raw[raw.find(b'"version": 9')+11] = ord("8")
    bad["a manifest edited after signing"] = bytes(raw)
    folder = student.probe("new_device", public)
    names = list(bad)
    steps = student.probe("agent_apply", folder, public, [good, *bad.values()], _probe_input(rng))
    assert steps[0]["outcome"] is True, f"the first, valid package was not installed: {steps[0]}"
    for name, step in zip(names, steps[1:], strict=True):
        assert step["outcome"] == "rejected", (
            f"{name}: apply_update should raise UpdateRejected, it returned {step['outcome']!r}")
        assert step["version"] == 5 and step["sha256"] == hashlib.sha256(m1).hexdigest(), (
            f"{name}: after the rejection the device must still run version 5 unchanged, it reports {step}")


@pytest.mark.points(2)
def test_failed_health_check_rolls_back(student, reference, rng):
    seed, key, public = _keys(rng)
    m1 = _model(reference, 1)
    broken = bytes(reference.probe("nan_tflite", FEATURES))
    m3 = _model(reference, 3)
    folder = student.probe("new_device", public)
    garbage = rng.bytes(len(m1))  # signed and hashed correctly, but no flatbuffer: the interpreter cannot load it
    steps = student.probe("agent_apply", folder, public,
                          [package(m1, 3, key), package(broken, 4, key), package(garbage, 4, key),
                           package(m3, 4, key)], _probe_input(rng))
    assert steps[0]["outcome"] is True, f"the first, valid package was not installed: {steps[0]}"
    checks.assert_value(steps[1], {"outcome": False, "version": 3, "sha256": hashlib.sha256(m1).hexdigest(),
                                   "loadable": True},
                        name="a signed update whose model answers NaN: apply_update returns False and the device is "
                             "back on the previous slot")
    checks.assert_value(steps[2], {"outcome": False, "version": 3, "sha256": hashlib.sha256(m1).hexdigest(),
                                   "loadable": True},
                        name="a signed update whose model the interpreter cannot load: apply_update returns False "
                             "and the device is back on the previous slot")
    checks.assert_value(steps[3]["outcome"], True,
                        name="a good version 4 after the failed version 4 (the counter moves only on commit)")


@pytest.mark.points(3)
def test_power_cut_never_bricks_the_device(student, reference, rng):
    seed, key, public = _keys(rng)
    m1, m2 = _model(reference, 1), _model(reference, 2)
    fractions = sorted({0.0, 0.02, 0.3, 0.5, 0.97, 0.999, *np.round(rng.uniform(0.05, 0.95, 4), 3).tolist()})
    got = student.probe("power_cut_trials", public, package(m1, 1, key), package(m2, 2, key), _probe_input(rng),
                        fractions)
    assert got["first"] is True and got["complete"] is True, f"plain updates failed: {got['first']}, {got['complete']}"
    assert got["writes"] >= len(m2), (
        f"a complete update wrote only {got['writes']} bytes under the device folder: write the model into a slot "
        "file with open() (the slot must be on disk to survive a reboot)")
    versions = {1: hashlib.sha256(m1).hexdigest(), 2: hashlib.sha256(m2).hexdigest()}
    for trial in got["trials"]:
        view = trial["rebooted"]
        where = f"power cut after {trial['budget']} of {got['writes']} bytes written"
        assert "error" not in view, f"{where}: the rebooted agent fails: {view['error']}"
        assert view["version"] in versions and view["sha256"] == versions[view["version"]] and view["loadable"], (
            f"{where}: after the reboot the active slot must hold a complete, loadable model of the version it "
            f"claims; it reports {view} (write to the inactive slot, then switch with os.replace)")
        assert trial["after_retry"] == {"version": 2, "sha256": versions[2], "loadable": True} or (
            view["version"] == 2 and trial["retry"] == "rejected"), (
            f"{where}: retrying the update after the reboot should install version 2; got {trial['retry']!r} -> "
            f"{trial['after_retry']}")
    cut_early = [t for t in got["trials"] if t["budget"] < len(m2)]
    assert all(t["rebooted"]["version"] == 1 for t in cut_early), (
        "a power cut before the new model is completely written must leave version 1 active")


def _expected_rollout(runtimes, waves, max_rate, min_runtime):
    n = len(runtimes)
    bounds = [0] + [math.ceil(f * n) for f in waves]
    out = {"waves": [], "updated": [], "failed": [], "halted": False}
    need = tuple(int(p) for p in min_runtime.split("."))
    for start, stop in zip(bounds, bounds[1:]):  # noqa: B905
        ids = [f"dev-{i:02d}" for i in range(start, stop)]
        if not ids:
            continue
        out["waves"].append(ids)
        fails = 0
        for i in range(start, stop):
            ok = tuple(int(p) for p in runtimes[i].split(".")) >= need
            (out["updated"] if ok else out["failed"]).append(f"dev-{i:02d}")
            fails += not ok
        if fails / len(ids) > max_rate:
            out["halted"] = True
            break
    return out


@pytest.mark.points(3)
def test_staged_rollout_halts_on_a_bad_wave(student, reference, rng):
    seed, key, public = _keys(rng)
    m1, m2 = _model(reference, 1), _model(reference, 2)
    n = 12
    for halting in (False, True):
        runtimes = ["2.18"] * n
        # Waves of 3 devices; one old runtime per wave is tolerated (1/3 <= 0.4), two in the second wave are not.
        old = [int(rng.integers(0, n))] if not halting else rng.choice(np.arange(3, 6), 2, replace=False).tolist()
        for i in old:
            runtimes[int(i)] = "2.9"
        waves, rate = [0.25, 0.5, 0.75, 1.0], 0.4
        got = student.probe("fleet_rollout", public, package(m1, 1, key, min_runtime="2.0"),
                            package(m2, 2, key, min_runtime="2.17"), runtimes, _probe_input(rng), waves, rate)
        want = _expected_rollout(runtimes, waves, rate, "2.17")
        checks.assert_value(got["result"], want, name=f"rollout over runtimes {runtimes}")
        updated = set(want["updated"])
        checks.assert_value(got["versions"], [2 if f"dev-{i:02d}" in updated else 1 for i in range(n)],
                            name="active_version() of each device after the rollout (untouched waves stay on 1)")


@pytest.mark.points(1)
def test_rollout_wave_bounds_and_failure_rate_limit(student, reference, rng):
    """Fractions that do not split the fleet evenly (ceil), and a wave whose failure rate equals the limit."""
    seed, key, public = _keys(rng)
    m1, m2 = _model(reference, 1), _model(reference, 2)
    n = 7
    runtimes = ["2.18"] * n
    runtimes[int(rng.integers(0, 2))] = "2.9"  # one of the first wave's two devices: 1/2 == the limit, not over it
    runtimes[int(rng.integers(4, 7))] = "2.9"
    waves, rate = [0.2, 0.5, 1.0], 0.5
    got = student.probe("fleet_rollout", public, package(m1, 1, key, min_runtime="2.0"),
                        package(m2, 2, key, min_runtime="2.17"), runtimes, _probe_input(rng), waves, rate)
    want = _expected_rollout(runtimes, waves, rate, "2.17")
    checks.assert_value(got["result"], want, name=f"rollout of {n} devices in waves {waves} (wave i ends at "
                                                  "ceil(waves[i] * n)) with max_failure_rate 0.5 over runtimes "
                                                  f"{runtimes}")
