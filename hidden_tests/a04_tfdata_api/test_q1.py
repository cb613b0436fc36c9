"""Hidden tests for A04 Q1: datasets from generators, CSV, text lines, TFRecord files, SQLite and image folders."""

import numpy as np
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


@pytest.mark.points(2)
def test_sql_rows_read_when_iterated(student, rng):
    n, late, min_count = int(rng.integers(12, 30)), int(rng.integers(2, 5)), int(rng.integers(3, 7))
    ids = rng.permutation(1000)[:n]  # the late rows interleave with the early ones by id
    values = np.round(rng.normal(0, 100, n), 3)
    counts = rng.integers(0, 10, n)
    names = ["".join(rng.choice(list("abcdefgh_"), size=int(rng.integers(1, 7)))) for _ in range(n)]
    got = student.probe("q1_sql", ids, values, counts, names, late, min_count)
    want = sorted((int(i), float(v), str(s)) for i, v, c, s in zip(ids, values, counts, names, strict=True)
                  if c >= min_count)
    checks.assert_value(got["spec"],
                        [["int64", [], "TensorSpec"], ["float64", [], "TensorSpec"], ["string", [], "TensorSpec"]],
                        name="sql_dataset(...).element_spec (int64 id, float64 value, string name)")
    checks.assert_value([tuple(row) for row in got["rows"]], [tuple(row) for row in want],
                        name=f"sql_dataset rows with count >= {min_count}, ordered by id, including the rows "
                             "inserted after the dataset was built (SqlDataset runs the query when iterated)")


@pytest.mark.points(2)
def test_image_folder_labels_order_and_scaling(student, reference, rng):
    classes = sorted({"".join(rng.choice(list("klmnopq"), size=4)) for _ in range(3)})
    labels, names, images = [], [], []
    for label in rng.permutation(classes):  # written in a random order: labels come from the sorted names
        for k in rng.permutation(int(rng.integers(2, 5))):
            labels.append(str(label))
            names.append(f"img{int(k):02d}.png")
            images.append(rng.integers(0, 256, (int(rng.integers(6, 12)), int(rng.integers(6, 12)), 3), np.uint8))
    size, batch = int(rng.integers(4, 8)), int(rng.integers(3, 5))
    args = (images, labels, names, size, batch)
    got = student.probe("q1_image_folder", *args)
    order = sorted(range(len(names)), key=lambda i: (labels[i], names[i]))
    expected_labels = [classes.index(labels[i]) for i in order]
    checks.assert_value(got["spec"],
                        [["float32", [None, size, size, 3], "TensorSpec"], ["int32", [None], "TensorSpec"]],
                        name="image_folder_dataset(...).element_spec")
    got_labels = [int(v) for batch_labels in got["labels"] for v in batch_labels]
    checks.assert_value(got_labels, expected_labels,
                        name="labels in file order (classes by sorted folder name, files sorted, no shuffling)")
    checks.assert_value([len(b) for b in got["labels"]],
                        [min(batch, len(order) - i) for i in range(0, len(order), batch)], name="batch sizes")
    want = reference.probe("q1_image_folder", *args)
    for i, (g, w) in enumerate(zip(got["images"], want["images"], strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=0, atol=1e-5,
                             name=f"batch {i} of images (resized, RGB, scaled from [0, 255] to [-1, 1])")
