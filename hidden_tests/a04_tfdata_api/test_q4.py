"""Hidden tests for A04 Q4: a fast input pipeline (parallel interleave, vectorized and parallel maps, prefetch)."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


@pytest.mark.points(2)
def test_fast_pipeline_yields_the_naive_elements(student, rng):
    seed = int(rng.integers(1 << 30))
    got = student.probe("student_pipeline", seed, 16)
    want = student.probe("naive_pipeline", seed, 16)
    checks.assert_tensor(got, want, rtol=1e-6, atol=1e-6,
                         name="fast_pipeline elements, one row (id, x0..x3, price) per record sorted by id, "
                              "against the naive pipeline's")


@pytest.mark.points(2)
def test_fast_pipeline_batches_and_spec(student, reference, rng):
    seed, batch_size = int(rng.integers(1 << 30)), int(rng.integers(5, 12))
    got = student.probe("q4_structure", seed, batch_size)
    want = reference.probe("q4_structure", seed, batch_size)
    checks.assert_value(got["spec"], want["spec"], name="fast_pipeline(...).element_spec")
    checks.assert_value(sorted(got["batch_sizes"]), sorted(want["batch_sizes"]),
                        name=f"sorted batch sizes of fast_pipeline(batch_size={batch_size})")


@pytest.mark.points(2)
def test_fast_pipeline_uses_parallel_stages(student, rng):
    got = student.probe("q4_structure", int(rng.integers(1 << 30)), 16)
    ops, stages = got["ops"], got["stages"]
    assert any(op.startswith("ParallelInterleaveDataset") for op in ops), (
        "read the shards with interleave(read_shard, cycle_length=..., num_parallel_calls=...)")
    assert any(op.startswith("ParallelMapDataset") for op in ops), "use map(..., num_parallel_calls=...)"
    # Read from the graph TF builds for the dataset: how many shards are open at once, and by how many readers.
    shards = 8  # probes.Q4_SHARDS
    for stage in stages:
        if stage["op"].startswith("ParallelInterleaveDataset"):
            cycle_length, parallel_calls = stage["ints"][-5], stage["ints"][-1]
            assert cycle_length == shards and parallel_calls == shards, (
                f"the shard reader interleaves with cycle_length={cycle_length} and num_parallel_calls="
                f"{'AUTOTUNE' if parallel_calls == -1 else parallel_calls}; with {shards} shards both should be "
                f"{shards}: every shard open at once, each read by its own thread while the others wait on I/O")
    serial = [stage["op"] for stage in stages if stage["op"] == "MapDataset"]
    assert not serial, (
        f"{len(serial)} map stage(s) of the pipeline run one element at a time: give every map num_parallel_calls")
    assert ops.index("BatchDatasetV2") < max(i for i, op in enumerate(ops) if "MapDataset" in op), (
        "map after batch (vectorized parse and lookup of whole batches)")
    assert "PrefetchDataset" in ops, "end the pipeline with prefetch(tf.data.AUTOTUNE)"


@pytest.mark.points(4)
def test_fast_pipeline_beats_the_naive_baseline(student, reference, rng, thresholds):
    def make_args(r):
        return [int(r.integers(1 << 30)), 16]

    # The trusted baseline first, in the reference worker: the student's outputs are checked against it in every
    # trial, and the student's sandbox is stopped while it is timed.
    checks.assert_speed(
        {"naive pipeline": (reference, "probes.naive_pipeline"), "fast_pipeline": (student, "probes.student_pipeline")},
        make_args, rng, fast="fast_pipeline", slow="naive pipeline", min_ratio=thresholds["min_speedup"],
        trials=3, calls=2)
