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


@test_case(name="test_sql_and_image_folder", points=1, hidden=False)
def test_sql_and_image_folder(sql_dataset, image_folder_dataset):
    import os
    import sqlite3
    import tempfile

    import numpy as np
    import tensorflow as tf

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "items.db")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, value REAL, count INTEGER, name TEXT)")
    db.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", [(2, 0.5, 4, "b"), (1, 1.5, 1, "a")])
    db.commit()
    ds = sql_dataset(path, 2)
    db.execute("INSERT INTO items VALUES (0, 2.5, 9, 'c')")
    db.commit()
    db.close()
    rows = list(ds.as_numpy_iterator())
    assert rows == [(0, 2.5, b"c"), (2, 0.5, b"b")], f"{rows}: count >= 2, by id, read when iterated"
    for label in ("dog", "cat"):
        os.makedirs(os.path.join(folder, "images", label))
        tf.io.write_file(os.path.join(folder, "images", label, "a.png"),
                         tf.io.encode_png(np.full((5, 5, 3), 255 if label == "dog" else 0, np.uint8)))
    images, labels = next(iter(image_folder_dataset(os.path.join(folder, "images"), 4, 8)))
    assert images.shape == (2, 4, 4, 3) and labels.numpy().tolist() == [0, 1], (images.shape, labels)
    assert float(images[0].numpy().max()) == -1.0 and float(images[1].numpy().min()) == 1.0, "scale to [-1, 1]"
