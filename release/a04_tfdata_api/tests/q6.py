from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_tfrecord_round_trip", points=1, hidden=False)
def test_tfrecord_round_trip(write_tfrecords, read_tfrecords):
    import os
    import tempfile

    import numpy as np

    records = [{"id": i, "embedding": np.full(3, i, np.float32), "tokens": np.arange(i, dtype=np.int64),
                "name": f"n{i}"} for i in range(5)]
    paths = write_tfrecords(records, os.path.join(tempfile.mkdtemp(), "d"), 2, "GZIP")
    assert [os.path.basename(p) for p in paths] == ["d-00000-of-00002.tfrecord", "d-00001-of-00002.tfrecord"]
    parsed = list(read_tfrecords(paths, 3, "GZIP").as_numpy_iterator())
    assert [int(p["id"]) for p in parsed] == [0, 2, 4, 1, 3], "record j goes to shard j % num_shards"
    assert parsed[2]["tokens"].tolist() == [0, 1, 2, 3] and parsed[2]["name"] == b"n4"
    assert parsed[1]["embedding"].tolist() == [2.0, 2.0, 2.0]


@test_case(name="test_save_load_snapshot", points=1, hidden=False)
def test_save_load_snapshot(save_and_load, snapshot_pipeline):
    import os
    import tempfile

    import tensorflow as tf

    folder = tempfile.mkdtemp()
    loaded = save_and_load(tf.data.Dataset.range(4), os.path.join(folder, "saved"))
    assert list(loaded.as_numpy_iterator()) == [0, 1, 2, 3]
    assert os.path.exists(os.path.join(folder, "saved", "dataset_spec.pb")), "use ds.save(path)"
    calls = []

    def slow(x):
        calls.append(1)
        return x

    ds = snapshot_pipeline(tf.data.Dataset.range(3),
                           lambda x: tf.ensure_shape(tf.py_function(slow, [x], tf.int64), []),
                           os.path.join(folder, "snap"))
    assert list(ds.as_numpy_iterator()) == [0, 1, 2] and list(ds.as_numpy_iterator()) == [0, 1, 2]
    assert len(calls) == 3, f"expensive_fn ran {len(calls)} times over two passes, expected 3 (snapshot after map)"
