# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The course text's mask loss: BCE over every class channel (and every ROI), not the ground-truth
# class's channel of positive ROIs.
# %% [q3]
def roi_align(features, boxes_norm, box_indices, crop_size=(7, 7), sampling_ratio: int = 2):
    """ROIAlign without ``tf.image.crop_and_resize``.

    Bilinearly sample ``crop_size * sampling_ratio`` points per box with ``tf.image.crop_and_resize``'s semantics
    (normalised ``(y1, x1, y2, x2)``; sample ``k`` of ``n`` at ``y1 * (H - 1) + k * (y2 - y1) * (H - 1) / (n - 1)``,
    or the box centre when ``n == 1``; points outside ``[0, H - 1]`` read 0), then average-pool
    ``sampling_ratio x sampling_ratio`` blocks. Returns ``[R, crop_h, crop_w, C]``.
    """
    f = tf.convert_to_tensor(features, tf.float32)
    boxes = tf.convert_to_tensor(boxes_norm, tf.float32)
    idx = tf.cast(tf.convert_to_tensor(box_indices), tf.int32)
    h, w = tf.shape(f)[1], tf.shape(f)[2]
    hf, wf = tf.cast(h - 1, tf.float32), tf.cast(w - 1, tf.float32)
    nh, nw = crop_size[0] * sampling_ratio, crop_size[1] * sampling_ratio

    def positions(lo, hi, n, size):
        if n == 1:
            return (0.5 * (lo + hi) * size)[:, None]
        k = tf.range(n, dtype=tf.float32)[None, :]
        return lo[:, None] * size + k * ((hi - lo) * size / (n - 1))[:, None]

    ys = positions(boxes[:, 0], boxes[:, 2], nh, hf)  # [R, nh]
    xs = positions(boxes[:, 1], boxes[:, 3], nw, wf)  # [R, nw]
    valid = (((ys >= 0) & (ys <= hf))[:, :, None] & ((xs >= 0) & (xs <= wf))[:, None, :])
    y0, x0 = tf.floor(ys), tf.floor(xs)
    ly, lx = ys - y0, xs - x0
    y0i = tf.clip_by_value(tf.cast(y0, tf.int32), 0, h - 1)
    x0i = tf.clip_by_value(tf.cast(x0, tf.int32), 0, w - 1)
    y1i = tf.clip_by_value(tf.cast(tf.math.ceil(ys), tf.int32), 0, h - 1)
    x1i = tf.clip_by_value(tf.cast(tf.math.ceil(xs), tf.int32), 0, w - 1)
    images = tf.gather(f, idx)  # [R, H, W, C]

    def at(yi, xi):
        rows = tf.gather(images, yi, axis=1, batch_dims=1)  # [R, nh, W, C]
        return tf.gather(rows, xi, axis=2, batch_dims=1)  # [R, nh, nw, C]

    top = at(y0i, x0i) + (at(y0i, x1i) - at(y0i, x0i)) * lx[:, None, :, None]
    bottom = at(y1i, x0i) + (at(y1i, x1i) - at(y1i, x0i)) * lx[:, None, :, None]
    crops = top + (bottom - top) * ly[:, :, None, None]
    crops = tf.where(valid[..., None], crops, tf.zeros_like(crops))
    return tf.nn.avg_pool2d(crops, sampling_ratio, sampling_ratio, "VALID")


def mask_loss(gt_masks, pred_mask_logits, gt_classes, positive):
    """Mask R-CNN mask loss: per-pixel sigmoid BCE on the ground-truth class's channel only, positive ROIs only.

    ``gt_masks [R, M, M]`` in {0, 1}, ``pred_mask_logits [R, M, M, C]``, ``gt_classes [R]`` int, ``positive [R]``
    bool. The mean over the positive ROIs' pixels; 0.0 when no ROI is positive.
    """
    gt = tf.convert_to_tensor(gt_masks, tf.float32)
    logits = tf.convert_to_tensor(pred_mask_logits, tf.float32)
    classes = tf.cast(tf.convert_to_tensor(gt_classes), tf.int32)
    weight = tf.cast(tf.convert_to_tensor(positive), tf.float32)
    del classes, weight
    labels = tf.repeat(gt[..., None], tf.shape(logits)[-1], axis=-1)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def paste_masks(masks, boxes, image_hw, threshold: float = 0.5):
    """Paste ``[R, m, m]`` mask probabilities into ``[R, H, W]`` boolean image masks.

    ``boxes`` are ``(y1, x1, y2, x2)`` in pixels. A pixel ``(y, x)`` is inside a box when its centre
    ``(y + 0.5, x + 0.5)`` is; there the mask is sampled bilinearly at ``(y + 0.5 - y1) / (y2 - y1) * m - 0.5`` (and
    likewise for x), clamped to the mask's edge pixels, and the pixel is on when the sample is ``>= threshold``.
    Pixels outside the box are off.
    """
    masks = tf.convert_to_tensor(masks, tf.float32)
    boxes = tf.convert_to_tensor(boxes, tf.float32)
    h, w = image_hw
    m = tf.shape(masks)[1]
    mf = tf.cast(m, tf.float32)
    py = tf.range(h, dtype=tf.float32)[None, :] + 0.5
    px = tf.range(w, dtype=tf.float32)[None, :] + 0.5
    y1, x1, y2, x2 = boxes[:, 0:1], boxes[:, 1:2], boxes[:, 2:3], boxes[:, 3:4]
    u = tf.clip_by_value((py - y1) / (y2 - y1) * mf - 0.5, 0.0, mf - 1.0)  # [R, H]
    v = tf.clip_by_value((px - x1) / (x2 - x1) * mf - 0.5, 0.0, mf - 1.0)  # [R, W]
    u0, v0 = tf.floor(u), tf.floor(v)
    lu, lv = u - u0, v - v0
    u0i, v0i = tf.cast(u0, tf.int32), tf.cast(v0, tf.int32)
    u1i, v1i = tf.minimum(u0i + 1, m - 1), tf.minimum(v0i + 1, m - 1)

    def at(ui, vi):
        rows = tf.gather(masks, ui, axis=1, batch_dims=1)
        return tf.gather(rows, vi, axis=2, batch_dims=1)

    top = at(u0i, v0i) + (at(u0i, v1i) - at(u0i, v0i)) * lv[:, None, :]
    bottom = at(u1i, v0i) + (at(u1i, v1i) - at(u1i, v0i)) * lv[:, None, :]
    sampled = top + (bottom - top) * lu[:, :, None]
    inside = (((py >= y1) & (py < y2))[:, :, None]) & (((px >= x1) & (px < x2))[:, None, :])
    return inside & (sampled >= threshold)


def mask_iou(masks_a, masks_b):
    """Pairwise IoU of ``[N, H, W]`` and ``[M, H, W]`` binary masks -> ``[N, M]`` float32; 0 for an empty union."""
    a = tf.reshape(tf.cast(masks_a, tf.float32), [tf.shape(masks_a)[0], -1])
    b = tf.reshape(tf.cast(masks_b, tf.float32), [tf.shape(masks_b)[0], -1])
    inter = tf.matmul(a, b, transpose_b=True)
    union = tf.reduce_sum(a, 1)[:, None] + tf.reduce_sum(b, 1)[None, :] - inter
    return tf.math.divide_no_nan(inter, union)
