"""Reference solution for A19, Computer Vision.

Everything here is written by hand and trained from scratch on small synthetic data (shape scenes, synthetic
identities, a ring of Gaussians), in seconds on a CPU: no pretrained weights are downloaded.
"""

# %% [setup]
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import math

import numpy as np
import tensorflow as tf

GRID, CELL, ANCHOR = 4, 8, 10.0  # the tiny detector: a 4x4 grid of 8-pixel cells on 32x32 images, one 10-pixel anchor


# %% [q1]
def _beta(n, alpha, seed):
    """``n`` draws of Beta(alpha, alpha) from two stateless Gamma draws."""
    g1 = tf.random.stateless_gamma([n], seed=[seed, 0], alpha=alpha)
    g2 = tf.random.stateless_gamma([n], seed=[seed, 1], alpha=alpha)
    return g1 / (g1 + g2)


def _partners(n, seed):
    """A random permutation of ``range(n)``: the partner of each sample."""
    return tf.argsort(tf.random.stateless_uniform([n], seed=[seed, 2]))


def mixup(images, labels_onehot, alpha: float, seed: int):
    """MixUp with one mixing weight per sample.

    Draw ``lam[i] ~ Beta(alpha, alpha)`` for every sample and a random permutation ``p`` of the batch (from
    ``seed``), then return ``lam[i] * images[i] + (1 - lam[i]) * images[p[i]]`` and the same mix of the one-hot
    labels, both float32.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(images, tf.float32)
    y = tf.convert_to_tensor(labels_onehot, tf.float32)
    n = tf.shape(x)[0]
    lam = _beta(n, alpha, seed)
    perm = _partners(n, seed)
    lam_x = tf.reshape(lam, [-1] + [1] * (len(x.shape) - 1))
    mixed_x = lam_x * x + (1.0 - lam_x) * tf.gather(x, perm)
    mixed_y = lam[:, None] * y + (1.0 - lam[:, None]) * tf.gather(y, perm)
    return mixed_x, mixed_y
    ### END SOLUTION


def cutmix(images, labels_onehot, alpha: float, seed: int):
    """CutMix with one box per sample; the label weight is the exact fraction of pixels kept.

    For each sample draw ``lam ~ Beta(alpha, alpha)``, a partner ``p[i]``, a box of side ``sqrt(1 - lam)`` times the
    image's side centred at a uniform random pixel and clipped at the borders; paste the partner's pixels inside the
    box. The label is ``k * y[i] + (1 - k) * y[p[i]]`` where ``k`` is the fraction of the image's pixels that were
    NOT replaced (after clipping).
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(images, tf.float32)
    y = tf.convert_to_tensor(labels_onehot, tf.float32)
    n, h, w = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    lam = _beta(n, alpha, seed)
    perm = _partners(n, seed)
    ratio = tf.sqrt(1.0 - lam)
    cut_h = tf.cast(ratio * tf.cast(h, tf.float32), tf.int32)
    cut_w = tf.cast(ratio * tf.cast(w, tf.float32), tf.int32)
    cy = tf.random.stateless_uniform([n], seed=[seed, 3], maxval=h, dtype=tf.int32)
    cx = tf.random.stateless_uniform([n], seed=[seed, 4], maxval=w, dtype=tf.int32)
    y1, y2 = tf.clip_by_value(cy - cut_h // 2, 0, h), tf.clip_by_value(cy + cut_h // 2, 0, h)
    x1, x2 = tf.clip_by_value(cx - cut_w // 2, 0, w), tf.clip_by_value(cx + cut_w // 2, 0, w)
    rows, cols = tf.range(h)[None, :], tf.range(w)[None, :]
    in_rows = (rows >= y1[:, None]) & (rows < y2[:, None])
    in_cols = (cols >= x1[:, None]) & (cols < x2[:, None])
    box = tf.cast(in_rows[:, :, None] & in_cols[:, None, :], tf.float32)
    mixed_x = x * (1.0 - box[..., None]) + tf.gather(x, perm) * box[..., None]
    keep = 1.0 - tf.reduce_sum(box, axis=[1, 2]) / tf.cast(h * w, tf.float32)
    mixed_y = keep[:, None] * y + (1.0 - keep[:, None]) * tf.gather(y, perm)
    return mixed_x, mixed_y
    ### END SOLUTION


def top_k_accuracy(labels, logits, k: int = 5):
    """Share of rows whose true class is among the ``k`` highest scores, as a float32 scalar tensor.

    A row counts as a hit when fewer than ``k`` classes score strictly higher than its true class.
    """
    ### BEGIN SOLUTION
    logits = tf.convert_to_tensor(logits, tf.float32)
    labels = tf.cast(tf.convert_to_tensor(labels), tf.int32)
    true_score = tf.gather(logits, labels, batch_dims=1)
    higher = tf.reduce_sum(tf.cast(logits > true_score[:, None], tf.int32), axis=1)
    return tf.reduce_mean(tf.cast(higher < k, tf.float32))
    ### END SOLUTION


def build_classifier(input_shape, num_classes: int):
    """A small compiled CNN classifier with augmentation that is active only in training.

    Augmentation (``RandomFlip("horizontal")``, ``RandomContrast(0.1)``), then two Conv-BatchNorm-MaxPool blocks,
    global average pooling, ``Dropout`` and a softmax ``Dense``. Compile with Adam, categorical cross-entropy and
    the metrics ``"accuracy"`` and ``TopKCategoricalAccuracy(k=5, name="top_5_accuracy")``.
    """
    ### BEGIN SOLUTION
    layers = tf.keras.layers
    model = tf.keras.Sequential([
        tf.keras.Input(shape=input_shape),
        layers.RandomFlip("horizontal"),
        layers.RandomContrast(0.1),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.GlobalAveragePooling2D(),
        layers.Dropout(0.3),
        layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy", tf.keras.metrics.TopKCategoricalAccuracy(k=5, name="top_5_accuracy")])
    return model
    ### END SOLUTION


# %% [q2]
def iou(boxes_a, boxes_b):
    """Pairwise IoU of ``[N, 4]`` and ``[M, 4]`` boxes ``(y1, x1, y2, x2)`` -> ``[N, M]`` float32.

    0 where the union is empty (no NaN).
    """
    ### BEGIN SOLUTION
    a = tf.convert_to_tensor(boxes_a, tf.float32)
    b = tf.convert_to_tensor(boxes_b, tf.float32)
    area_a = tf.maximum(a[:, 2] - a[:, 0], 0.0) * tf.maximum(a[:, 3] - a[:, 1], 0.0)
    area_b = tf.maximum(b[:, 2] - b[:, 0], 0.0) * tf.maximum(b[:, 3] - b[:, 1], 0.0)
    top = tf.maximum(a[:, None, 0], b[None, :, 0])
    left = tf.maximum(a[:, None, 1], b[None, :, 1])
    bottom = tf.minimum(a[:, None, 2], b[None, :, 2])
    right = tf.minimum(a[:, None, 3], b[None, :, 3])
    inter = tf.maximum(bottom - top, 0.0) * tf.maximum(right - left, 0.0)
    union = area_a[:, None] + area_b[None, :] - inter
    return tf.math.divide_no_nan(inter, union)
    ### END SOLUTION


def generate_anchors(feature_hw, image_hw, sizes, ratios):
    """Anchors ``(y1, x1, y2, x2)`` in pixels, ``[Hf * Wf * len(sizes) * len(ratios), 4]`` float32.

    Cell ``(i, j)`` of the feature map is centred at ``((i + 0.5) * image_h / Hf, (j + 0.5) * image_w / Wf)``.
    Order: cells row by row, then sizes, then ratios. A ``size`` and a ``ratio = w / h`` give
    ``h = size / sqrt(ratio)`` and ``w = size * sqrt(ratio)``.
    """
    ### BEGIN SOLUTION
    fh, fw = feature_hw
    ih, iw = image_hw
    cy = (np.arange(fh, dtype=np.float64) + 0.5) * ih / fh
    cx = (np.arange(fw, dtype=np.float64) + 0.5) * iw / fw
    shapes = np.array([(s / math.sqrt(r), s * math.sqrt(r)) for s in sizes for r in ratios])
    cyy, cxx = np.meshgrid(cy, cx, indexing="ij")
    centres = np.stack([cyy.ravel(), cxx.ravel()], axis=1)
    c = centres[:, None, :]
    hw = shapes[None, :, :]
    boxes = np.concatenate([c - hw / 2.0, c + hw / 2.0], axis=-1).reshape(-1, 4)
    return tf.constant(boxes, tf.float32)
    ### END SOLUTION


def encode_boxes(gt, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """SSD box encoding of matched ``gt`` boxes against ``anchors`` (both ``[N, 4]``) -> ``[N, 4]`` deltas.

    ``((gcy - acy) / ah / v0, (gcx - acx) / aw / v1, log(gh / ah) / v2, log(gw / aw) / v3)``.
    """
    ### BEGIN SOLUTION
    gt = tf.convert_to_tensor(gt, tf.float32)
    anchors = tf.convert_to_tensor(anchors, tf.float32)
    v = tf.constant(variances, tf.float32)
    gh, gw = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
    ah, aw = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    gcy, gcx = gt[:, 0] + gh / 2, gt[:, 1] + gw / 2
    acy, acx = anchors[:, 0] + ah / 2, anchors[:, 1] + aw / 2
    return tf.stack([(gcy - acy) / ah / v[0], (gcx - acx) / aw / v[1],
                     tf.math.log(gh / ah) / v[2], tf.math.log(gw / aw) / v[3]], axis=1)
    ### END SOLUTION


def decode_boxes(deltas, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """The inverse of ``encode_boxes``: deltas and anchors ``[N, 4]`` -> boxes ``(y1, x1, y2, x2)``."""
    ### BEGIN SOLUTION
    d = tf.convert_to_tensor(deltas, tf.float32)
    anchors = tf.convert_to_tensor(anchors, tf.float32)
    v = tf.constant(variances, tf.float32)
    ah, aw = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    acy, acx = anchors[:, 0] + ah / 2, anchors[:, 1] + aw / 2
    cy, cx = d[:, 0] * v[0] * ah + acy, d[:, 1] * v[1] * aw + acx
    h, w = tf.exp(d[:, 2] * v[2]) * ah, tf.exp(d[:, 3] * v[3]) * aw
    return tf.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], axis=1)
    ### END SOLUTION


def nms(boxes, scores, iou_threshold: float = 0.5, max_output: int = 100):
    """Greedy non-maximum suppression without ``tf.image.non_max_suppression``.

    Visit boxes by decreasing score; keep a box unless its IoU with a kept box is greater than ``iou_threshold``;
    stop after ``max_output`` boxes. Returns the kept indices (int32, in the order they were kept).
    """
    ### BEGIN SOLUTION
    boxes = tf.convert_to_tensor(boxes, tf.float32)
    scores = tf.convert_to_tensor(scores, tf.float32)
    overlaps = iou(boxes, boxes).numpy()
    order = tf.argsort(scores, direction="DESCENDING", stable=True).numpy()
    kept = []
    for i in order:
        if len(kept) >= max_output:
            break
        if all(overlaps[i, j] <= iou_threshold for j in kept):
            kept.append(int(i))
    return tf.constant(kept, tf.int32)
    ### END SOLUTION


def yolo_loss(y_true, y_pred, lambda_coord: float = 5.0, lambda_noobj: float = 0.5):
    """YOLO-style loss on ``[B, S, S, 5 + C]`` grids, summed over cells and divided by ``B``.

    ``y_true[..., 0]`` is 1 in a cell responsible for an object, ``y_true[..., 1:5]`` its encoded box and
    ``y_true[..., 5:]`` its one-hot class. ``y_pred[..., 0]`` is an objectness logit, ``y_pred[..., 1:5]`` the box
    and ``y_pred[..., 5:]`` class logits. Loss = ``lambda_coord * sum(obj * squared box error)`` +
    ``sum(obj * BCE(obj logit))`` + ``lambda_noobj * sum((1 - obj) * BCE(obj logit))`` +
    ``sum(obj * softmax cross-entropy of the class)``, all over ``B``.
    """
    ### BEGIN SOLUTION
    y_true = tf.convert_to_tensor(y_true, tf.float32)
    y_pred = tf.convert_to_tensor(y_pred, tf.float32)
    obj = y_true[..., 0]
    batch = tf.cast(tf.shape(y_true)[0], tf.float32)
    box = tf.reduce_sum(tf.square(y_true[..., 1:5] - y_pred[..., 1:5]), axis=-1)
    bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=obj, logits=y_pred[..., 0])
    cls = tf.nn.softmax_cross_entropy_with_logits(labels=y_true[..., 5:], logits=y_pred[..., 5:])
    total = (lambda_coord * tf.reduce_sum(obj * box) + tf.reduce_sum(obj * bce)
             + lambda_noobj * tf.reduce_sum((1.0 - obj) * bce) + tf.reduce_sum(obj * cls))
    return total / batch
    ### END SOLUTION


def mean_average_precision(det_boxes, det_scores, det_classes, det_images, gt_boxes, gt_classes, gt_images,
                           iou_threshold: float = 0.5) -> float:
    """VOC mAP with all-point interpolation, as a Python float.

    Per class that has ground truth: visit its detections by decreasing score; one is a true positive when its best
    IoU with a ground-truth box of the same class in the same image is ``>= iou_threshold`` and that box is not yet
    matched (it then is), else a false positive. AP is the area under the precision envelope (precision made
    non-increasing from the right) over recall. mAP is the mean AP over classes with ground truth.
    """
    ### BEGIN SOLUTION
    det_boxes, det_scores = np.asarray(det_boxes, np.float64).reshape(-1, 4), np.asarray(det_scores, np.float64)
    det_classes, det_images = np.asarray(det_classes).astype(int), np.asarray(det_images).astype(int)
    gt_boxes = np.asarray(gt_boxes, np.float64).reshape(-1, 4)
    gt_classes, gt_images = np.asarray(gt_classes).astype(int), np.asarray(gt_images).astype(int)
    aps = []
    for c in np.unique(gt_classes):
        gts = np.flatnonzero(gt_classes == c)
        matched = np.zeros(len(gt_boxes), bool)
        dets = np.flatnonzero(det_classes == c)
        dets = dets[np.argsort(-det_scores[dets], kind="stable")]
        tp = np.zeros(len(dets))
        for rank, d in enumerate(dets):
            same = gts[gt_images[gts] == det_images[d]]
            if len(same):
                overlaps = iou(det_boxes[d:d + 1], gt_boxes[same]).numpy()[0]
                best = int(np.argmax(overlaps))
                if overlaps[best] >= iou_threshold and not matched[same[best]]:
                    matched[same[best]] = True
                    tp[rank] = 1.0
        ctp = np.cumsum(tp)
        recall = ctp / len(gts)
        precision = ctp / np.arange(1, len(dets) + 1)
        mrec = np.concatenate([[0.0], recall, [1.0]])
        mpre = np.concatenate([[0.0], precision, [0.0]])
        for i in range(len(mpre) - 2, -1, -1):
            mpre[i] = max(mpre[i], mpre[i + 1])
        steps = np.flatnonzero(mrec[1:] != mrec[:-1])
        aps.append(float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1])))
    return float(np.mean(aps)) if aps else 0.0
    ### END SOLUTION


