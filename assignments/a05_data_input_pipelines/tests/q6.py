from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_big_endian_and_shards", points=1, hidden=False)
def test_big_endian_and_shards(read_big_endian_records, list_shards):
    import os
    import pathlib
    import tempfile

    import numpy as np

    folder = tempfile.mkdtemp()
    table = np.zeros(3, np.dtype([("id", ">i4"), ("x", ">f4", (2,))]))
    table["id"], table["x"] = [1, -2, 300], [[0.5, 1.5], [2.5, 3.5], [4.5, -5.5]]
    path = os.path.join(folder, "r.bin")
    pathlib.Path(path).write_bytes(table.tobytes())
    rows = list(read_big_endian_records(path, 2))
    assert [int(i) for i, _ in rows] == [1, -2, 300], "big-endian: decode_raw(..., little_endian=False)"
    assert rows[2][1].numpy().tolist() == [4.5, -5.5]
    os.makedirs(os.path.join(folder, "train"))
    for name in ("train-10.bin", "train-2.bin", "notes.txt"):
        pathlib.Path(folder, "train", name).write_bytes(b"")
    names = [os.path.basename(p) for p in list_shards(pathlib.Path(folder), "train")]
    assert names == ["train-2.bin", "train-10.bin"], names


@test_case(name="test_preprocessor_round_trip", points=1, hidden=False)
def test_preprocessor_round_trip(RecordPreprocessor, save_and_reload):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    table = np.zeros(2, np.dtype([("id", ">i4"), ("x", ">f4", (2,))]))
    table["id"], table["x"] = [5, 6], [[1.0, 2.0], [3.0, 6.0]]
    records = tf.constant([table[i:i + 1].tobytes() for i in range(2)])
    module = RecordPreprocessor([1.0, 2.0], [2.0, 4.0])
    out = module(records)
    assert out["id"].numpy().tolist() == [5, 6]
    np.testing.assert_allclose(out["features"].numpy(), [[0.0, 0.0], [1.0, 1.0]])
    loaded = save_and_reload(module, os.path.join(tempfile.mkdtemp(), "pre"))
    np.testing.assert_array_equal(loaded(records)["features"].numpy(), out["features"].numpy())
