from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_mixup_and_cutmix_labels", points=1, hidden=False)
def test_mixup_and_cutmix_labels(mixup, cutmix, top_k_accuracy):
    import numpy as np

    x = np.arange(4, dtype=np.float32)[:, None, None, None] * np.ones((4, 8, 8, 1), np.float32)
    y = np.eye(4, dtype=np.float32)
    for fn in (mixup, cutmix):
        mx, my = fn(x, y, 1.0, 7)
        assert tuple(mx.shape) == (4, 8, 8, 1) and tuple(my.shape) == (4, 4), f"{fn.__name__}: keep the shapes"
        np.testing.assert_allclose(np.asarray(my).sum(1), 1.0, atol=1e-5, err_msg="label rows must sum to 1")
        # each image's mean pixel is the label-weighted mean of the sample ids
        np.testing.assert_allclose(np.asarray(mx).mean((1, 2, 3)), np.asarray(my) @ np.arange(4), atol=1e-4)
    logits = np.array([[0.1, 0.5, 0.2], [0.9, 0.05, 0.3]], np.float32)
    assert abs(float(top_k_accuracy(np.array([2, 1]), logits, 2)) - 0.5) < 1e-6
