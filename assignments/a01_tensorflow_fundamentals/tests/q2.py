from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


def _graph():
    import tensorflow as tf

    return tf.function(lambda x: x * 2.0 + 1.0).get_concrete_function(tf.TensorSpec([None], tf.float32, name="x"))


@test_case(name="test_graph_of_and_histogram", points=1, hidden=False)
def test_graph_of_and_histogram(graph_of, op_histogram):
    import tensorflow as tf

    g = graph_of(lambda x: x * 2.0 + 1.0, [tf.TensorSpec([None], tf.float32)])
    assert isinstance(g, tf.Graph), "graph_of must return a tf.Graph"
    hist = op_histogram(g)
    assert hist.get("Mul") == 1 and hist.get("AddV2") == 1, f"unexpected histogram {hist}"


@test_case(name="test_topological_order_simple", points=1, hidden=False)
def test_topological_order_simple(topological_order):
    gd = _graph().graph.as_graph_def()
    order = topological_order(gd)
    assert sorted(order) == sorted(n.name for n in gd.node), "every node exactly once"
    pos = {n: i for i, n in enumerate(order)}
    for node in gd.node:
        for inp in node.input:
            src = inp.lstrip("^").split(":")[0]
            assert pos[src] < pos[node.name], f"{src} must come before {node.name}"


@test_case(name="test_evaluate_graph_def_simple", points=1, hidden=False)
def test_evaluate_graph_def_simple(evaluate_graph_def):
    import numpy as np

    cf = _graph()
    x = np.array([0.0, 1.5, -2.0], np.float32)
    got = evaluate_graph_def(cf.graph.as_graph_def(), {"x": x}, cf.outputs[0].name)
    assert isinstance(got, np.ndarray), "return a NumPy array"
    np.testing.assert_allclose(got, x * 2 + 1, rtol=1e-6)
