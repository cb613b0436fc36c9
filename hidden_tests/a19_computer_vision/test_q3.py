"""Hidden tests for A19 Q3: ROIAlign, the class-specific mask loss, pasting masks back and mask IoU.

ROIAlign is compared with ``tf.image.crop_and_resize`` followed by an average pool, run in the reference worker
(values and gradients); the mask loss, pasting and IoU with the judge's own NumPy.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")

ROI_FORBIDDEN = ["tf.image.crop_and_resize", "tf.image.resize", "tf.compat.v1.image.crop_and_resize",
                 "tf.image.extract_glimpse", "tf.image.resize_with_crop_or_pad", "tf.raw_ops.CropAndResize"]


def _rois(rng, r=8):
    boxes = [[0.0, 0.0, 1.0, 1.0], [0.5, 0.2, 1.0, 0.9], [0.31, 0.42, 0.33, 0.44], [-0.2, -0.1, 0.6, 0.5],
             [0.7, 0.1, 0.3, 0.6]]  # whole image, touching the border, sub-pixel, half outside, flipped
    y1, x1 = rng.uniform(0, 0.7, r - len(boxes)), rng.uniform(0, 0.7, r - len(boxes))
    extra = np.stack([y1, x1, y1 + rng.uniform(0.1, 0.3, len(y1)), x1 + rng.uniform(0.1, 0.3, len(y1))], 1)
    return np.concatenate([boxes, extra]).astype(np.float32)


@pytest.mark.points(3)
def test_roi_align_matches_crop_and_resize_then_average_pool(student, reference, rng):
    features = rng.normal(size=(2, 11, 13, 3)).astype(np.float32)
    boxes = _rois(rng)
    idx = rng.integers(0, 2, len(boxes)).astype(np.int32)
    for crop, ratio in (((7, 7), 2), ((4, 5), 3), ((3, 3), 1), ((1, 2), 1)):
        got = student.call("roi_align", Tensor(features), Tensor(boxes), Tensor(idx), crop, ratio)
        want = reference.probe("tf_roi_align", Tensor(features), Tensor(boxes), Tensor(idx), list(crop), ratio)
        checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-4, atol=1e-4,
                             name=f"roi_align(crop_size={crop}, sampling_ratio={ratio}) vs crop_and_resize + "
                                  "average pool (border, sub-pixel, out-of-image and flipped boxes included)")
    # the trusted values are crop_and_resize's own: the shortcut earns nothing here either
    checks.assert_no_forbidden_calls(student, "roi_align", [Tensor(features), Tensor(boxes), Tensor(idx), crop, ratio],
                                     ROI_FORBIDDEN, why="sample the four neighbours and interpolate yourself")


@pytest.mark.points(1)
def test_roi_align_gradient_reaches_the_features(student, reference, rng):
    features = rng.normal(size=(2, 9, 10, 2)).astype(np.float32)
    boxes = _rois(rng, 6)
    idx = rng.integers(0, 2, len(boxes)).astype(np.int32)
    upstream = rng.normal(size=(len(boxes), 4, 4, 2)).astype(np.float32)
    got = student.probe("roi_align_gradient", features, boxes, idx, [4, 4], 2, upstream)
    want = reference.probe("roi_align_gradient", features, boxes, idx, [4, 4], 2, upstream, library=True)
    assert got is not None, "no gradient reaches the features through roi_align: gather values, do not use NumPy"
    checks.assert_tensor(got, want, rtol=1e-4, atol=1e-4, name="gradient of roi_align with respect to the features")
    checks.assert_no_forbidden_calls(student, "roi_align", [Tensor(features), Tensor(boxes), Tensor(idx), (4, 4), 2],
                                     ROI_FORBIDDEN, why="gather the four neighbours yourself")


@pytest.mark.points(1)
def test_roi_align_does_not_call_crop_and_resize(student, reference, rng):
    features = rng.normal(size=(1, 8, 8, 2)).astype(np.float32)
    boxes = _rois(rng, 6)
    idx = np.zeros(6, np.int32)
    got = student.call("roi_align", Tensor(features), Tensor(boxes), Tensor(idx), (2, 2), 2)
    want = reference.probe("tf_roi_align", Tensor(features), Tensor(boxes), Tensor(idx), [2, 2], 2)
    checks.assert_tensor(got, want, rtol=1e-4, atol=1e-4, name="roi_align(crop_size=(2, 2))")
    checks.assert_no_forbidden_calls(student, "roi_align", [Tensor(features), Tensor(boxes), Tensor(idx), (2, 2), 2],
                                     ROI_FORBIDDEN, why="sample the four neighbours and interpolate yourself")


def _mask_case(rng, r=6, m=5, c=4):
    gt = (rng.random((r, m, m)) < 0.5).astype(np.float32)
    logits = rng.normal(0, 2, (r, m, m, c)).astype(np.float32)
    classes = rng.integers(0, c, r).astype(np.int32)
    positive = rng.random(r) < 0.6
    positive[0], positive[1] = True, False
    return gt, logits, classes, positive


def _mask_loss_np(gt, logits, classes, positive):
    z = logits[np.arange(len(gt)), :, :, classes].astype(np.float64)
    bce = np.maximum(z, 0) - z * gt + np.log1p(np.exp(-np.abs(z)))
    return bce[positive].mean() if positive.any() else 0.0


@pytest.mark.points(2)
def test_mask_loss_uses_the_gt_class_channel_of_positive_rois(student, rng):
    gt, logits, classes, positive = _mask_case(rng)
    got = student.call("mask_loss", Tensor(gt), Tensor(logits), Tensor(classes), Tensor(positive))
    checks.assert_tensor(got, np.float32(_mask_loss_np(gt, logits, classes, positive)), expect="tensor",
                         dtype="float32", rtol=1e-5, atol=1e-6,
                         name="mask_loss (sigmoid BCE on the ground-truth class's channel, mean over positive ROIs)")
    none = np.zeros_like(positive)
    got = student.call("mask_loss", Tensor(gt), Tensor(logits), Tensor(classes), Tensor(none))
    checks.assert_tensor(got, np.float32(0.0), rtol=0, atol=0, name="mask_loss with no positive ROI")


@pytest.mark.points(1)
def test_mask_loss_gradient_is_zero_outside_the_gt_channel_and_negatives(student, rng):
    gt, logits, classes, positive = _mask_case(rng)
    want = _mask_loss_np(gt, logits, classes, positive)
    checks.assert_tensor(student.call("mask_loss", Tensor(gt), Tensor(logits), Tensor(classes), Tensor(positive)),
                         np.float32(want), rtol=1e-5, atol=1e-6, name="mask_loss")
    (grad,) = student.harness("gradient", "mask_loss", [gt, logits, classes, positive], wrt=[1])
    assert grad is not None, "mask_loss must be differentiable with respect to the logits"
    grad = np.asarray(grad)
    used = np.zeros(logits.shape, bool)
    used[np.arange(len(gt)), :, :, classes] = True
    used &= positive[:, None, None, None]
    if np.abs(grad[~used]).max() != 0:
        raise checks.CheckFailed("the gradient of mask_loss must be exactly 0 for other classes' channels and for "
                                 "negative ROIs")
    if np.abs(grad[used]).min() == 0:
        raise checks.CheckFailed("every pixel of the ground-truth channel of a positive ROI should get a gradient")


def _paste_np(masks, boxes, h, w, thr):
    out = np.zeros((len(masks), h, w), bool)
    m = masks.shape[1]
    for r, (mask, (y1, x1, y2, x2)) in enumerate(zip(masks, boxes, strict=True)):
        py, px = np.arange(h) + 0.5, np.arange(w) + 0.5
        u = np.clip((py - y1) / (y2 - y1) * m - 0.5, 0, m - 1)
        v = np.clip((px - x1) / (x2 - x1) * m - 0.5, 0, m - 1)
        u0, v0 = np.floor(u).astype(int), np.floor(v).astype(int)
        u1, v1 = np.minimum(u0 + 1, m - 1), np.minimum(v0 + 1, m - 1)
        lu, lv = (u - u0)[:, None], (v - v0)[None, :]
        top = mask[u0][:, v0] * (1 - lv) + mask[u0][:, v1] * lv
        bottom = mask[u1][:, v0] * (1 - lv) + mask[u1][:, v1] * lv
        val = top * (1 - lu) + bottom * lu
        inside = ((py >= y1) & (py < y2))[:, None] & ((px >= x1) & (px < x2))[None, :]
        out[r] = inside & (val >= thr)
    return out


def _mask_iou_np(a, b):
    a = a.reshape(len(a), -1).astype(np.float64)
    b = b.reshape(len(b), -1).astype(np.float64)
    inter = a @ b.T
    union = a.sum(1)[:, None] + b.sum(1)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


@pytest.mark.points(2)
def test_paste_masks_matches_numpy_and_round_trips(student, rng):
    h, w = 30, 34
    boxes = np.array([[2.3, 3.1, 20.7, 15.2], [10, 12, 29.5, 33.0], [0.0, 0.0, 6.4, 5.1], [2.5, 4.5, 12.5, 20.5]],
                     np.float32)  # the last box's edges pass through pixel centres
    masks = rng.uniform(0, 1, (4, 7, 7)).astype(np.float32)
    masks[3] = 0.9
    got = np.asarray(student.call("paste_masks", Tensor(masks), Tensor(boxes), [h, w], 0.5))
    want = _paste_np(masks, boxes, h, w, 0.5)
    checks.assert_tensor(got.astype(bool), want, rtol=0, atol=0, name="paste_masks image masks")
    # A disk drawn in the image, cut out of its box at 14x14 and pasted back, must come back nearly the same.
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    disk = (yy - 15.0) ** 2 + (xx - 17.0) ** 2 <= 8.0 ** 2
    box = np.array([[7.0, 9.0, 23.0, 25.0]], np.float32)
    cy = 7.0 + (np.arange(14) + 0.5) * 16 / 14
    cx = 9.0 + (np.arange(14) + 0.5) * 16 / 14
    small = ((cy[:, None] - 15.0) ** 2 + (cx[None, :] - 17.0) ** 2 <= 8.0 ** 2).astype(np.float32)
    back = np.asarray(student.call("paste_masks", Tensor(small[None]), Tensor(box), [h, w], 0.5)).astype(bool)
    if _mask_iou_np(back, disk[None])[0, 0] < 0.9:
        raise checks.CheckFailed("a disk's 14x14 mask pasted back into its box does not match the disk (IoU < 0.9)")


@pytest.mark.points(2)
def test_mask_iou_matches_numpy_with_empty_masks(student, rng):
    a = rng.random((5, 9, 8)) < 0.4
    b = np.concatenate([rng.random((3, 9, 8)) < 0.4, a[:1], np.zeros((1, 9, 8), bool)])
    a[4] = False
    got = student.call("mask_iou", Tensor(a), Tensor(b))
    checks.assert_tensor(got, _mask_iou_np(a, b).astype(np.float32), expect="tensor", dtype="float32", rtol=1e-5,
                         atol=1e-6, name="mask_iou (an identical pair and two empty masks included)")
