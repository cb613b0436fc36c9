from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_roi_align_and_mask_iou", points=1, hidden=False)
def test_roi_align_and_mask_iou(roi_align, mask_iou, mask_loss):
    import numpy as np

    f = np.arange(25, dtype=np.float32).reshape(1, 5, 5, 1)
    out = np.asarray(roi_align(f, np.array([[0, 0, 1, 1]], np.float32), np.array([0], np.int32), (1, 1), 1))
    np.testing.assert_allclose(out.ravel(), [12.0], atol=1e-5, err_msg="a 1x1 crop of the whole image is its centre")
    m = np.zeros((2, 4, 4), bool)
    m[0, :2] = True
    m[1, :, :2] = True
    np.testing.assert_allclose(np.asarray(mask_iou(m, m)), [[1, 1 / 3], [1 / 3, 1]], atol=1e-6)
    logits = np.zeros((1, 2, 2, 3), np.float32)
    logits[..., 1] = 50.0
    loss = float(mask_loss(np.ones((1, 2, 2), np.float32), logits, np.array([0]), np.array([True])))
    np.testing.assert_allclose(loss, np.log(2), rtol=1e-5, err_msg="only the ground-truth class's channel counts")
