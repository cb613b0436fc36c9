"""Hidden tests for A05 Q1: reading CSV, JSON Lines and TFRecord files.

The probe writes the files inside each worker from a seed drawn here, so student and reference read
byte-identical files that nobody could see in advance.
"""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _compare(got, want, what, atol=0.0):
    """Spec first (keys, shapes, dtypes), then element count, then every value."""
    checks.assert_value(got["spec"], want["spec"], name=f"{what}: the dataset's element_spec ([shape, dtype])")
    checks.assert_value(got["count"], want["count"], name=f"{what}: the number of elements (rows)")
    for path, expected in want["values"].items():
        checks.assert_tensor(got["values"][path], expected, expect="array", rtol=1e-6, atol=atol,
                             name=f"{what}: values of {path!r}")


@pytest.mark.points(3)
def test_csv_values_defaults_and_dtypes(student, reference, rng):
    seed, rows, batch = int(rng.integers(10**6)), int(rng.integers(40, 70)), int(rng.integers(4, 9))
    got = student.probe("csv_probe", seed, rows, batch)
    want = reference.probe("csv_probe", seed, rows, batch)
    _compare(got, want, f"read_csv(file of {rows} rows, batch_size={batch})", atol=1e-6)


def test_csv_reads_once_in_order_with_a_last_partial_batch(student, reference, rng):
    seed, rows, batch = int(rng.integers(10**6)), int(rng.integers(21, 30)), 10
    got = student.probe("csv_probe", seed, rows, batch)
    want = reference.probe("csv_probe", seed, rows, batch)
    checks.assert_value(got["batch_sizes"], want["batch_sizes"],
                        name=f"read_csv batch sizes for {rows} rows in batches of {batch} (one pass, no repeat, "
                             "no shuffle, last batch kept)")


@pytest.mark.points(3)
def test_jsonl_defaults_and_skipped_lines(student, reference, rng):
    seed, rows = int(rng.integers(10**6)), int(rng.integers(40, 80))
    got = student.probe("jsonl_probe", seed, rows)
    want = reference.probe("jsonl_probe", seed, rows)
    _compare(got, want, "read_jsonl (missing keys and nulls take the defaults; blank, malformed and non-object "
                        "lines are skipped)")


@pytest.mark.points(3)
@pytest.mark.parametrize("compression", ["GZIP", "ZLIB", ""])
def test_tfrecords_optional_features_and_compression(student, reference, rng, compression):
    seed, shards, per_shard = int(rng.integers(10**6)), int(rng.integers(2, 5)), int(rng.integers(5, 12))
    got = student.probe("tfrecord_probe", seed, shards, per_shard, compression)
    want = reference.probe("tfrecord_probe", seed, shards, per_shard, compression)
    _compare(got, want, f"read_tfrecords({shards} files, compression={compression!r})")
