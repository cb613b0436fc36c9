from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_space_to_depth_small", points=1, hidden=False)
def test_space_to_depth_small(space_to_depth, depth_to_space):
    import numpy as np
    import tensorflow as tf

    x = tf.reshape(tf.range(16), (1, 4, 4, 1))
    y = space_to_depth(x, 2)
    assert tuple(y.shape) == (1, 2, 2, 4), tuple(y.shape)
    assert y[0, 0, 0].numpy().tolist() == [0, 1, 4, 5], "the first block is pixels (0,0), (0,1), (1,0), (1,1)"
    np.testing.assert_array_equal(depth_to_space(y, 2).numpy(), x.numpy())


@test_case(name="test_patchify_round_trip", points=1, hidden=False)
def test_patchify_round_trip(patchify, unpatchify):
    import numpy as np
    import tensorflow as tf

    images = tf.random.stateless_normal((2, 6, 4, 3), seed=[1, 2])
    patches = patchify(images, 2)
    assert tuple(patches.shape) == (2, 6, 12), tuple(patches.shape)
    np.testing.assert_array_equal(patches[0, 1].numpy(), tf.reshape(images[0, 0:2, 2:4], [-1]).numpy())
    np.testing.assert_array_equal(unpatchify(patches, 2, 6, 4).numpy(), images.numpy())
