from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_migrate_a_v1_checkpoint", points=1, hidden=False)
def test_migrate_a_v1_checkpoint(v1_variable_shapes, MigratedMLP, export_migrated):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    v1 = tf.compat.v1
    folder = tempfile.mkdtemp()
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        with v1.variable_scope("dense_0"):
            k0 = v1.get_variable("kernel", initializer=np.arange(12, dtype=np.float32).reshape(3, 4) / 10 - 0.5)
            b0 = v1.get_variable("bias", initializer=np.full(4, 0.1, np.float32))
        with v1.variable_scope("dense_1"):
            k1 = v1.get_variable("kernel", initializer=np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2))
            b1 = v1.get_variable("bias", initializer=np.array([0.2, -0.2], np.float32))
        probs = tf.nn.softmax(tf.matmul(tf.nn.relu(tf.matmul(x, k0) + b0), k1) + b1)
        step = v1.train.get_or_create_global_step()
        saver = v1.train.Saver()
        feed = np.array([[1.0, 2.0, -1.0], [0.0, 0.5, 0.5]], np.float32)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            expected = sess.run(probs, feed_dict={x: feed})
            prefix = saver.save(sess, os.path.join(folder, "model.ckpt"), global_step=step)
    shapes = v1_variable_shapes(prefix)
    assert shapes["dense_0/kernel"] == [3, 4] and "global_step" in shapes, f"got {shapes}"
    module = MigratedMLP(prefix)
    assert isinstance(module, tf.Module) and len(module.trainable_variables) == 4
    np.testing.assert_allclose(module(tf.constant(feed)).numpy(), expected, rtol=1e-5, atol=1e-6)
    export_migrated(module, os.path.join(folder, "exported"))
    reloaded = tf.saved_model.load(os.path.join(folder, "exported"))
    np.testing.assert_allclose(reloaded(tf.constant(feed)).numpy(), expected, rtol=1e-5, atol=1e-6)