def build_detector(num_classes: int):
    """A tiny one-stage detector: 32x32x3 images -> ``[B, GRID, GRID, 5 + num_classes]`` raw outputs."""
    ### BEGIN SOLUTION
    layers = tf.keras.layers
    return tf.keras.Sequential([
        tf.keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Conv2D(5 + num_classes, 1),
    ])
    ### END SOLUTION


def train_detector(images, y_true, num_classes: int, epochs: int = 30):
    """Build a detector and train it with Adam (lr 3e-3, batches of 32) on ``yolo_loss``; return the model."""
    ### BEGIN SOLUTION
    model = build_detector(num_classes)
    optimizer = tf.keras.optimizers.Adam(3e-3)
    data = tf.data.Dataset.from_tensor_slices((np.asarray(images, np.float32), np.asarray(y_true, np.float32)))
    data = data.shuffle(len(images), seed=0).batch(32)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = yolo_loss(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    for _ in range(epochs):
        for x, y in data:
            step(x, y)
    return model
    ### END SOLUTION


def detect(model, images, score_threshold: float = 0.3, iou_threshold: float = 0.5):
    """Run the detector and decode its grid: returns ``(boxes, scores, classes, image_index)`` as NumPy arrays.

    A cell ``(i, j)`` with box output ``(ty, tx, th, tw)`` decodes to centre ``((i + ty) * CELL, (j + tx) * CELL)``
    and size ``(ANCHOR * exp(th), ANCHOR * exp(tw))``; its score is ``sigmoid(obj) * max softmax(class)`` and its
    class the argmax. Keep scores ``>= score_threshold``, then apply ``nms`` per image and class.
    """
    ### BEGIN SOLUTION
    out = model(np.asarray(images, np.float32), training=False).numpy()
    rows = np.arange(GRID)[None, :, None]
    cols = np.arange(GRID)[None, None, :]
    cy, cx = (rows + out[..., 1]) * CELL, (cols + out[..., 2]) * CELL
    h, w = ANCHOR * np.exp(out[..., 3]), ANCHOR * np.exp(out[..., 4])
    boxes = np.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], axis=-1)
    probs = tf.nn.softmax(out[..., 5:]).numpy()
    scores = tf.sigmoid(out[..., 0]).numpy() * probs.max(-1)
    classes = probs.argmax(-1)
    keep_b, keep_s, keep_c, keep_i = [], [], [], []
    for n in range(out.shape[0]):
        for c in np.unique(classes[n]):
            sel = (classes[n] == c) & (scores[n] >= score_threshold)
            if not sel.any():
                continue
            b, s = boxes[n][sel], scores[n][sel]
            for k in nms(b, s, iou_threshold, 100).numpy():
                keep_b.append(b[k])
                keep_s.append(s[k])
                keep_c.append(int(c))
                keep_i.append(n)
    return (np.asarray(keep_b, np.float32).reshape(-1, 4), np.asarray(keep_s, np.float32),
            np.asarray(keep_c, np.int32), np.asarray(keep_i, np.int32))
    ### END SOLUTION


