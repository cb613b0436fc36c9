"""Hidden tests for A25 Q1: a model registry with stages on ML Metadata, read back with ML Metadata itself."""

import hashlib

import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

STAGES = ["None", "Staging", "Production", "Archived"]
ALLOWED = {("None", "Staging"), ("Staging", "Production"), ("Staging", "Archived"), ("Production", "Archived"),
           ("Archived", "Staging")}
PATH = {"None": [], "Staging": ["Staging"], "Production": ["Staging", "Production"],
        "Archived": ["Staging", "Archived"]}


def _files(rng):
    return {"saved_model.pb": rng.bytes(int(rng.integers(50, 200))),
            "variables/variables.index": rng.bytes(40),
            "variables/variables.data-00000-of-00001": rng.bytes(int(rng.integers(100, 300))),
            "assets/vocab.txt": "a\nb\nc\n"}


def _dir_hash(files: dict) -> str:
    h = hashlib.sha256()
    for rel in sorted(files):
        data = files[rel]
        data = data.encode("latin-1") if isinstance(data, str) else data
        h.update(rel.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


@pytest.mark.points(2)
def test_directory_hash_matches_the_spec(student, rng):
    files = _files(rng)
    got = student.probe("directory_hash", files)
    assert isinstance(got, str), "directory_sha256 must return a hex string"
    assert got == _dir_hash(files), (
        "directory_sha256 differs from the spec (sorted relative POSIX paths; per file the path, a NUL byte, then "
        "the SHA-256 digest of its bytes)")
    assert student.probe("directory_hash", files, ["empty/folder"]) == got, "empty folders must add nothing"
    renamed = dict(files)
    renamed["assets/vocab2.txt"] = renamed.pop("assets/vocab.txt")
    assert student.probe("directory_hash", renamed) != got, "renaming a file must change the hash"


@pytest.mark.points(3)
def test_transition_table(student, rng):
    files = _files(rng)
    steps, expected = [], []
    for k, (src, dst) in enumerate((s, d) for s in STAGES for d in STAGES[1:]):
        name = f"m{k}"
        steps.append(["register", name, {"auc": 0.8}])
        steps += [["transition", name, 1, stage, "setup"] for stage in PATH[src]]
        steps.append(["transition", name, 1, dst, "under test"])
        steps.append(["get", name, dst])
        expected.append((name, src, dst, len(steps) - 2, len(steps) - 1))
    got = student.probe("registry_scenario", files, steps)
    outcomes = got["outcomes"]
    for _name, src, dst, t_idx, g_idx in expected:
        for i in range(t_idx - len(PATH[src]), t_idx):
            assert outcomes[i] == "ok", f"the allowed transition {steps[i][3]} failed: {outcomes[i]}"
        if (src, dst) in ALLOWED:
            assert outcomes[t_idx] == "ok", f"{src} -> {dst} is allowed, but transition raised {outcomes[t_idx]}"
            assert outcomes[g_idx] is not None and outcomes[g_idx]["version"] == 1, (
                f"after {src} -> {dst}, get(name, {dst!r}) must return version 1")
        else:
            assert isinstance(outcomes[t_idx], list) and outcomes[t_idx][0] == "ValueError", (
                f"{src} -> {dst} is forbidden: transition must raise ValueError")
    stored = {v["model_name"]: v for v in got["store"]["versions"]}
    for name, src, dst, _t, _g in expected:
        want = dst if (src, dst) in ALLOWED else src
        assert name in stored, f"no ModelVersion artifact for model {name!r} in the ML Metadata store"
        assert stored[name]["stage"] == want, (
            f"the stored stage of {name} after {src} -> {dst} should be {want!r} (a forbidden transition changes "
            "nothing)")


@pytest.mark.points(3)
def test_promotion_archives_and_audit_log(student, rng):
    files = _files(rng)
    steps = [["register", "churn", {"auc": 0.81, "loss": 0.4}], ["register", "churn", {"auc": 0.84}],
             ["register", "other", {"auc": 0.5}],
             ["transition", "churn", 1, "Staging", "candidate"], ["transition", "churn", 1, "Production", "gate ok"],
             ["transition", "other", 1, "Staging", "x"], ["transition", "other", 1, "Production", "x"],
             ["transition", "churn", 2, "Staging", "candidate"], ["transition", "churn", 2, "Production", "better"],
             ["get", "churn", "Production"], ["get", "churn", "Archived"], ["get", "other", "Production"],
             ["transition", "churn", 1, "Production", "rollback"],
             ["transition", "churn", 1, "Staging", "rollback"], ["transition", "churn", 1, "Production", "rollback"],
             ["get", "churn", "Production"], ["get", "churn", "Archived"], ["transition", "churn", 3, "Staging", ""]]
    got = student.probe("registry_scenario", files, steps)
    out = got["outcomes"]
    checks.assert_value(out[:3], [1, 2, 1], name="version numbers returned by register (per model name)")
    assert out[9] is not None and out[9]["version"] == 2, "after promoting version 2, it is the Production one"
    assert out[10] is not None and out[10]["version"] == 1, "promoting version 2 must archive version 1"
    assert out[11] is not None and out[11]["version"] == 1, "another model's Production version is not touched"
    checks.assert_value(out[9]["metrics"], {"auc": 0.84}, rtol=1e-12, name="metrics returned by get")
    assert out[9]["sha256"] == _dir_hash(files), "get must return the artifact's directory_sha256"
    assert out[9]["uri_is_artifact"], "get's 'uri' must be the registered artifact folder"
    assert isinstance(out[12], list) and out[12][0] == "ValueError", "Archived -> Production must raise ValueError"
    assert out[15]["version"] == 1 and out[16]["version"] == 2, "re-staging and promoting version 1 archives 2"
    assert isinstance(out[17], list) and out[17][0] == "ValueError", "an unknown version must raise ValueError"
    store = got["store"]
    churn = [v for v in store["versions"] if v["model_name"] == "churn"]
    checks.assert_value(sorted((v["version"], v["stage"]) for v in churn), [(1, "Production"), (2, "Archived")],
                        name="stages of churn's versions in the ML Metadata store")
    assert sum(v["stage"] == "Production" for v in churn) == 1, "at most one Production version per model"
    trans = [(t["model_name"], t["version"], t["from_stage"], t["to_stage"]) for t in store["transitions"]]
    want = [("churn", 1, "None", "Staging"), ("churn", 1, "Staging", "Production"),
            ("other", 1, "None", "Staging"), ("other", 1, "Staging", "Production"),
            ("churn", 2, "None", "Staging"), ("churn", 1, "Production", "Archived"),
            ("churn", 2, "Staging", "Production"), ("churn", 1, "Archived", "Staging"),
            ("churn", 2, "Production", "Archived"), ("churn", 1, "Staging", "Production")]
    checks.assert_value(trans, want, name="StageTransition executions in store order (model, version, from, to); "
                        "the automatic archive comes before the promotion it makes room for")
    assert all(t["events"] == [3, 4] for t in store["transitions"]), (
        "every StageTransition needs an INPUT and an OUTPUT event on its version's artifact")
    reasons = [t["reason"] for t in store["transitions"]]
    assert reasons[6] == "better" and reasons[5].startswith("replaced by version 2"), (
        "record the caller's reason, and 'replaced by version N' for an automatic archive")


@pytest.mark.points(2)
def test_reopen_and_tamper(student, rng):
    files = _files(rng)
    steps = [["register", "m", {"auc": 0.9}], ["transition", "m", 1, "Staging", ""], ["reopen"],
             ["get", "m", "Staging"], ["verify", "m", 1], ["register", "m", {"auc": 0.91}],
             ["tamper", "variables/variables.data-00000-of-00001"], ["verify", "m", 1], ["reopen"],
             ["verify", "m", 2], ["get", "m", "None"], ["remove"], ["verify", "m", 2]]
    out = student.probe("registry_scenario", files, steps)["outcomes"]
    assert out[3] is not None and out[3]["version"] == 1, "a new ModelRegistry on the same file must see the state"
    assert out[4] is True, "verify must be True for an untouched artifact"
    assert out[5] == 2, "after reopening, the next version of 'm' is 2"
    assert out[7] is False and out[9] is False, "one flipped byte of a weight file must make verify False"
    assert out[10] is not None and out[10]["sha256"] == _dir_hash(files), "the hash is taken at registration"
    assert out[12] is False, "verify must be False when the artifact folder is gone"
