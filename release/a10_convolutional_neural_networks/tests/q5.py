from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_iou_and_nms", points=1, hidden=False)
def test_iou_and_nms(box_iou, nms):
    import numpy as np
    import tensorflow as tf

    a = np.array([[0, 0, 10, 10], [0, 5, 10, 15], [20, 20, 30, 30]], np.float32)
    np.testing.assert_allclose(np.asarray(box_iou(a, a))[0], [1.0, 1.0 / 3.0, 0.0], atol=1e-6)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    want = tf.image.non_max_suppression(a, scores, 3, 0.3).numpy()
    assert list(np.asarray(nms(a, scores, 3, 0.3))) == list(want)


@test_case(name="test_box_coding_round_trip", points=1, hidden=False)
def test_box_coding_round_trip(generate_anchors, encode_boxes, decode_boxes):
    import numpy as np

    anchors = np.asarray(generate_anchors((2, 2), 8, [8.0], [1.0, 2.0]))
    assert anchors.shape == (8, 4)
    np.testing.assert_allclose(anchors[0], [0.0, 0.0, 8.0, 8.0], atol=1e-5)
    boxes = anchors + np.array([1.0, -1.0, 2.0, 1.5], np.float32)
    np.testing.assert_allclose(np.asarray(decode_boxes(encode_boxes(boxes, anchors), anchors)), boxes, atol=1e-4)