# %% [q3]
def roi_align(features, boxes_norm, box_indices, crop_size=(7, 7), sampling_ratio: int = 2):
    """ROIAlign without ``tf.image.crop_and_resize``.

    Bilinearly sample ``crop_size * sampling_ratio`` points per box with ``tf.image.crop_and_resize``'s semantics
    (normalised ``(y1, x1, y2, x2)``; sample ``k`` of ``n`` at ``y1 * (H - 1) + k * (y2 - y1) * (H - 1) / (n - 1)``,
    or the box centre when ``n == 1``; points outside ``[0, H - 1]`` read 0), then average-pool
    ``sampling_ratio x sampling_ratio`` blocks. Returns ``[R, crop_h, crop_w, C]``.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def mask_loss(gt_masks, pred_mask_logits, gt_classes, positive):
    """Mask R-CNN mask loss: per-pixel sigmoid BCE on the ground-truth class's channel only, positive ROIs only.

    ``gt_masks [R, M, M]`` in {0, 1}, ``pred_mask_logits [R, M, M, C]``, ``gt_classes [R]`` int, ``positive [R]``
    bool. The mean over the positive ROIs' pixels; 0.0 when no ROI is positive.
    """
    ### BEGIN SOLUTION
    gt = tf.convert_to_tensor(gt_masks, tf.float32)
    logits = tf.convert_to_tensor(pred_mask_logits, tf.float32)
    classes = tf.cast(tf.convert_to_tensor(gt_classes), tf.int32)
    weight = tf.cast(tf.convert_to_tensor(positive), tf.float32)
    chosen = tf.gather(tf.transpose(logits, [0, 3, 1, 2]), classes, axis=1, batch_dims=1)  # [R, M, M]
    bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=gt, logits=chosen)
    per_roi = tf.reduce_mean(bce, axis=[1, 2])
    return tf.math.divide_no_nan(tf.reduce_sum(per_roi * weight), tf.reduce_sum(weight))
    ### END SOLUTION


def paste_masks(masks, boxes, image_hw, threshold: float = 0.5):
    """Paste ``[R, m, m]`` mask probabilities into ``[R, H, W]`` boolean image masks.

    ``boxes`` are ``(y1, x1, y2, x2)`` in pixels. A pixel ``(y, x)`` is inside a box when its centre
    ``(y + 0.5, x + 0.5)`` is; there the mask is sampled bilinearly at ``(y + 0.5 - y1) / (y2 - y1) * m - 0.5`` (and
    likewise for x), clamped to the mask's edge pixels, and the pixel is on when the sample is ``>= threshold``.
    Pixels outside the box are off.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def mask_iou(masks_a, masks_b):
    """Pairwise IoU of ``[N, H, W]`` and ``[M, H, W]`` binary masks -> ``[N, M]`` float32; 0 for an empty union."""
    ### BEGIN SOLUTION
    a = tf.reshape(tf.cast(masks_a, tf.float32), [tf.shape(masks_a)[0], -1])
    b = tf.reshape(tf.cast(masks_b, tf.float32), [tf.shape(masks_b)[0], -1])
    inter = tf.matmul(a, b, transpose_b=True)
    union = tf.reduce_sum(a, 1)[:, None] + tf.reduce_sum(b, 1)[None, :] - inter
    return tf.math.divide_no_nan(inter, union)
    ### END SOLUTION


