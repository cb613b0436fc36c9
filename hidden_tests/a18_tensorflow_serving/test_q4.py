"""Hidden tests for A18 Q4: version policies, labels, atomic publishing and a hot swap under load.

The probes export the judge's models with the course's own code and hand them to the student's ``publish``; every
answer that names a version also carries that version's outputs, which the judge compares with the weights it
published under that number. The hot swap is observed by the judge: its own HTTP clients, through
``graders.judge.loopback.forward``, query the course's REST front end over the student's repository while the new
version is published and polled.
"""

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from graders import checks
from graders.judge.loopback import forward

pytestmark = pytest.mark.question("q4")

FEATURES, HIDDEN, CLASSES = 12, 8, 3


def make_weights(rng):
    return [rng.normal(0, 1.2, (FEATURES, HIDDEN)).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            rng.normal(0, 1.5, (HIDDEN, CLASSES)).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]

# The served models: one fixed pool, the same in every test file, so that the probe exports each model once per
# worker and copies it afterwards (saving a SavedModel is the slow part); the inputs are drawn per test.
POOL = [make_weights(np.random.default_rng(1800 + i)) for i in range(4)]


def probabilities(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    z = np.maximum((np.asarray(x, np.float64) / 255.0) @ w1 + b1, 0) @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@contextlib.contextmanager
def repository(student, versions, policy, serve_http=False):
    wire = {str(v): [np.asarray(w) for w in ws] for v, ws in versions.items()}
    info = student.probe("repo_start", wire, policy, serve_http)
    try:
        yield info
    finally:
        with contextlib.suppress(Exception):
            student.probe("repo_stop", info["key"])


def resolve(student, key, versions, x, *args, what):
    """Resolve through the student's repository; check that the outputs are those of the version it names."""
    answer = student.probe("repo_call", key, "resolve", *args, x)
    assert "ok" in answer, f"{what} raised {answer.get('raised')}"
    version, probs = answer["ok"]
    assert version in versions, f"{what} answered version {version}, which was never published"
    checks.assert_tensor(probs, probabilities(versions[version], x), expect="any", rtol=0, atol=2e-6,
                         name=f"outputs of the servable that {what} returned (version {version})")
    return version


def call(student, key, method, *args):
    return student.probe("repo_call", key, method, *args)


@pytest.mark.points(3)
def test_latest_policy_serves_the_newest_versions(student, rng):
    versions = {1: POOL[0], 2: POOL[1], 3: POOL[2]}
    x = rng.integers(0, 256, (4, FEATURES)).astype(np.uint8)
    with repository(student, versions, "latest:2") as info:
        assert resolve(student, info["key"], versions, x, what="resolve('clf')") == 3, (
            "resolve without a version should serve the newest available version")
        assert resolve(student, info["key"], versions, x, 2, what="resolve('clf', 2)") == 2, (
            "resolve('clf', 2) should serve version 2")
        checks.assert_value(call(student, info["key"], "status", "clf"),
                            {"ok": [[1, "END"], [2, "AVAILABLE"], [3, "AVAILABLE"]]},
                            name="status('clf') under latest:2 after publishing versions 1, 2, 3")
        checks.assert_value(call(student, info["key"], "resolve", 1, x), {"raised": "KeyError"},
                            name="resolve('clf', 1) once version 1 is unloaded")


@pytest.mark.points(2)
def test_all_and_specific_policies(student, rng):
    versions = {1: POOL[0], 2: POOL[1], 3: POOL[2]}
    x = rng.integers(0, 256, (3, FEATURES)).astype(np.uint8)
    with repository(student, versions, "all") as info:
        checks.assert_value(call(student, info["key"], "status", "clf"),
                            {"ok": [[1, "AVAILABLE"], [2, "AVAILABLE"], [3, "AVAILABLE"]]}, name="status under 'all'")
        assert resolve(student, info["key"], versions, x, 1, what="resolve('clf', 1) under 'all'") == 1
    with repository(student, versions, "specific:1,3") as info:
        checks.assert_value(call(student, info["key"], "status", "clf"),
                            {"ok": [[1, "AVAILABLE"], [3, "AVAILABLE"]]}, name="status under 'specific:1,3'")
        assert resolve(student, info["key"], versions, x, what="resolve('clf') under 'specific:1,3'") == 3
        checks.assert_value(call(student, info["key"], "resolve", 2, x), {"raised": "KeyError"},
                            name="resolve('clf', 2) under 'specific:1,3'")
    for policy in ("latest:0", "newest:1", "specific:", "specific:1,x", "all:2"):
        try:
            checks.assert_raises(student.probe, "repo_policy", policy, exc_type="ValueError")
        except checks.CheckFailed as failure:
            raise checks.CheckFailed(f"VersionedRepository with policy {policy!r}: {failure}") from None


@pytest.mark.points(2)
def test_labels_point_only_to_available_versions(student, rng):
    versions = {1: POOL[0], 2: POOL[1], 3: POOL[2]}
    x = rng.integers(0, 256, (3, FEATURES)).astype(np.uint8)
    with repository(student, versions, "latest:2") as info:
        key = info["key"]
        assert "ok" in call(student, key, "set_label", "stable", 2), "set_label('stable', 2) should succeed"
        assert resolve(student, key, versions, x, None, "stable", what="resolve(label='stable')") == 2
        checks.assert_value(call(student, key, "set_label", "canary", 1), {"raised": "ValueError"},
                            name="set_label('canary', 1) when version 1 is not AVAILABLE")
        checks.assert_value(call(student, key, "resolve", None, "canary", x), {"raised": "KeyError"},
                            name="resolve(label='canary') for a label never set")
        assert "ok" in call(student, key, "set_label", "stable", 3), "moving a label should succeed"
        assert resolve(student, key, versions, x, None, "stable", what="resolve(label='stable') after moving it") == 3
        assert resolve(student, key, versions, x, 2, what="resolve('clf', 2)") == 2


@pytest.mark.points(2)
def test_half_written_versions_never_replace_a_good_one(student, rng):
    versions = {1: POOL[3], 7: POOL[0]}
    x = rng.integers(0, 256, (3, FEATURES)).astype(np.uint8)
    with repository(student, {1: versions[1]}, "latest:1") as info:
        key = info["key"]
        for version, kind in ((5, "empty"), (6, "corrupt")):
            student.probe("repo_write_broken", key, version, kind)
            assert resolve(student, key, versions, x, what=f"resolve('clf') after a {kind} folder '{version}' "
                           "appeared and poll() ran") == 1, (
                f"an {kind} version folder must not be served or unload the good version")
        folders = student.probe("repo_publish", key, 7, [np.asarray(w) for w in versions[7]])
        assert folders == ["1", "5", "6", "7"], (
            f"after publish(..., 7) the model folder holds {folders}: publish should leave exactly the new version "
            "folder (no temporary folder behind)")
        assert resolve(student, key, versions, x, what="resolve('clf') after publishing 7") == 7
        checks.assert_value(call(student, key, "status", "clf"), {"ok": [[1, "END"], [7, "AVAILABLE"]]},
                            name="status after the swap from 1 to 7")
        checks.assert_raises(student.probe, "repo_publish", key, 7, [np.asarray(w) for w in versions[7]],
                             exc_type="FileExistsError")


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def predict(address, x):
    request = urllib.request.Request(f"http://{address}/v1/models/clf:predict",
                                     data=json.dumps({"instances": x.tolist()}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(request, timeout=10) as response:
            body = json.loads(response.read())
            return body["version"], np.asarray(body["predictions"])
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}: {error.read()[:200]!r}", None
    except OSError as error:
        return f"{type(error).__name__}: {error}", None


@pytest.mark.points(3)
def test_hot_swap_under_load_drops_no_request(student, rng):
    versions = {1: POOL[1], 2: POOL[3]}
    x = rng.integers(0, 256, (2, FEATURES)).astype(np.uint8)
    want = {v: probabilities(w, x) for v, w in versions.items()}
    with repository(student, {1: versions[1]}, "latest:1", serve_http=True) as info:
        with forward(student, info["port"]) as address:
            swapped = threading.Event()
            seen = [[] for _ in range(4)]

            def client(i):
                after = 0
                for _ in range(300):  # bounded: at most 300 requests per client
                    seen[i].append(predict(address, x))
                    if swapped.is_set():
                        after += 1
                        if after >= 5:
                            return

            threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(0.3)
            try:
                student.probe("repo_publish", info["key"], 2, [np.asarray(w) for w in versions[2]])
            finally:
                swapped.set()
                for thread in threads:
                    thread.join(60)
            final = predict(address, x)
    failed = [r[0] for per in seen for r in per if r[1] is None]
    assert not failed, f"{len(failed)} requests failed during the swap, e.g. {failed[0]}; a hot swap drops none"
    for i, per in enumerate(seen):
        order = [v for v, _p in per]
        assert set(order) <= {1, 2}, f"client {i} was served versions {sorted(set(order))}; only 1 and 2 exist"
        assert order == sorted(order), f"client {i} saw version 1 again after version 2: {order}"
        for v, p in per:
            checks.assert_tensor(p, want[v], expect="any", rtol=0, atol=2e-6,
                                 name=f"a response labelled version {v} during the swap")
    assert sum(len(per) for per in seen) > 8, "the clients should have been served during the swap"
    assert final[0] == 2, f"after publish and poll the default version should be 2, got {final[0]}"
