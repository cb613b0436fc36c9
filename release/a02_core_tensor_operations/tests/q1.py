from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_make_tensors_shapes_and_reproducibility", points=1, hidden=False)
def test_make_tensors_shapes_and_reproducibility(make_tensors):
    import numpy as np
    import tensorflow as tf

    a, b = make_tensors(3), make_tensors(3)
    assert sorted(a) == ["bias_10", "eye4", "fill_2x3_7", "normal_2x4", "uniform_3", "zeros33"], sorted(a)
    assert tuple(a["normal_2x4"].shape) == (2, 4) and a["fill_2x3_7"].dtype == tf.int32
    assert isinstance(a["bias_10"], tf.Variable), "bias_10 must be a tf.Variable"
    assert np.array_equal(a["normal_2x4"].numpy(), b["normal_2x4"].numpy()), "same seed, same draws (stateless RNG)"
    np.testing.assert_array_equal(a["eye4"].numpy(), np.eye(4, dtype=np.float32))


@test_case(name="test_fans_and_glorot_limit", points=1, hidden=False)
def test_fans_and_glorot_limit(compute_fans, glorot_uniform, he_normal):
    import numpy as np

    assert tuple(compute_fans((784, 10))) == (784, 10)
    assert tuple(compute_fans((3, 3, 64, 128))) == (576, 1152), "conv fans include the receptive field"
    w = glorot_uniform((784, 10), 0).numpy()
    assert w.shape == (784, 10) and w.dtype == np.float32
    assert np.abs(w).max() <= np.sqrt(6 / 794), "Glorot uniform draws lie in [-limit, limit]"
    h = he_normal((300, 200), 0).numpy()
    assert abs(h.std() - np.sqrt(2 / 300)) < 0.05 * np.sqrt(2 / 300), "He normal std should be sqrt(2 / fan_in)"