# %% [q4]
def batch_hard_triplet_loss(labels, embeddings, margin: float = 0.2):
    """Batch-hard triplet loss with Euclidean distances.

    For each anchor: its farthest positive (same label, not itself) and its closest negative. The loss is the mean
    of ``max(d_ap - d_an + margin, 0)`` over anchors that have at least one positive and one negative (0.0 if none
    has). Distances must have finite gradients when two embeddings coincide.
    """
    ### BEGIN SOLUTION
    e = tf.convert_to_tensor(embeddings, tf.float32)
    labels = tf.reshape(tf.convert_to_tensor(labels), [-1])
    sq = tf.reduce_sum(tf.square(e), 1)
    d2 = tf.maximum(sq[:, None] - 2.0 * tf.matmul(e, e, transpose_b=True) + sq[None, :], 0.0)
    zero = tf.equal(d2, 0.0)
    dist = tf.sqrt(tf.where(zero, tf.ones_like(d2), d2)) * (1.0 - tf.cast(zero, tf.float32))
    same = tf.equal(labels[:, None], labels[None, :])
    eye = tf.eye(tf.shape(e)[0], dtype=tf.bool)
    pos = same & ~eye
    neg = ~same
    hardest_pos = tf.reduce_max(tf.where(pos, dist, tf.zeros_like(dist)), axis=1)
    big = tf.reduce_max(dist) + 1.0
    hardest_neg = tf.reduce_min(tf.where(neg, dist, tf.fill(tf.shape(dist), big)), axis=1)
    valid = tf.cast(tf.reduce_any(pos, 1) & tf.reduce_any(neg, 1), tf.float32)
    losses = tf.maximum(hardest_pos - hardest_neg + margin, 0.0) * valid
    return tf.math.divide_no_nan(tf.reduce_sum(losses), tf.reduce_sum(valid))
    ### END SOLUTION


