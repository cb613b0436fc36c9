from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_f1_and_iou_stream", points=1, hidden=False)
def test_f1_and_iou_stream(StreamingF1, PresentClassIoU):
    import numpy as np
    import tensorflow as tf

    y = np.array([0, 1, 2, 2, 1, 0])
    pred = np.array([0, 2, 2, 1, 1, 0])
    scores = tf.one_hot(pred, 4)
    f1 = StreamingF1(4, "macro")
    assert float(f1.result()) == 0.0
    f1.update_state(y[:2], scores[:2])
    f1.update_state(y[2:], scores[2:])
    # class 3 never occurs: macro F1 over classes 0, 1, 2 = (1 + 0.5 + 0.5) / 3
    np.testing.assert_allclose(float(f1.result()), 2.0 / 3.0, rtol=1e-6)
    iou = PresentClassIoU(4)
    iou.update_state(y, scores)
    np.testing.assert_allclose(float(iou.result()), (1.0 + 1 / 3 + 1 / 3) / 3, rtol=1e-6)
    iou.reset_state()
    assert float(iou.result()) == 0.0
