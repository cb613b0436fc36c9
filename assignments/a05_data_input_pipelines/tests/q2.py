from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_image_pipeline_shapes_and_seeds", points=1, hidden=False)
def test_image_pipeline_shapes_and_seeds(image_pipeline):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    folder = tempfile.mkdtemp()
    image = np.zeros((30, 40, 3), np.uint8)
    image[:, :20] = (255, 0, 0)
    image[:, 20:] = (0, 0, 255)
    paths = [os.path.join(folder, "a.png"), os.path.join(folder, "b.jpg"), os.path.join(folder, "c.png")]
    tf.io.write_file(paths[0], tf.io.encode_png(image))
    tf.io.write_file(paths[1], tf.io.encode_jpeg(image, quality=95))
    tf.io.write_file(paths[2], tf.io.encode_png(image[..., :1]))
    data = image_pipeline(paths, [0, 1, 2], 16, 2)
    assert data.element_spec[0].shape.as_list() == [None, 16, 16, 3], data.element_spec
    (x1, y1), (x2, y2) = list(data)
    assert x1.dtype == tf.float32 and y1.numpy().tolist() == [0, 1] and x2.shape[0] == 1
    assert abs(float(x1[0, 8, 2, 0]) - 1.0) < 1e-6 and abs(float(x1[0, 8, 13, 2]) - 1.0) < 1e-6, "left red, right blue"
    assert abs(float(x1[1, 8, 2, 0]) - 1.0) < 0.05, "the JPEG decodes to nearly the same colours"
    a = list(image_pipeline(paths, [0, 1, 2], 16, 3, training=True, seed=5))[0][0]
    b = list(image_pipeline(paths, [0, 1, 2], 16, 3, training=True, seed=5))[0][0]
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert float(tf.reduce_min(a)) >= 0.0 and float(tf.reduce_max(a)) <= 1.0


@test_case(name="test_image_pipeline_crop_and_symmetric_range", points=1, hidden=False)
def test_image_pipeline_crop_and_symmetric_range(image_pipeline):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    folder = tempfile.mkdtemp()
    image = np.zeros((20, 40, 3), np.uint8)
    image[:, :10] = (255, 0, 0)
    image[:, 10:30] = (0, 255, 0)
    image[:, 30:] = (0, 0, 255)
    path = os.path.join(folder, "wide.png")
    tf.io.write_file(path, tf.io.encode_png(image))
    (x, _), = list(image_pipeline([path], [0], 10, 1, crop=True, symmetric=True))
    assert x.shape == (1, 10, 10, 3), x.shape
    assert float(tf.reduce_min(x)) >= -1.0 and float(tf.reduce_max(x)) <= 1.0
    # The central 10 of the 20 resized columns are the green middle third: no red, no blue survives the crop.
    np.testing.assert_allclose(x[0].numpy(), np.broadcast_to([-1.0, 1.0, -1.0], (10, 10, 3)), atol=1e-5)
