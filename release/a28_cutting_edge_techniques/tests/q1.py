from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_mixed_op_and_front", points=1, hidden=False)
def test_mixed_op_and_front(MixedOp, pareto_front):
    import numpy as np
    import tensorflow as tf

    layer = MixedOp(3)
    x = tf.random.normal((2, 10, 3))
    out = layer(x)
    assert out.shape == (2, 10, 3)
    outs = layer.op_outputs(x)
    assert len(outs) == 5
    want = sum(o / 5.0 for o in outs)  # alpha starts at zero: equal weights
    assert np.allclose(out.numpy(), want.numpy(), atol=1e-5)
    assert pareto_front([(0.9, 10.0), (0.8, 5.0), (0.7, 7.0), (0.95, 30.0)]) == [0, 1, 3]
