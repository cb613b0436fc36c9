from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_iou_coding_and_nms", points=1, hidden=False)
def test_iou_coding_and_nms(iou, encode_boxes, decode_boxes, nms, yolo_loss):
    import numpy as np

    a = np.array([[0, 0, 10, 10], [5, 5, 15, 15]], np.float32)
    np.testing.assert_allclose(np.asarray(iou(a, a)), [[1, 25 / 175], [25 / 175, 1]], atol=1e-6)
    anchors = np.array([[0, 0, 8, 8], [4, 4, 12, 16]], np.float32)
    np.testing.assert_allclose(np.asarray(decode_boxes(encode_boxes(a, anchors), anchors)), a, atol=1e-4)
    kept = np.asarray(nms(np.concatenate([a, [[0, 1, 10, 11]]]), np.array([0.9, 0.8, 0.95], np.float32), 0.5, 10))
    assert kept.tolist() == [2, 1], "NMS keeps the best box and drops its overlapping twin"
    y_true = np.zeros((1, 4, 4, 8), np.float32)
    y_pred = np.zeros((1, 4, 4, 8), np.float32)
    np.testing.assert_allclose(float(yolo_loss(y_true, y_pred)), 0.5 * 16 * np.log(2), rtol=1e-5)