class ArcMarginHead(tf.keras.layers.Layer):
    """ArcFace head: owns a ``kernel [dim, num_classes]``; ``call(embeddings, labels=None)`` returns logits.

    ``cos`` is the cosine between the L2-normalised embedding and the L2-normalised class column. Without labels
    the logits are ``s * cos``. With labels, the target logit uses ``phi = cos(theta + m)`` computed as
    ``cos * cos(m) - sin * sin(m)``; where ``theta + m`` would pass ``pi`` (``cos <= cos(pi - m)``) use
    ``cos - sin(pi - m) * m`` instead; with ``easy_margin`` use ``phi`` only where ``cos > 0`` and ``cos`` elsewhere.
    """

    def __init__(self, num_classes, s=30.0, m=0.5, easy_margin=False, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.num_classes, self.s, self.m, self.easy_margin = num_classes, s, m, easy_margin
        ### END SOLUTION

    def build(self, input_shape):
        ### BEGIN SOLUTION
        self.kernel = self.add_weight(name="kernel", shape=(int(input_shape[-1]), self.num_classes),
                                      initializer="glorot_uniform", trainable=True)
        super().build(input_shape)
        ### END SOLUTION

    def call(self, embeddings, labels=None):
        ### BEGIN SOLUTION
        cos = tf.matmul(tf.math.l2_normalize(embeddings, axis=1), tf.math.l2_normalize(self.kernel, axis=0))
        if labels is None:
            return self.s * cos
        sin = tf.sqrt(tf.clip_by_value(1.0 - tf.square(cos), 0.0, 1.0))
        phi = cos * math.cos(self.m) - sin * math.sin(self.m)
        if self.easy_margin:
            phi = tf.where(cos > 0.0, phi, cos)
        else:
            phi = tf.where(cos > math.cos(math.pi - self.m), phi, cos - math.sin(math.pi - self.m) * self.m)
        onehot = tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), self.num_classes)
        return self.s * (onehot * phi + (1.0 - onehot) * cos)
        ### END SOLUTION


