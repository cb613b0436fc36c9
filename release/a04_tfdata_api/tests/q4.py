from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_fast_pipeline_elements", points=1, hidden=False)
def test_fast_pipeline_elements(fast_pipeline, slow_read_shard, slow_lookup):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    folder, paths = tempfile.mkdtemp(), []
    for s in range(4):
        paths.append(os.path.join(folder, f"s{s}.tfrecord"))
        with tf.io.TFRecordWriter(paths[-1]) as w:
            for j in range(5):
                f = {"id": tf.train.Feature(int64_list=tf.train.Int64List(value=[s * 5 + j])),
                     "x": tf.train.Feature(float_list=tf.train.FloatList(value=[float(j)] * 4))}
                w.write(tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString())
    batches = list(fast_pipeline(paths, slow_read_shard, slow_lookup, 6))
    assert all(int(b["id"].shape[0]) <= 6 for b in batches)
    ids = np.concatenate([b["id"].numpy() for b in batches])
    price = np.concatenate([b["price"].numpy() for b in batches])
    assert sorted(ids.tolist()) == list(range(20)), "every record exactly once"
    np.testing.assert_allclose(price, (ids * 37 % 101) / 10, rtol=1e-6)
