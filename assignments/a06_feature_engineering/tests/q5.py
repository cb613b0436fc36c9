from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_augmenter_and_preprocessing", points=1, hidden=False)
def test_augmenter_and_preprocessing(make_augmenter, preprocess_images, imagenet_normalize):
    import numpy as np
    import tensorflow as tf

    x = tf.random.stateless_uniform((2, 12, 12, 3), seed=[1, 2])
    a = make_augmenter(3)(x, training=True).numpy()
    b = make_augmenter(3)(x, training=True).numpy()
    np.testing.assert_allclose(a, b, atol=1e-6, err_msg="same seed, same augmentation")
    np.testing.assert_array_equal(make_augmenter(3)(x, training=False).numpy(), x.numpy())
    out = preprocess_images(np.full((1, 10, 10, 3), 255, np.uint8), 4).numpy()
    assert out.shape == (1, 4, 4, 3) and np.allclose(out, 1.0)
    np.testing.assert_allclose(imagenet_normalize(np.full((1, 1, 1, 3), 0.485, np.float32)).numpy()[0, 0, 0, 0], 0.0,
                               atol=1e-6)