def tar_at_far(genuine, impostor, far: float = 1e-2) -> float:
    """True-accept rate at a false-accept rate.

    The threshold is the ``(floor(far * n) + 1)``-th highest impostor score (``n`` impostors); a pair is accepted
    when its score is strictly greater. Returns a Python float.
    """
    ### BEGIN SOLUTION
    impostor = np.sort(np.asarray(impostor, np.float64))[::-1]
    k = int(math.floor(far * len(impostor)))
    threshold = impostor[min(k, len(impostor) - 1)]
    return float(np.mean(np.asarray(genuine, np.float64) > threshold))
    ### END SOLUTION


def train_embedder(images, labels, steps: int = 300, dim: int = 32):
    """Train an embedder (ending in ``UnitNormalization``) with ``batch_hard_triplet_loss``.

    Batches of 8 identities x 4 images; return the model (images -> unit-norm embeddings).
    """
    ### BEGIN SOLUTION
    images = np.asarray(images, np.float32)
    labels = np.asarray(labels)
    layers = tf.keras.layers
    model = tf.keras.Sequential([
        tf.keras.Input(shape=images.shape[1:]),
        layers.Flatten(),
        layers.Dense(128, activation=tf.nn.leaky_relu),
        layers.Dense(dim),
        layers.UnitNormalization(),
    ])
    optimizer = tf.keras.optimizers.Adam(1e-3)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = batch_hard_triplet_loss(y, model(x, training=True), 0.2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    rng = np.random.default_rng(0)
    ids = np.unique(labels)
    by_id = {i: np.flatnonzero(labels == i) for i in ids}
    for _ in range(steps):
        chosen = rng.choice(ids, 8, replace=False)
        rows = np.concatenate([rng.choice(by_id[i], 4, replace=len(by_id[i]) < 4) for i in chosen])
        step(images[rows], labels[rows])
    return model
    ### END SOLUTION


# %% [q5]
def gram_matrix(features):
    """``[B, H, W, C]`` -> ``[B, C, C]``: ``sum_ij F[b,i,j,c] F[b,i,j,d] / (H * W)``."""
    ### BEGIN SOLUTION
    f = tf.convert_to_tensor(features, tf.float32)
    hw = tf.cast(tf.shape(f)[1] * tf.shape(f)[2], tf.float32)
    return tf.einsum("bijc,bijd->bcd", f, f) / hw
    ### END SOLUTION


def total_variation_loss(images):
    """Sum over the batch of ``sum |x[i+1, j] - x[i, j]| + sum |x[i, j+1] - x[i, j]|`` (all channels)."""
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(images, tf.float32)
    return (tf.reduce_sum(tf.abs(x[:, 1:, :, :] - x[:, :-1, :, :]))
            + tf.reduce_sum(tf.abs(x[:, :, 1:, :] - x[:, :, :-1, :])))
    ### END SOLUTION


def adain(content_features, style_features, eps: float = 1e-5):
    """Adaptive instance normalisation.

    Normalise each content channel by its own spatial mean and ``sqrt(variance + eps)``, then scale and shift by the
    style's ``sqrt(variance + eps)`` and mean.
    """
    ### BEGIN SOLUTION
    c = tf.convert_to_tensor(content_features, tf.float32)
    s = tf.convert_to_tensor(style_features, tf.float32)
    c_mean, c_var = tf.nn.moments(c, axes=[1, 2], keepdims=True)
    s_mean, s_var = tf.nn.moments(s, axes=[1, 2], keepdims=True)
    return tf.sqrt(s_var + eps) * (c - c_mean) / tf.sqrt(c_var + eps) + s_mean
    ### END SOLUTION


def style_content_loss(style_outputs, content_outputs, style_targets, content_targets, style_weight: float,
                       content_weight: float):
    """The weighted style and content losses.

    ``style_weight / Ls * sum_l mean((gram(style_outputs[l]) - style_targets[l])**2)`` +
    ``content_weight / Lc * sum_l mean((content_outputs[l] - content_targets[l])**2)``; the style targets are Gram
    matrices already.
    """
    ### BEGIN SOLUTION
    style = tf.add_n([tf.reduce_mean(tf.square(gram_matrix(o) - t))
                      for o, t in zip(style_outputs, style_targets, strict=True)])
    content = tf.add_n([tf.reduce_mean(tf.square(tf.convert_to_tensor(o, tf.float32) - t))
                        for o, t in zip(content_outputs, content_targets, strict=True)])
    return (style_weight / len(style_outputs)) * style + (content_weight / len(content_outputs)) * content
    ### END SOLUTION


def run_style_transfer(content_image, style_image, extractor, steps: int = 100, lr: float = 0.02,
                       style_weight: float = 1.0, content_weight: float = 1.0, tv_weight: float = 0.0):
    """Optimise an image (a ``tf.Variable`` that starts as the content image) with ``Adam(lr)``.

    ``extractor(images)`` returns ``(style_features, content_features)`` (two lists). Targets: the Gram matrices of
    the style image's style features and the content image's content features. Each step minimises
    ``style_content_loss + tv_weight * total_variation_loss`` and then clips the image to ``[0, 1]``. Only the image
    is trained. Returns the final image as a ``[1, H, W, 3]`` float32 tensor.
    """
    ### BEGIN SOLUTION
    content_image = tf.convert_to_tensor(content_image, tf.float32)
    style_targets = [gram_matrix(f) for f in extractor(tf.convert_to_tensor(style_image, tf.float32))[0]]
    content_targets = extractor(content_image)[1]
    image = tf.Variable(content_image)
    optimizer = tf.keras.optimizers.Adam(lr)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            style_out, content_out = extractor(image)
            loss = style_content_loss(style_out, content_out, style_targets, content_targets, style_weight,
                                      content_weight) + tv_weight * total_variation_loss(image)
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))

    for _ in range(steps):
        step()
    return tf.convert_to_tensor(image)
    ### END SOLUTION


