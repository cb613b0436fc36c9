from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_output_size_and_padding", points=1, hidden=False)
def test_output_size_and_padding(conv_output_size, same_pad_amounts):
    assert conv_output_size(7, 3, 1, "VALID", 1) == 5
    assert conv_output_size(7, 3, 2, "SAME", 1) == 4
    assert conv_output_size(9, 3, 1, "VALID", 2) == 5
    assert tuple(same_pad_amounts(5, 2, 2, 1)) == (0, 1), "TF puts the odd padding zero after (bottom/right)"


@test_case(name="test_conv_matches_tf", points=1, hidden=False)
def test_conv_matches_tf(conv2d_by_hand):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(2, 7, 8, 4)), tf.float32)
    k = tf.constant(rng.normal(size=(3, 3, 2, 6)), tf.float32)
    b = tf.constant(rng.normal(size=(6,)), tf.float32)
    for stride, padding, dilation in ((1, "VALID", 1), (2, "SAME", 1), (1, "SAME", 2)):
        got = conv2d_by_hand(x, k, b, stride, padding, dilation, groups=2)
        want = tf.nn.conv2d(x, k, stride, padding, dilations=dilation) + b
        np.testing.assert_allclose(np.asarray(got), want.numpy(), atol=1e-4)
