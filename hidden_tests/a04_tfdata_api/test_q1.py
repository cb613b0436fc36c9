"""Hidden tests for A04 Q1: dataset creation from generators, CSV, text lines and TFRecord files."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


@pytest.mark.points(3)
def test_squares_generator_spec_values_and_length(student, reference, rng):
    n = int(rng.integers(5, 40))
    got = student.probe("q1_squares", n)
    want = reference.probe("q1_squares", n)
    checks.assert_value(got["spec"], want["spec"], name="squares_dataset(n).element_spec "
                        "(output_signature of two scalar int64 TensorSpecs)")
    checks.assert_value(got["elements"], want["elements"], name=f"squares_dataset({n}) elements")
    assert got["cardinality"] == n, (
        f"squares_dataset({n}).cardinality() is {got['cardinality']}, expected {n}: a generator's cardinality is "
        "unknown (-2) until you apply assert_cardinality(n)")


@pytest.mark.points(3)
def test_csv_rows_with_defaults_for_empty_fields(student, reference, rng):
    seed, rows = int(rng.integers(1 << 30)), int(rng.integers(15, 40))
    got = student.probe("q1_csv", seed, rows)
    want = reference.probe("q1_csv", seed, rows)
    checks.assert_value(got["spec"], want["spec"], name="csv_dataset(path).element_spec (float32, int32, string)")
    checks.assert_value(got["rows"], want["rows"], rtol=1e-6,
                        name="csv_dataset rows (header skipped; empty fields give 0.0, -1 and '?')")


@pytest.mark.points(2)
def test_lines_of_every_file_without_headers(student, reference, rng):
    seed, files = int(rng.integers(1 << 30)), int(rng.integers(3, 6))
    got = student.probe("q1_lines", seed, files)
    want = reference.probe("q1_lines", seed, files)
    headers = [line for line in got["lines"] if isinstance(line, str) and line.startswith("#")]
    assert not headers, (f"lines_dataset kept {len(headers)} header line(s), e.g. {headers[0]!r}: skip the first line "
                         "of every file (flat_map over the files with TextLineDataset(f).skip(1))")
    checks.assert_value(got["lines"], want["lines"],
                        name=f"lines_dataset over {files} files (files in sorted name order, lines in file order)")


@pytest.mark.points(2)
def test_tfrecord_files_in_sorted_order(student, reference, rng):
    seed, files = int(rng.integers(1 << 30)), int(rng.integers(3, 6))
    got = student.probe("q1_tfrecords", seed, files)
    want = reference.probe("q1_tfrecords", seed, files)
    checks.assert_value(got["spec"], want["spec"], name="tfrecord_dataset(pattern).element_spec")
    assert sorted(got["records"]) == sorted(want["records"]), (
        "tfrecord_dataset does not yield exactly the records of the matching files")
    checks.assert_value(got["records"], want["records"],
                        name="tfrecord_dataset records (list_files(pattern, shuffle=False): sorted file order)")
