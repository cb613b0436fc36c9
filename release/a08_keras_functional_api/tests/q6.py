from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_multitask_net", points=1, hidden=False)
def test_multitask_net(MultiTaskNet, export_multitask):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    net = MultiTaskNet(hidden=8, num_classes=4, dropout=0.5)
    x = np.random.rand(16, 3).astype(np.float32)
    out = net(x)
    assert out["digit"].shape == (16, 4) and out["is_even"].shape == (16, 1)
    np.testing.assert_allclose(net(x)["digit"], net(x, training=False)["digit"])
    net.compile(optimizer="adam")
    y = {"digit": np.array([-1, 1, 2, 3] * 4), "is_even": np.array([1, -1, 1, 0] * 4, np.float32)}
    logs = net.fit(x, y, epochs=1, verbose=0).history
    assert {"loss", "digit_loss", "is_even_loss", "digit_acc"} <= set(logs)
    clone = MultiTaskNet.from_config(net.get_config())
    assert clone(x)["digit"].shape == (16, 4)
    path = export_multitask(net, os.path.join(tempfile.mkdtemp(), "m"), 3)
    served = tf.saved_model.load(path).signatures["serving_default"](features=tf.constant(x))
    np.testing.assert_allclose(served["digit"].numpy(), net(x)["digit"].numpy(), atol=1e-5)
