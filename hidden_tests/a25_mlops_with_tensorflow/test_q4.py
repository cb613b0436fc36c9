"""Hidden tests for A25 Q4: SavedModel content hashes, signatures read from the protocol buffer, semantic-version
rules and dataset fingerprints."""

import hashlib

import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

SIG = {"serving_default": {"inputs": {"x": ["float32", [None, 4]]},
                           "outputs": {"y": ["float32", [None, 1]], "logits": ["float32", [None, 1]]}}}


def _sig(**changes):
    import copy

    s = copy.deepcopy(SIG)
    for path, value in changes.items():
        key, kind, name = path.split("__")
        if value is None:
            del s[key][kind][name]
        else:
            s[key][kind][name] = value
    return s


def _bump(prev, level):
    major, minor, patch = (int(p) for p in prev.split("."))
    return {"major": f"{major + 1}.0.0", "minor": f"{major}.{minor + 1}.0", "patch": f"{major}.{minor}.{patch + 1}"}[
        level]


@pytest.mark.points(3)
def test_content_hash_ignores_irrelevant_bytes(student, reference, rng):
    w = rng.normal(size=(5, 2)).astype("float32")
    b = rng.normal(size=(2,)).astype("float32")
    idx = [int(rng.integers(0, 5)), int(rng.integers(0, 2))]
    got = student.probe("saved_model_versions", w, b, idx)
    hashes = got["hashes"]
    assert all(isinstance(h, str) and len(h) == 64 for h in hashes.values()), (
        "model_content_hash must return a SHA-256 hex digest")
    assert got["raw_pb_differs"], "internal: the two exports should differ byte for byte"
    assert hashes["a"] == hashes["a_again"], (
        "two exports of the same weights and signature (one with an extra asset file and an old timestamp) must hash "
        "alike: hash the variables and signatures, not the files")
    assert hashes["weight"] != hashes["a"], "changing one weight by one ulp must change the hash"
    assert hashes["renamed"] != hashes["a"], "renaming a signature output must change the hash"
    want = reference.probe("saved_model_versions", w, b, idx)["hashes"]
    checks.assert_value(hashes, want, name="model_content_hash (exactly as the docstring specifies)")


@pytest.mark.points(2)
def test_signature_read_from_the_protocol_buffer(student, rng):
    w = rng.normal(size=(3, 1)).astype("float32")
    got = student.probe("saved_model_versions", w, [0.5], [0, 0])["signatures"]
    want = {"serving_default": {"inputs": {"features": ["float32", [None, 3]]},
                                "outputs": {"y": ["float32", [None, 1]]}}}
    checks.assert_value(got["a"], want, name="signature_of(an exported model)")
    checks.assert_value(got["renamed"]["serving_default"]["outputs"], {"score": ["float32", [None, 1]]},
                        name="signature_of(...)['serving_default']['outputs'] after renaming the output")


@pytest.mark.points(3)
def test_semantic_version_table(student, rng):
    base = f"{int(rng.integers(1, 9))}.{int(rng.integers(0, 20))}.{int(rng.integers(0, 30))}"
    extra_sig = dict(SIG, classify={"inputs": {"x": ["float32", [None, 4]]}, "outputs": {"c": ["int64", [None]]}})
    cases = [
        ("same signature, same weights", SIG, SIG, False, "patch"),
        ("same signature, retrained", SIG, SIG, True, "minor"),
        ("new output", SIG, _sig(serving_default__outputs__proba=["float32", [None, 2]]), False, "minor"),
        ("new signature key", SIG, extra_sig, False, "minor"),
        ("output removed", SIG, _sig(serving_default__outputs__logits=None), True, "major"),
        ("input dtype changed", SIG, _sig(serving_default__inputs__x=["float64", [None, 4]]), False, "major"),
        ("input shape changed", SIG, _sig(serving_default__inputs__x=["float32", [None, 5]]), True, "major"),
        ("output shape changed", SIG, _sig(serving_default__outputs__y=["float32", [None, 3]]), False, "major"),
        ("new required input", SIG, _sig(serving_default__inputs__mask=["bool", [None, 4]]), False, "major"),
        ("signature key removed", extra_sig, SIG, False, "major"),
        ("input renamed", SIG, _sig(serving_default__inputs__x=None, serving_default__inputs__features=[
            "float32", [None, 4]]), False, "major"),
    ]
    for label, old, new, retrained, level in cases:
        got = student.call("next_version", base, old, new, retrained)
        assert got == _bump(base, level), f"next_version for '{label}' should be a {level} bump of {base}"
    checks.assert_value(student.call("next_version", "1.9.9", SIG, SIG, True), "1.10.0",
                        name="next_version('1.9.9', ...) for a retrain (numbers, not digits)")
    for bad in ("1.2", "v1.2.3", "1.2.x", "1.2.3.4", " 1.2.3"):
        checks.assert_raises(student.call, "next_version", bad, SIG, SIG, False, exc_type="ValueError")


@pytest.mark.points(2)
def test_dataset_fingerprint(student, rng):
    files = {f"part-{k}.csv": rng.bytes(int(rng.integers(20, 80))) for k in range(4)}
    names = sorted(files)
    want = hashlib.sha256("\n".join(sorted(hashlib.sha256(files[n]).hexdigest() for n in names)).encode()).hexdigest()
    got = student.probe("fingerprint", files, names)
    assert got == want, "dataset_fingerprint differs from the spec (sorted per-file SHA-256 hex digests, '\\n'-joined)"
    assert student.probe("fingerprint", files, names[::-1]) == want, "the fingerprint must not depend on file order"
    renamed = {("renamed-" + k): v for k, v in files.items()}
    assert student.probe("fingerprint", renamed, sorted(renamed)) == want, "file names must not matter"
    changed = dict(files)
    data = bytearray(changed[names[1]])
    data[0] ^= 1
    changed[names[1]] = bytes(data)
    assert student.probe("fingerprint", changed, names) != want, "changing one byte must change the fingerprint"
