"""Hidden tests for A19 Q2: IoU, anchors, box coding, NMS, the YOLO-style loss, mAP and a tiny trained detector.

The judge computes IoU, anchors, box codes, the loss and mAP with its own NumPy; NMS is compared with
``tf.image.non_max_suppression`` run in the reference worker. The detector trains in the student's worker on
scenes the judge draws, and the judge scores its detections on other scenes whose boxes never leave the judge.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q2")

NMS_FORBIDDEN = ["tf.image.non_max_suppression", "tf.image.non_max_suppression_with_scores",
                 "tf.image.non_max_suppression_padded", "tf.image.non_max_suppression_overlaps",
                 "tf.image.combined_non_max_suppression", "tf.raw_ops.NonMaxSuppression",
                 "tf.raw_ops.NonMaxSuppressionV2", "tf.raw_ops.NonMaxSuppressionV3", "tf.raw_ops.NonMaxSuppressionV4",
                 "tf.raw_ops.NonMaxSuppressionV5", "tf.raw_ops.NonMaxSuppressionWithOverlaps",
                 "tf.raw_ops.CombinedNonMaxSuppression"]
GRID, CELL, ANCHOR, CLASSES = 4, 8, 10.0, 3


def _iou(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    hh = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    ww = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = hh * ww
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _boxes(rng, n, size=32.0):
    y1, x1 = rng.uniform(0, size * 0.7, n), rng.uniform(0, size * 0.7, n)
    return np.stack([y1, x1, y1 + rng.uniform(2, 12, n), x1 + rng.uniform(2, 12, n)], 1).astype(np.float32)


def _map(det_boxes, det_scores, det_classes, det_images, gt_boxes, gt_classes, gt_images, thr=0.5):
    aps = []
    for c in np.unique(gt_classes):
        g = np.flatnonzero(gt_classes == c)
        used = set()
        d = np.flatnonzero(det_classes == c)
        d = d[np.argsort(-det_scores[d], kind="stable")]
        hits = []
        for j in d:
            cand = g[gt_images[g] == det_images[j]]
            ok = False
            if len(cand):
                ov = _iou(det_boxes[j:j + 1], gt_boxes[cand])[0]
                best = cand[int(np.argmax(ov))]
                if ov.max() >= thr and best not in used:
                    used.add(best)
                    ok = True
            hits.append(ok)
        tp = np.cumsum(hits)
        rec = np.concatenate([[0], tp / len(g), [1]])
        prec = np.concatenate([[0], tp / np.arange(1, len(d) + 1), [0]])
        prec = np.maximum.accumulate(prec[::-1])[::-1]
        idx = np.flatnonzero(rec[1:] != rec[:-1])
        aps.append(np.sum((rec[idx + 1] - rec[idx]) * prec[idx + 1]))
    return float(np.mean(aps))


@pytest.mark.points(2)
def test_iou_matches_numpy_with_degenerate_boxes(student, rng):
    a = _boxes(rng, 9)
    b = np.concatenate([_boxes(rng, 5), [a[0]], [[a[1, 0] + 1, a[1, 1] + 1, a[1, 2] - 1, a[1, 3] - 1]],
                        [[5, 5, 5, 9]], [[40, 40, 45, 45]], [[3, 3, 3, 3]]]).astype(np.float32)
    a = np.concatenate([a, [[3, 3, 3, 3]]]).astype(np.float32)  # zero-area against zero-area: 0, not NaN
    got = student.call("iou", Tensor(a), Tensor(b))
    checks.assert_tensor(got, _iou(a, b).astype(np.float32), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="iou (identical, contained, disjoint and zero-area boxes)")


@pytest.mark.points(2)
def test_anchors_and_box_coding_match_numpy(student, rng):
    fh, fw, ih, iw = 3, 4, 24.0, 40.0
    sizes, ratios = [4.0, 9.0], [0.5, 1.0, 2.0]
    got = student.call("generate_anchors", [fh, fw], [ih, iw], sizes, ratios)
    cy, cx = (np.arange(fh) + 0.5) * ih / fh, (np.arange(fw) + 0.5) * iw / fw
    want = []
    for i in range(fh):
        for j in range(fw):
            for s in sizes:
                for r in ratios:
                    h, w = s / np.sqrt(r), s * np.sqrt(r)
                    want.append([cy[i] - h / 2, cx[j] - w / 2, cy[i] + h / 2, cx[j] + w / 2])
    checks.assert_tensor(got, np.asarray(want, np.float32), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-4,
                         name="generate_anchors (cells row by row, then sizes, then ratios = w / h)")
    gt, anchors = _boxes(rng, 20), _boxes(rng, 20)
    var = [0.1, 0.1, 0.2, 0.2]
    gh, gw = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
    ah, aw = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    codes = np.stack([((gt[:, 0] + gh / 2) - (anchors[:, 0] + ah / 2)) / ah / var[0],
                      ((gt[:, 1] + gw / 2) - (anchors[:, 1] + aw / 2)) / aw / var[1],
                      np.log(gh / ah) / var[2], np.log(gw / aw) / var[3]], 1)
    got = student.call("encode_boxes", Tensor(gt), Tensor(anchors), var)
    checks.assert_tensor(got, codes.astype(np.float32), expect="tensor", dtype="float32", rtol=1e-4, atol=1e-4,
                         name="encode_boxes")


@pytest.mark.points(1)
def test_decode_inverts_encode(student, rng):
    gt, anchors = _boxes(rng, 30), _boxes(rng, 30)
    var = [0.2, 0.1, 0.3, 0.25]
    deltas = rng.normal(0, 1, (30, 4)).astype(np.float32)
    got = np.asarray(student.call("decode_boxes", Tensor(deltas), Tensor(anchors), var))
    ah, aw = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    cy = deltas[:, 0] * var[0] * ah + anchors[:, 0] + ah / 2
    cx = deltas[:, 1] * var[1] * aw + anchors[:, 1] + aw / 2
    h, w = np.exp(deltas[:, 2] * var[2]) * ah, np.exp(deltas[:, 3] * var[3]) * aw
    want = np.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], 1)
    checks.assert_tensor(got, want.astype(np.float32), rtol=1e-4, atol=1e-4, name="decode_boxes")
    back = student.call("decode_boxes", student.call("encode_boxes", Tensor(gt), Tensor(anchors), var),
                        Tensor(anchors), var)
    checks.assert_tensor(back, gt, rtol=1e-5, atol=1e-4, name="decode_boxes(encode_boxes(gt)) vs gt")


@pytest.mark.points(2)
def test_nms_matches_tensorflow_and_does_not_call_it(student, reference, rng):
    for thr, max_out in ((0.5, 100), (0.3, 100), (0.6, 4)):
        boxes = _boxes(rng, 40, size=20.0)
        scores = rng.permutation(40).astype(np.float32) / 40.0 + 0.01
        got = student.call("nms", Tensor(boxes), Tensor(scores), thr, max_out)
        want = reference.probe("tf_nms", Tensor(boxes), Tensor(scores), thr, max_out)
        checks.assert_tensor(got, np.asarray(want, np.int32), expect="tensor", dtype="int32", rtol=0, atol=0,
                             name=f"nms indices (iou_threshold={thr}, max_output={max_out}) vs "
                                  "tf.image.non_max_suppression")
    checks.assert_no_forbidden_calls(student, "nms", [Tensor(boxes), Tensor(scores), 0.5, 100], NMS_FORBIDDEN,
                                     why="write greedy NMS yourself")


def _yolo_case(rng, b=3):
    y_true = np.zeros((b, GRID, GRID, 5 + CLASSES), np.float32)
    obj = rng.random((b, GRID, GRID)) < 0.3
    y_true[..., 0] = obj
    y_true[..., 1:5] = rng.normal(0, 1, (b, GRID, GRID, 4)) * obj[..., None]
    y_true[..., 5:] = np.eye(CLASSES)[rng.integers(0, CLASSES, (b, GRID, GRID))] * obj[..., None]
    y_pred = rng.normal(0, 2, (b, GRID, GRID, 5 + CLASSES)).astype(np.float32)
    return y_true, y_pred


def _yolo_np(y_true, y_pred, lc, ln):
    yt, yp = y_true.astype(np.float64), y_pred.astype(np.float64)
    obj, z = yt[..., 0], yp[..., 0]
    bce = np.maximum(z, 0) - z * obj + np.log1p(np.exp(-np.abs(z)))
    box = ((yt[..., 1:5] - yp[..., 1:5]) ** 2).sum(-1)
    logits = yp[..., 5:]
    logp = logits - logits.max(-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    ce = -(yt[..., 5:] * logp).sum(-1)
    total = lc * (obj * box).sum() + (obj * bce).sum() + ln * ((1 - obj) * bce).sum() + (obj * ce).sum()
    return total / yt.shape[0]


@pytest.mark.points(2)
def test_yolo_loss_matches_numpy_for_several_weights(student, rng):
    y_true, y_pred = _yolo_case(rng)
    for lc, ln in ((5.0, 0.5), (1.0, 1.0), (2.0, 0.0), (0.0, 3.0)):
        got = student.call("yolo_loss", Tensor(y_true), Tensor(y_pred), lc, ln)
        checks.assert_tensor(got, np.float32(_yolo_np(y_true, y_pred, lc, ln)), expect="tensor", dtype="float32",
                             rtol=1e-4, atol=1e-4,
                             name=f"yolo_loss with lambda_coord={lc}, lambda_noobj={ln} (objectness BCE masked and "
                                  "weighted, softmax class cross-entropy, sums over cells / batch size)")


@pytest.mark.points(1)
def test_yolo_loss_gradient_is_zero_in_masked_entries(student, rng):
    y_true, y_pred = _yolo_case(rng, b=2)
    got = _yolo_np(y_true, y_pred, 5.0, 0.5)
    checks.assert_tensor(student.call("yolo_loss", Tensor(y_true), Tensor(y_pred)), np.float32(got), rtol=1e-4,
                         atol=1e-4, name="yolo_loss with default weights")
    (grad,) = student.harness("gradient", "yolo_loss", [y_true, y_pred], wrt=[1])
    assert grad is not None, "yolo_loss must be differentiable with respect to y_pred"
    grad = np.asarray(grad)
    empty = y_true[..., 0] == 0
    leaked = np.abs(grad[empty][:, 1:]).max()
    if leaked != 0:
        raise checks.CheckFailed("the gradient of yolo_loss with respect to box and class predictions must be exactly "
                                 "0 in cells without an object", values={"largest": float(leaked)})


@pytest.mark.points(2)
def test_map_matches_numpy_on_hand_built_and_random_cases(student, rng):
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30], [0, 20, 10, 30]], np.float32)
    gcls, gimg = np.array([0, 0, 1]), np.array([0, 0, 0])
    det = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30], [0, 20, 10, 30]], np.float32)
    dcls, dimg = np.array([0, 0, 0, 1]), np.array([0, 0, 0, 0])
    cases = {
        "perfect detections": (det[[0, 2, 3]], np.array([0.9, 0.8, 0.7]), dcls[[0, 2, 3]], dimg[[0, 2, 3]]),
        "a duplicate detection (a false positive)": (det, np.array([0.9, 0.85, 0.8, 0.7]), dcls, dimg),
        "a missed ground truth": (det[[0, 3]], np.array([0.9, 0.7]), dcls[[0, 3]], dimg[[0, 3]]),
        "a detection in the wrong image": (det[[0, 2, 3]], np.array([0.9, 0.8, 0.7]), dcls[[0, 2, 3]],
                                           np.array([1, 0, 0])),
    }
    for what, (b, s, c, i) in cases.items():
        got = student.call("mean_average_precision", b, s.astype(np.float32), c, i, gt, gcls, gimg, 0.5)
        checks.assert_value(got, _map(b, s, c, i, gt, gcls, gimg), atol=1e-6, name=f"mAP with {what}")
    n_img, gts = 6, []
    gt_b = _boxes(rng, 25)
    gt_c, gt_i = rng.integers(0, 3, 25), rng.integers(0, n_img, 25)
    det_b = np.concatenate([gt_b + rng.normal(0, 1.5, gt_b.shape), _boxes(rng, 15)]).astype(np.float32)
    det_c = np.concatenate([np.where(rng.random(25) < 0.8, gt_c, rng.integers(0, 3, 25)), rng.integers(0, 3, 15)])
    det_i = np.concatenate([gt_i, rng.integers(0, n_img, 15)])
    det_s = rng.uniform(0, 1, 40).astype(np.float32)
    for thr in (0.5, 0.3):
        got = student.call("mean_average_precision", det_b, det_s, det_c, det_i, gt_b, gt_c, gt_i, thr)
        checks.assert_value(got, _map(det_b, det_s, det_c, det_i, gt_b, gt_c, gt_i, thr), atol=1e-6,
                            name=f"mAP on random detections at IoU threshold {thr}")
    del gts


def _scenes(rng, n, size=32):
    """Scenes of 1-3 shapes (square, disk, triangle) on a noisy background, one object centre per grid cell."""
    images = rng.uniform(0, 0.2, (n, size, size, 3)).astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    boxes, classes, index = [], [], []
    for k in range(n):
        for cell in rng.choice(GRID * GRID, rng.integers(1, 4), replace=False):
            r, c = divmod(int(cell), GRID)
            cy, cx = (r + rng.uniform(0.2, 0.8)) * CELL, (c + rng.uniform(0.2, 0.8)) * CELL
            side = rng.uniform(7, 13)
            cls = int(rng.integers(0, CLASSES))
            if cls == 0:
                m = (np.abs(yy - cy) <= side / 2) & (np.abs(xx - cx) <= side / 2)
            elif cls == 1:
                m = (yy - cy) ** 2 + (xx - cx) ** 2 <= (side / 2) ** 2
            else:
                t = (yy - (cy - side / 2)) / side
                m = (t >= 0) & (t <= 1) & (np.abs(xx - cx) <= t * side / 2)
            images[k][m] = rng.uniform(0.5, 1.0, 3)
            ys, xs = np.nonzero(m)
            boxes.append([ys.min(), xs.min(), ys.max() + 1, xs.max() + 1])
            classes.append(cls)
            index.append(k)
    return images, np.asarray(boxes, np.float32), np.asarray(classes), np.asarray(index)


def _targets(boxes, classes, index, n):
    y = np.zeros((n, GRID, GRID, 5 + CLASSES), np.float32)
    for b, c, k in zip(boxes, classes, index, strict=True):
        cy, cx = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        r, col = int(cy // CELL), int(cx // CELL)
        y[k, r, col, 0] = 1
        y[k, r, col, 1:5] = [cy / CELL - r, cx / CELL - col, np.log((b[2] - b[0]) / ANCHOR),
                             np.log((b[3] - b[1]) / ANCHOR)]
        y[k, r, col, 5 + c] = 1
    return y


@pytest.mark.points(2)
def test_trained_detector_reaches_map_on_unseen_scenes(student, rng, thresholds):
    x, b, c, k = _scenes(rng, 384)
    y = _targets(b, c, k, len(x))
    xt, bt, ct, kt = _scenes(rng, 100)
    det_b, det_s, det_c, det_i = student.probe("train_and_detect", x, y, CLASSES, 20, xt)
    det_b, det_s = np.asarray(det_b, np.float64), np.asarray(det_s, np.float64)
    det_c, det_i = np.asarray(det_c).astype(int), np.asarray(det_i).astype(int)
    assert len(det_b) == len(det_s) == len(det_c) == len(det_i), "detect must return one entry per detection"
    got = _map(det_b, det_s, det_c, det_i, bt, ct, kt) if len(det_b) else 0.0
    if got < thresholds["min_map"]:
        raise checks.CheckFailed(f"the trained detector's mAP@0.5 on unseen scenes is {got:.3f}, below the threshold; "
                                 "check the loss's masks and weights, the decoding in detect and your nms",
                                 values={"threshold": thresholds["min_map"]})
