from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_csv_defaults_and_jsonl_skips", points=1, hidden=False)
def test_csv_defaults_and_jsonl_skips(read_csv, read_jsonl):
    import os
    import tempfile

    import numpy as np

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "t.csv")
    with open(path, "w") as f:
        f.write("id,age,income,city,label\n1,30.5,,Oslo,2\n2,,100.0,,0\n3,41,7,Lima,1\n")
    batches = list(read_csv(path, 2))
    assert [int(b[1].shape[0]) for b in batches] == [2, 1], "one pass in file order, last batch kept"
    features, label = batches[0]
    assert sorted(features) == ["age", "city", "income"], sorted(features)
    np.testing.assert_allclose(features["age"].numpy(), [30.5, -1.0])
    np.testing.assert_allclose(features["income"].numpy(), [0.0, 100.0])
    assert features["city"].numpy().tolist() == [b"Oslo", b"unknown"]
    assert label.dtype.name == "int32" and label.numpy().tolist() == [2, 0]

    path = os.path.join(folder, "t.jsonl")
    with open(path, "w") as f:
        f.write('{"user": "a", "clicks": 3, "score": 0.5}\n{"user": \n\n[1]\n{"clicks": null, "extra": 1}\n')
    rows = list(read_jsonl(path))
    assert len(rows) == 2, f"expected 2 valid records, got {len(rows)}"
    assert rows[1]["user"].numpy() == b"" and int(rows[1]["clicks"]) == 0 and float(rows[1]["score"]) == -1.0


@test_case(name="test_tfrecord_defaults", points=1, hidden=False)
def test_tfrecord_defaults(read_tfrecords):
    import os
    import tempfile

    import tensorflow as tf

    path = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
    with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type="GZIP")) as w:
        feature = {"id": tf.train.Feature(int64_list=tf.train.Int64List(value=[7])),
                   "embedding": tf.train.Feature(float_list=tf.train.FloatList(value=[1, 2, 3, 4]))}
        w.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    (row,) = list(read_tfrecords([path], "GZIP"))
    assert int(row["id"]) == 7 and row["tag"].numpy() == b"none" and float(row["weight"]) == 1.0
    assert row["embedding"].numpy().tolist() == [1.0, 2.0, 3.0, 4.0]
