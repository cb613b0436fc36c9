"""Hidden tests for A22 Q4: a SavedModel pusher with TF Serving's version layout, and canary / blue-green /
shadow routing graded on behaviour."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


@pytest.mark.points(3)
def test_push_model_writes_the_next_version_atomically(student, rng):
    weights = [rng.normal(size=(3, 2)).astype(np.float32) for _ in range(2)]
    x = rng.normal(size=(4, 3)).astype(np.float32)
    start = int(rng.integers(2, 9))
    got = student.probe("push_versions", weights, [str(start), "1", "notes", "backup-7"], x)
    new = [str(start + 1), str(start + 2)]
    checks.assert_value(got["returned"], new,
                        name=f"versions returned by push_model with existing folders {start}, 1, notes, backup-7 "
                             "(next = largest integer folder + 1; non-integer names are ignored)")
    checks.assert_value(got["dirs"], sorted([str(start), "1", "notes", "backup-7"] + new),
                        name="folders left in serving_dir (no temporary folder may remain)")
    assert len(got["saved_to"]) == 2 and not any(p.isdigit() for p in got["saved_to"]), (
        f"save into a temporary, non-integer folder and os.rename it (saved into {got['saved_to']}): a server "
        "polling serving_dir must never load a half-written version")
    assert all(not p.startswith("..") for p in got["saved_to"]), (
        "the temporary folder must be inside serving_dir, so the rename stays on one file system")
    first = student.probe("push_versions", weights[:1], [], x)
    checks.assert_value(first["returned"], ["1"], name="the version push_model writes into a new serving_dir")
    for version, w in zip(new, weights, strict=True):
        assert "serving_default" in got["signatures"].get(version, []), (
            f"version {version} has no serving_default signature")
        checks.assert_tensor(got["outputs"][version], x @ w, rtol=1e-5, atol=1e-5,
                             name=f"serving_default of version {version}")


@pytest.mark.points(3)
def test_canary_is_sticky_monotone_and_near_its_percent(student, rng, thresholds):
    ids = [f"user-{int(v)}" for v in rng.choice(10 ** 7, size=4000, replace=False)]
    stages = [[["start_canary", 2, 10]], [["set_canary_percent", 30]], [["set_canary_percent", 30]],
              [["set_canary_percent", 60]], [["set_canary_percent", 0]], [["set_canary_percent", 100]]]
    got = student.probe("route_stages", 1, stages, ids)
    share = [float(np.mean(np.array(r) == 2)) for r in got]
    for stage, want in ((0, 0.10), (1, 0.30), (3, 0.60)):
        assert abs(share[stage] - want) <= thresholds["canary_share_tolerance"], (
            f"with the canary at {want:.0%} it served {share[stage]:.1%} of 4000 request ids")
    assert got[1] == got[2], "routing must be sticky: the same request id gets the same version every time"
    a10, a30, a60 = (np.array(got[k]) == 2 for k in (0, 1, 3))
    assert not (a10 & ~a30).any() and not (a30 & ~a60).any(), (
        "raising the canary percent must only move requests from stable to canary (hash the id into a fixed bucket "
        "and compare it with the percent), never move a canary user back")
    assert share[4] == 0.0 and share[5] == 1.0, "0% must send nothing to the canary, 100% everything"
    assert set(got[0]) <= {1, 2}, "route must serve the stable or the canary version"


@pytest.mark.points(2)
def test_promote_rollback_switch_and_shadow(student, rng):
    ids = [str(i) for i in range(200)]

    def serve(ops, stable=1):
        return student.probe("route_many", stable, ops, ids)

    after_promote = serve([["start_canary", 2, 25], ["promote"]])
    assert set(after_promote["serve"]) == {2}, "after promote() every request goes to the former canary"
    assert set(serve([["start_canary", 2, 25], ["rollback"]])["serve"]) == {1}, (
        "after rollback() of a canary every request goes back to the stable version")
    blue_green = serve([["switch", 3]])
    assert set(blue_green["serve"]) == {3}, "switch(3) must move all traffic to version 3 at once"
    assert set(serve([["switch", 3], ["rollback"]])["serve"]) == {1}, (
        "rollback() after switch() must return all traffic to the previous (standby) version")
    assert set(serve([["start_canary", 2, 25], ["promote"], ["rollback"]])["serve"]) == {1}, (
        "rollback() after promote() must return to the version that was stable before")
    shadow = serve([["start_canary", 2, 40], ["start_shadow", 4]])
    assert set(shadow["shadow"]) == {4} and 4 not in shadow["serve"], (
        "a shadow version gets a copy of every request but never serves one")
    assert set(serve([["start_shadow", 4], ["stop_shadow"]])["shadow"]) == {None}, "stop_shadow() ends mirroring"
    assert set(serve([])["shadow"]) == {None}, "without a shadow, route(...)['shadow'] is None"


@pytest.mark.points(1)
def test_serve_request_answers_from_the_routed_version(student, rng):
    weights = [rng.normal(size=(3, 2)).astype(np.float32) for _ in range(3)]
    requests = [[f"r{k}", rng.normal(size=(1, 3)).astype(np.float32)] for k in range(24)]
    got = student.probe("serve_many", weights, 1, [["start_canary", 2, 50], ["start_shadow", 3]], requests)
    results = got["results"]
    versions = [r["version"] for r in results]
    assert set(versions) == {1, 2}, f"with a 50% canary both versions should serve some of 24 requests: {versions}"
    for (rid, x), r in zip(requests, results, strict=True):
        checks.assert_tensor(r["outputs"], x @ weights[r["version"] - 1], rtol=1e-5, atol=1e-5,
                             name=f"outputs for request {rid} (served by version {r['version']})")
        assert r["shadow_version"] == 3, "the shadow version should be reported"
        checks.assert_tensor(r["shadow_outputs"], x @ weights[2], rtol=1e-5, atol=1e-5,
                             name=f"shadow outputs for request {rid}")
    checks.assert_value(got["cached"], [1, 2, 3], name="versions kept in the cache (load each version once)")


@pytest.mark.points(1)
def test_canary_decision_table(student):
    stable = {"requests": 1000, "errors": 10, "p95_latency_ms": 100.0}
    cases = [({"requests": 50, "errors": 5, "p95_latency_ms": 90.0}, "rollback"),
             ({"requests": 50, "errors": 0, "p95_latency_ms": 130.0}, "rollback"),
             ({"requests": 50, "errors": 0, "p95_latency_ms": 100.0}, "wait"),
             ({"requests": 300, "errors": 5, "p95_latency_ms": 119.0}, "promote"),
             ({"requests": 300, "errors": 7, "p95_latency_ms": 100.0}, "rollback"),
             ({"requests": 0, "errors": 0, "p95_latency_ms": 0.0}, "wait")]
    for canary, want in cases:
        got = student.call("canary_decision", stable, canary, 0.01, 1.2, 200)
        if got != want:
            raise checks.CheckFailed(f"canary_decision(stable={stable}, canary={canary}) returned {got!r} (roll back "
                                     "on an error-rate increase > 0.01 or p95 latency > 1.2x at once; otherwise wait "
                                     "for 200 requests, then promote)", values=f"expected {want!r}")
