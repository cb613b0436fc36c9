from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_tensor_info_eager", points=1, hidden=False)
def test_tensor_info_eager(tensor_info):
    import tensorflow as tf

    assert tuple(tensor_info(tf.zeros([2, 3]))) == (2, (2, 3), "float32")
    assert tuple(tensor_info(tf.constant(5))) == (0, (), "int32")


@test_case(name="test_run_v1_graph_simple", points=1, hidden=False)
def test_run_v1_graph_simple(run_v1_graph):
    import numpy as np
    import tensorflow as tf

    def build():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        return {"x": x}, x * 3.0

    got = run_v1_graph(build, {"x": np.array([1.0, 2.0], np.float32)})
    np.testing.assert_allclose(got, [3.0, 6.0])
    assert tf.executing_eagerly(), "eager execution must still be on"
