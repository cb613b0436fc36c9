"""Hidden tests for A10 Q5: IoU, NMS, anchors, box coding, mAP and a tiny detector.

IoU, anchors, box encoding and mAP are checked against the judge's own NumPy; NMS against
``tf.image.non_max_suppression`` in the reference worker; the detector on scenes drawn here.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")

FORBIDDEN = ["tf.image.non_max_suppression", "tf.image.non_max_suppression_with_scores",
             "tf.image.non_max_suppression_padded", "tf.image.non_max_suppression_overlaps",
             "tf.image.combined_non_max_suppression", "tf.raw_ops.NonMaxSuppressionV3",
             "tf.raw_ops.NonMaxSuppressionV4", "tf.raw_ops.NonMaxSuppressionV5"]


def _iou(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    ih = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iw = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ih * iw
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _boxes(rng, n, size=32.0):
    yx = rng.uniform(0, size * 0.8, (n, 2))
    hw = rng.uniform(2, size * 0.5, (n, 2))
    return np.concatenate([yx, yx + hw], axis=1).astype(np.float32)


@pytest.mark.points(2)
def test_box_iou(student, rng):
    a, b = _boxes(rng, 7), _boxes(rng, 5)
    b = np.concatenate([b, [[100, 100, 110, 120], [5, 5, 5, 5], a[2]]]).astype(np.float32)  # disjoint, empty, equal
    a = np.concatenate([a, [[3, 3, 3, 9]]]).astype(np.float32)  # zero-area box
    checks.assert_tensor(student.call("box_iou", Tensor(a), Tensor(b)), _iou(a, b), dtype="float32", rtol=1e-5,
                         atol=1e-6, name="box_iou (yxyx; disjoint boxes and empty unions give 0)")


def _nms_case(student, reference, boxes, scores, max_out, iou_thr, score_thr, what):
    args = (Tensor(boxes), Tensor(scores), max_out, iou_thr, score_thr)
    got = student.call("nms", *args)
    want = reference.probe("tf_nms", *args)
    checks.assert_tensor(np.asarray(got).astype(np.int64), np.asarray(want).astype(np.int64), expect="any",
                         atol=0, rtol=0, name=f"indices kept by nms vs tf.image.non_max_suppression ({what})")


@pytest.mark.points(3)
def test_nms_matches_tf(student, reference, rng):
    for n, max_out, iou_thr, score_thr in ((30, 10, 0.5, -1e9), (40, 40, 0.3, 0.2), (25, 5, 0.7, -0.5)):
        centres = rng.uniform(4, 28, (4, 2))  # clusters of overlapping boxes
        pick = rng.integers(0, 4, n)
        yx = centres[pick] + rng.normal(0, 1.5, (n, 2))
        hw = rng.uniform(4, 10, (n, 2))
        boxes = np.concatenate([yx - hw / 2, yx + hw / 2], axis=1).astype(np.float32)
        scores = rng.uniform(-1, 1, n).astype(np.float32)
        _nms_case(student, reference, boxes, scores, max_out, iou_thr, score_thr,
                  f"{n} boxes, max {max_out}, IoU threshold {iou_thr}, score threshold {score_thr}")
    # Ties in score: the lower index goes first; an IoU exactly at the threshold is kept.
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 5, 10, 15], [20, 20, 30, 30], [0, 0, 10, 20],
                      [21, 21, 31, 31]], np.float32)
    scores = np.array([0.8, 0.9, 0.9, 0.5, 0.9, 0.7], np.float32)
    _nms_case(student, reference, boxes, scores, 6, 0.5, -1e9, "score ties and an IoU equal to the threshold")
    _nms_case(student, reference, boxes, scores, 6, 0.3, 0.7,
              "IoU threshold 0.3 and a score threshold equal to a score")


@pytest.mark.points(1)
def test_nms_calls_no_library_nms(student, reference, rng):
    boxes, scores = _boxes(rng, 20), rng.uniform(0, 1, 20).astype(np.float32)
    _nms_case(student, reference, boxes, scores, 8, 0.4, 0.1, "20 random boxes")
    checks.assert_no_forbidden_calls(student, "nms", [Tensor(boxes), Tensor(scores), 8, 0.4, 0.1], FORBIDDEN,
                                     why="write the greedy loop with your box_iou")


def _anchors(fh, fw, stride, scales, ratios):
    sizes = [(s / np.sqrt(r), s * np.sqrt(r)) for s in scales for r in ratios]
    out = []
    for i in range(fh):
        for j in range(fw):
            cy, cx = (i + 0.5) * stride, (j + 0.5) * stride
            out += [[cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2] for h, w in sizes]
    return np.array(out)


def _encode(b, a, v):
    b, a = np.asarray(b, np.float64), np.asarray(a, np.float64)
    h, w, ha, wa = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1], a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    cy, cx, cya, cxa = b[:, 0] + h / 2, b[:, 1] + w / 2, a[:, 0] + ha / 2, a[:, 1] + wa / 2
    return np.stack([(cy - cya) / ha / v[0], (cx - cxa) / wa / v[1], np.log(h / ha) / v[2], np.log(w / wa) / v[3]], 1)


@pytest.mark.points(2)
def test_anchors_and_box_coding(student, rng):
    for fh, fw, stride, scales, ratios in ((3, 4, 8, [16.0], [1.0, 2.0, 0.5]), (2, 3, 16, [12.0, 24.0], [1.0, 3.0])):
        got = student.call("generate_anchors", (fh, fw), stride, scales, ratios)
        checks.assert_tensor(got, _anchors(fh, fw, stride, scales, ratios), rtol=1e-5, atol=1e-4,
                             name=f"generate_anchors({(fh, fw)}, stride {stride}, scales {scales}, ratios {ratios}) "
                                  "(order: row, column, scale, ratio)")
    anchors, boxes = _boxes(rng, 12), _boxes(rng, 12)
    for v in ((0.1, 0.1, 0.2, 0.2), (1.0, 1.0, 1.0, 1.0), (0.2, 0.1, 0.5, 0.25)):
        deltas = student.call("encode_boxes", Tensor(boxes), Tensor(anchors), v)
        checks.assert_tensor(deltas, _encode(boxes, anchors, v), rtol=1e-4, atol=1e-4,
                             name=f"encode_boxes with variances {v} (ty, tx, th, tw)")
        back = student.call("decode_boxes", Tensor(_encode(boxes, anchors, v).astype(np.float32)), Tensor(anchors), v)
        checks.assert_tensor(back, boxes, rtol=1e-4, atol=1e-3, name=f"decode_boxes(encoded boxes) with variances {v}")


def _map(det_boxes, det_scores, det_labels, det_images, gt_boxes, gt_labels, gt_images, classes, thr):
    aps = []
    for c in range(classes):
        g = np.flatnonzero(gt_labels == c)
        if g.size == 0:
            continue
        d = np.flatnonzero(det_labels == c)
        d = d[np.argsort(-det_scores[d], kind="stable")]
        used = set()
        tp = []
        for k in d:
            best, best_iou = None, -1.0
            for j in g:
                if gt_images[j] != det_images[k]:
                    continue
                iou = _iou(det_boxes[k:k + 1], gt_boxes[j:j + 1])[0, 0]
                if iou > best_iou:
                    best, best_iou = j, iou
            hit = best is not None and best_iou >= thr and best not in used
            if hit:
                used.add(best)
            tp.append(1.0 if hit else 0.0)
        tp = np.array(tp)
        recall = np.cumsum(tp) / g.size
        precision = np.cumsum(tp) / np.arange(1, tp.size + 1)
        ap, prev = 0.0, 0.0
        for k in range(tp.size):
            ap += (recall[k] - prev) * precision[k:].max()
            prev = recall[k]
        aps.append(ap)
    return float(np.mean(aps)) if aps else 0.0


@pytest.mark.points(2)
def test_mean_average_precision_matches_the_judge(student, rng):
    for thr in (0.5, 0.3, 0.7):
        images, classes = 6, 3
        gt_boxes = _boxes(rng, 14)
        gt_labels = rng.integers(0, classes, 14)
        gt_images = rng.integers(0, images, 14)
        keep = rng.uniform(size=14) < 0.8
        jitter = rng.normal(0, 2.0, (14, 4)).astype(np.float32)
        det_boxes = np.concatenate([gt_boxes[keep] + jitter[keep], gt_boxes[keep][:3] + 1.0, _boxes(rng, 6)])
        n = det_boxes.shape[0]
        det_labels = np.concatenate([gt_labels[keep], gt_labels[keep][:3], rng.integers(0, classes, 6)])
        det_images = np.concatenate([gt_images[keep], gt_images[keep][:3], rng.integers(0, images, 6)])
        det_scores = rng.uniform(0, 1, n).astype(np.float32)
        args = [det_boxes.astype(np.float32), det_scores, det_labels, det_images, gt_boxes, gt_labels, gt_images,
                classes, thr]
        want = _map(*args)
        got = student.call("mean_average_precision", *args)
        got = float(got) if isinstance(got, (int, float, np.number, np.ndarray)) and np.size(got) == 1 else got
        checks.assert_value(got, want, rtol=1e-5,
                            atol=1e-6, name=f"mean_average_precision at IoU {thr} (VOC all-point, duplicates "
                                             "are false positives)")


def scenes32(rng, n, classes=3):
    """One object per 32x32 image: 0 rectangle, 1 ellipse, 2 triangle; boxes yxyx normalised to [0, 1]."""
    x = np.zeros((n, 32, 32), np.float32)
    y = rng.integers(0, classes, n)
    b = np.zeros((n, 4), np.float32)
    yy, xx = np.mgrid[0:32, 0:32] + 0.5
    for i in range(n):
        h, w = rng.integers(8, 21, 2)
        r0, c0 = int(rng.integers(0, 33 - h)), int(rng.integers(0, 33 - w))
        v = rng.uniform(0.5, 1.0)
        if y[i] == 0:
            m = (yy > r0) & (yy < r0 + h) & (xx > c0) & (xx < c0 + w)
        elif y[i] == 1:
            m = ((yy - r0 - h / 2) / (h / 2)) ** 2 + ((xx - c0 - w / 2) / (w / 2)) ** 2 <= 1
        else:
            m = (yy > r0) & (yy < r0 + h) & (np.abs(xx - c0 - w / 2) <= (yy - r0) / h * w / 2)
        x[i][m] = v
        b[i] = [r0 / 32, c0 / 32, (r0 + h) / 32, (c0 + w) / 32]
    x += rng.normal(0, 0.1, x.shape).astype(np.float32)
    return x[..., None], b, y.astype(np.int32)


@pytest.mark.points(5)
def test_detector_localises_and_classifies_held_out_scenes(student, rng, thresholds):
    x, b, y = scenes32(rng, 600)
    x_test, b_test, y_test = scenes32(rng, 200)
    got = student.probe("detect", x, b, y, 3, int(rng.integers(0, 2**20)), x_test)
    boxes = np.asarray(got["boxes"], np.float64)
    if boxes.shape != b_test.shape:
        raise checks.CheckFailed(f"the detector's box output has shape {boxes.shape}; expected one yxyx box per image")
    ious = np.diag(_iou(boxes, b_test))
    if ious.mean() < thresholds["min_mean_iou"]:
        raise checks.CheckFailed(f"mean IoU of the predicted boxes on held-out scenes is {ious.mean():.3f}, below "
                                 f"{thresholds['min_mean_iou']}")
    if (ious > 0.5).mean() < thresholds["min_hit_rate"]:
        raise checks.CheckFailed(f"only {(ious > 0.5).mean():.3f} of held-out boxes have IoU > 0.5, below "
                                 f"{thresholds['min_hit_rate']}")
    checks.assert_accuracy(np.argmax(np.asarray(got["logits"]), axis=-1), y_test, thresholds["min_class_accuracy"],
                           name="class accuracy of the detector")
