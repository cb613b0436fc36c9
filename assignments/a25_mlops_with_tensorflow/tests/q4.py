from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_versioning_rules", points=1, hidden=False)
def test_versioning_rules(next_version, model_content_hash, signature_of):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    sig = {"serving_default": {"inputs": {"x": ["float32", [None, 3]]}, "outputs": {"y": ["float32", [None, 1]]}}}
    assert next_version("1.2.3", sig, sig, False) == "1.2.4"
    assert next_version("1.2.3", sig, sig, True) == "1.3.0"
    wider = {"serving_default": {"inputs": {"x": ["float32", [None, 4]]}, "outputs": {"y": ["float32", [None, 1]]}}}
    assert next_version("1.2.3", sig, wider, True) == "2.0.0"
    m = tf.Module()
    m.w = tf.Variable(np.ones((3, 1), np.float32))
    m.f = tf.function(lambda x: {"y": tf.matmul(x, m.w)}, input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    folder = tempfile.mkdtemp()
    for k in ("a", "b"):
        tf.saved_model.save(m, os.path.join(folder, k), signatures={"serving_default": m.f})
    assert model_content_hash(os.path.join(folder, "a")) == model_content_hash(os.path.join(folder, "b"))
    assert signature_of(os.path.join(folder, "a"))["serving_default"]["outputs"]["y"] == ["float32", [None, 1]]
