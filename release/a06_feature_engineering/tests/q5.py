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


@test_case(name="test_mixup_cutmix_cutout", points=1, hidden=False)
def test_mixup_cutmix_cutout(mixup, cutmix, cutout):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.uniform(size=(4, 8, 8, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    mixed, mixed_y, lam, perm = mixup(x, y, 0.4, 1)
    lam, perm = np.asarray(lam), np.asarray(perm)
    assert sorted(perm.tolist()) == [0, 1, 2, 3]
    np.testing.assert_allclose(np.asarray(mixed_y), lam[:, None] * y + (1 - lam[:, None]) * y[perm], atol=1e-6)
    _, cut_y, boxes, perm = cutmix(x, y, 1.0, 1)
    boxes, perm = np.asarray(boxes), np.asarray(perm)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) / 64.0
    np.testing.assert_allclose(np.asarray(cut_y), (1 - area[:, None]) * y + area[:, None] * y[perm], atol=1e-6)
    erased, boxes = cutout(x + 1.0, 3, 2)
    erased, boxes = np.asarray(erased), np.asarray(boxes)
    y0, x0, y1, x1 = boxes[0]
    assert (erased[0, y0:y1, x0:x1] == 0).all() and (erased[0] == 0).sum() == (y1 - y0) * (x1 - x0) * 3
