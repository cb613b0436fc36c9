"""Hidden tests for A04 Q6: tf.train.Example round trips, sharded TFRecords, Dataset.save/load, snapshot."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


def _records(rng, n, dim):
    names = ["alpha", "", "naïve", "数据", "x" * 40, "tf.data"]
    return [{"id": int(rng.integers(-10**12, 10**12)),
             "embedding": rng.normal(size=dim).astype(np.float32),
             "tokens": rng.integers(-5, 10**9, size=int(rng.integers(0, 7))).astype(np.int64),
             "name": str(rng.choice(names))} for _ in range(n)]


def _check_parsed(parsed, records, what):
    assert isinstance(parsed, list) and len(parsed) == len(records), f"{what}: expected {len(records)} records"
    for i, (p, r) in enumerate(zip(parsed, records, strict=True)):
        assert isinstance(p, dict) and sorted(p) == ["embedding", "id", "name", "tokens"], (
            f"{what}: record {i} should be a dict with keys embedding, id, name, tokens, got {p!r:.200}")
        checks.assert_value(p["id"], r["id"], name=f"{what}: record {i} id")
        checks.assert_tensor(p["embedding"], r["embedding"], dtype="float32", rtol=0, atol=0,
                             name=f"{what}: record {i} embedding")
        checks.assert_tensor(np.asarray(p["tokens"], np.int64).reshape(-1), r["tokens"], rtol=0, atol=0,
                             name=f"{what}: record {i} tokens (variable length, possibly empty)")
        checks.assert_value(p["name"], r["name"], name=f"{what}: record {i} name (UTF-8)")


@pytest.mark.points(3)
def test_example_serialization_crosses_with_the_reference(student, reference, rng):
    dim = int(rng.integers(2, 6))
    records = _records(rng, 6, dim)
    # The student's bytes parsed by the reference, and the reference's bytes parsed by the student.
    _check_parsed(reference.probe("q6_parse_hex", student.probe("q6_serialize_hex", records), dim), records,
                  "your serialize_example, parsed by the reference")
    _check_parsed(student.probe("q6_parse_hex", reference.probe("q6_serialize_hex", records), dim), records,
                  "parse_example of the reference's serialized Examples")


@pytest.mark.points(3)
def test_sharded_tfrecord_round_trip_with_compression(student, rng):
    dim = int(rng.integers(2, 5))
    for compression in ("", "GZIP", "ZLIB"):
        records = _records(rng, int(rng.integers(7, 15)), dim)
        shards = int(rng.integers(2, 4))
        got = student.probe("q6_roundtrip", records, dim, shards, compression)
        names = [f"data-{s:05d}-of-{shards:05d}.tfrecord" for s in range(shards)]
        assert got["names"] == names, f"write_tfrecords returned {got['names']}, expected the paths of {names}"
        assert got["files"] == names, f"the folder holds {got['files']}, expected exactly {names}"
        order = [j for s in range(shards) for j in range(s, len(records), shards)]
        _check_parsed(got["parsed"], [records[j] for j in order],
                      f"read_tfrecords(write_tfrecords(..., {shards} shards, compression={compression!r}))")
        want_ids = [[records[j]["id"] for j in range(s, len(records), shards)] for s in range(shards)]
        assert got["shard_ids"] == want_ids, "record j must go to shard j % num_shards, in order"
        assert got["spec"]["embedding"][:2] == ["float32", [dim]] and got["spec"]["tokens"][:2] == ["int64", [None]], (
            f"read_tfrecords element_spec {got['spec']}: embedding should be float32 ({dim},), tokens int64 (None,)")


@pytest.mark.points(2)
def test_save_and_load(student, reference, rng):
    seed, n = int(rng.integers(1 << 20)), int(rng.integers(5, 15))
    got = student.probe("q6_save_load", seed, n)
    want = reference.probe("q6_save_load", seed, n)
    assert "dataset_spec.pb" in got["files"], (
        f"nothing saved with Dataset.save at path (found {got['files']}): call ds.save(path)")
    assert "LoadDataset" in got["ops"], "return tf.data.Dataset.load(path), not the original dataset"
    checks.assert_value(got["spec"], got["original_spec"], name="element_spec of the loaded dataset")
    checks.assert_value(got["elements"], want["elements"], name="elements of the loaded dataset")


@pytest.mark.points(2)
def test_snapshot_is_read_back_on_the_second_pass(student, reference, rng):
    n = int(rng.integers(5, 20))
    got = student.probe("q6_snapshot", n)
    want = reference.probe("q6_snapshot", n)
    checks.assert_value(got["first"], want["first"], name="first pass of snapshot_pipeline")
    checks.assert_value(got["second"], want["first"], name="second pass of snapshot_pipeline")
    assert "SnapshotDatasetV2" in got["ops"], "use ds.map(expensive_fn).snapshot(path)"
    assert any(name.endswith("snapshot.metadata") for name in got["written"]), "no snapshot was written under path"
    assert got["calls_second"] == 0, (
        f"the second pass ran expensive_fn {got['calls_second']} times: snapshot after the map, so the second pass "
        "reads the snapshot")