# %% [q6]
def discriminator_loss(real_logits, fake_logits):
    """Mean sigmoid cross-entropy of real logits against 1 plus that of fake logits against 0.

    Stable for large logits.
    """
    ### BEGIN SOLUTION
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return (tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(real), logits=real))
            + tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake), logits=fake)))
    ### END SOLUTION


def generator_loss(fake_logits):
    """The non-saturating generator loss: mean sigmoid cross-entropy of fake logits against 1."""
    ### BEGIN SOLUTION
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake), logits=fake))
    ### END SOLUTION


def gradient_penalty(critic, real, fake, eps):
    """WGAN-GP's gradient penalty.

    ``mean((||grad_x critic(x_hat)||_2 - 1)**2)`` at ``x_hat = eps * real + (1 - eps) * fake``, with ``eps`` of
    shape ``[B, 1]`` given; the norm is over every non-batch axis.
    """
    ### BEGIN SOLUTION
    real = tf.convert_to_tensor(real, tf.float32)
    fake = tf.convert_to_tensor(fake, tf.float32)
    eps = tf.reshape(tf.convert_to_tensor(eps, tf.float32), [-1] + [1] * (len(real.shape) - 1))
    x_hat = eps * real + (1.0 - eps) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        out = critic(x_hat, training=True)
    grads = tape.gradient(out, x_hat)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(real.shape)))) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))
    ### END SOLUTION


