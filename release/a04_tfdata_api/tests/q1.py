from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_squares_and_csv", points=1, hidden=False)
def test_squares_and_csv(squares_dataset, csv_dataset):
    import os
    import tempfile

    ds = squares_dataset(5)
    assert len(ds) == 5, "apply assert_cardinality(n) so that len(ds) works"
    assert [tuple(int(v) for v in e) for e in ds.as_numpy_iterator()] == [(0, 0), (1, 1), (2, 4), (3, 9), (4, 16)]
    path = os.path.join(tempfile.mkdtemp(), "t.csv")
    with open(path, "w") as f:
        f.write("value,count,name\n1.5,2,ab\n,,\n")
    rows = list(csv_dataset(path).as_numpy_iterator())
    assert rows[0] == (1.5, 2, b"ab") and rows[1] == (0.0, -1, b"?"), rows


@test_case(name="test_lines_and_tfrecords", points=1, hidden=False)
def test_lines_and_tfrecords(lines_dataset, tfrecord_dataset):
    import os
    import tempfile

    import tensorflow as tf

    folder = tempfile.mkdtemp()
    for name, lines in (("b.txt", ["header", "b1"]), ("a.txt", ["header", "a1", "a2"])):
        with open(os.path.join(folder, name), "w") as f:
            f.write("\n".join(lines) + "\n")
        with tf.io.TFRecordWriter(os.path.join(folder, name + ".tfrecord")) as w:
            for line in lines:
                w.write(line.encode())
    got = [s.decode() for s in lines_dataset(os.path.join(folder, "*.txt")).as_numpy_iterator()]
    assert got == ["a1", "a2", "b1"], f"{got}: sorted files, every file's header skipped"
    records = [s.decode() for s in tfrecord_dataset(os.path.join(folder, "*.tfrecord")).as_numpy_iterator()]
    assert records == ["header", "a1", "a2", "header", "b1"], records