class SpectralNormDense(tf.keras.layers.Layer):
    """A Dense layer whose kernel ``W [in, out]`` is divided by its spectral norm, estimated by power iteration.

    Weights, in this order: ``kernel [in, out]``, ``bias [out]`` (zeros) and a non-trainable ``u [1, out]`` (random
    normal). Each call with ``training=True`` runs one iteration ``v = normalize(u W^T)``,
    ``u = normalize(v W)`` and stores ``u``; with ``training=False`` it reuses the stored ``u`` and its ``v``. Then
    ``sigma = v W u^T`` and the output is ``x @ (W / sigma) + bias``.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.units = units
        ### END SOLUTION

    def build(self, input_shape):
        ### BEGIN SOLUTION
        self.kernel = self.add_weight(name="kernel", shape=(int(input_shape[-1]), self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.u = self.add_weight(name="u", shape=(1, self.units), initializer="random_normal", trainable=False)
        super().build(input_shape)
        ### END SOLUTION

    def call(self, inputs, training=None):
        ### BEGIN SOLUTION
        u = self.u
        v = tf.math.l2_normalize(tf.matmul(u, self.kernel, transpose_b=True))
        if training:
            u = tf.math.l2_normalize(tf.matmul(v, self.kernel))
            self.u.assign(u)
            v = tf.math.l2_normalize(tf.matmul(u, self.kernel, transpose_b=True))
        sigma = tf.reduce_sum(tf.matmul(v, self.kernel) * u)
        return tf.matmul(inputs, self.kernel / sigma) + self.bias
        ### END SOLUTION


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """The Fréchet distance between two Gaussians.

    ``||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))`` without ``scipy.linalg.sqrtm``: ``tr((S1 S2)^(1/2))`` is
    the sum of the square roots of the eigenvalues of ``S1^(1/2) S2 S1^(1/2)`` (symmetric PSD, ``eigh``; clip
    negative round-off at 0). Returns a Python float.
    """
    ### BEGIN SOLUTION
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    w, q = np.linalg.eigh((s1 + s1.T) / 2)
    root1 = (q * np.sqrt(np.clip(w, 0.0, None))) @ q.T
    inner = root1 @ s2 @ root1
    eig = np.linalg.eigvalsh((inner + inner.T) / 2)
    trace_sqrt = float(np.sum(np.sqrt(np.clip(eig, 0.0, None))))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt)
    ### END SOLUTION


def ring_data(n, seed=0, modes=8, radius=2.0, std=0.1):
    """``n`` points from ``modes`` Gaussians (std ``std``) evenly spaced on a circle of ``radius``."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    return (np.stack([np.cos(angles), np.sin(angles)], 1) * radius + rng.normal(0, std, (n, 2))).astype(np.float32)


def train_ring_gan(real, steps: int = 1000, noise_dim: int = 8):
    """Train a GAN on the 2-D points ``real``.

    ``real`` is ``[N, 2]``; draw batches of 256 rows at random; Adam 1e-3 with
    ``beta_1 = 0.5`` for both networks and the losses above. The generator maps ``[B, noise_dim]`` standard-normal
    noise to ``[B, 2]`` points; return it.
    """
    ### BEGIN SOLUTION
    layers = tf.keras.layers
    gen = tf.keras.Sequential([tf.keras.Input(shape=(noise_dim,)), layers.Dense(128, activation=tf.nn.leaky_relu),
                               layers.Dense(128, activation=tf.nn.leaky_relu), layers.Dense(2)])
    disc = tf.keras.Sequential([tf.keras.Input(shape=(2,)), layers.Dense(128, activation=tf.nn.leaky_relu),
                                layers.Dense(128, activation=tf.nn.leaky_relu), layers.Dense(1)])
    g_opt = tf.keras.optimizers.Adam(1e-3, beta_1=0.5)
    d_opt = tf.keras.optimizers.Adam(1e-3, beta_1=0.5)
    real = tf.constant(np.asarray(real, np.float32))
    rows = tf.random.uniform([steps, 256], maxval=tf.shape(real)[0], dtype=tf.int32, seed=1)

    @tf.function
    def step(real):
        z = tf.random.normal([256, noise_dim])
        with tf.GradientTape() as dt, tf.GradientTape() as gt:
            fake = gen(z, training=True)
            real_logits, fake_logits = disc(real, training=True), disc(fake, training=True)
            d_loss = discriminator_loss(real_logits, fake_logits)
            g_loss = generator_loss(fake_logits)
        d_grads = dt.gradient(d_loss, disc.trainable_variables)
        g_grads = gt.gradient(g_loss, gen.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, disc.trainable_variables, strict=True))
        g_opt.apply_gradients(zip(g_grads, gen.trainable_variables, strict=True))

    for i in range(steps):
        step(tf.gather(real, rows[i]))
    return gen
    ### END SOLUTION
