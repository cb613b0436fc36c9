# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# train_detector builds the detector and returns it untrained: every function it needs is right.
# %% [q2]
def iou(boxes_a, boxes_b):
    """Pairwise IoU of ``[N, 4]`` and ``[M, 4]`` boxes ``(y1, x1, y2, x2)`` -> ``[N, M]`` float32.

    0 where the union is empty (no NaN).
    """
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


def generate_anchors(feature_hw, image_hw, sizes, ratios):
    """Anchors ``(y1, x1, y2, x2)`` in pixels, ``[Hf * Wf * len(sizes) * len(ratios), 4]`` float32.

    Cell ``(i, j)`` of the feature map is centred at ``((i + 0.5) * image_h / Hf, (j + 0.5) * image_w / Wf)``.
    Order: cells row by row, then sizes, then ratios. A ``size`` and a ``ratio = w / h`` give
    ``h = size / sqrt(ratio)`` and ``w = size * sqrt(ratio)``.
    """
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


def encode_boxes(gt, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """SSD box encoding of matched ``gt`` boxes against ``anchors`` (both ``[N, 4]``) -> ``[N, 4]`` deltas.

    ``((gcy - acy) / ah / v0, (gcx - acx) / aw / v1, log(gh / ah) / v2, log(gw / aw) / v3)``.
    """
    gt = tf.convert_to_tensor(gt, tf.float32)
    anchors = tf.convert_to_tensor(anchors, tf.float32)
    v = tf.constant(variances, tf.float32)
    gh, gw = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
    ah, aw = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    gcy, gcx = gt[:, 0] + gh / 2, gt[:, 1] + gw / 2
    acy, acx = anchors[:, 0] + ah / 2, anchors[:, 1] + aw / 2
    return tf.stack([(gcy - acy) / ah / v[0], (gcx - acx) / aw / v[1],
                     tf.math.log(gh / ah) / v[2], tf.math.log(gw / aw) / v[3]], axis=1)


def decode_boxes(deltas, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """The inverse of ``encode_boxes``: deltas and anchors ``[N, 4]`` -> boxes ``(y1, x1, y2, x2)``."""
    d = tf.convert_to_tensor(deltas, tf.float32)
    anchors = tf.convert_to_tensor(anchors, tf.float32)
    v = tf.constant(variances, tf.float32)
    ah, aw = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    acy, acx = anchors[:, 0] + ah / 2, anchors[:, 1] + aw / 2
    cy, cx = d[:, 0] * v[0] * ah + acy, d[:, 1] * v[1] * aw + acx
    h, w = tf.exp(d[:, 2] * v[2]) * ah, tf.exp(d[:, 3] * v[3]) * aw
    return tf.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], axis=1)


def nms(boxes, scores, iou_threshold: float = 0.5, max_output: int = 100):
    """Greedy non-maximum suppression without ``tf.image.non_max_suppression``.

    Visit boxes by decreasing score; keep a box unless its IoU with a kept box is greater than ``iou_threshold``;
    stop after ``max_output`` boxes. Returns the kept indices (int32, in the order they were kept).
    """
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


def yolo_loss(y_true, y_pred, lambda_coord: float = 5.0, lambda_noobj: float = 0.5):
    """YOLO-style loss on ``[B, S, S, 5 + C]`` grids, summed over cells and divided by ``B``.

    ``y_true[..., 0]`` is 1 in a cell responsible for an object, ``y_true[..., 1:5]`` its encoded box and
    ``y_true[..., 5:]`` its one-hot class. ``y_pred[..., 0]`` is an objectness logit, ``y_pred[..., 1:5]`` the box
    and ``y_pred[..., 5:]`` class logits. Loss = ``lambda_coord * sum(obj * squared box error)`` +
    ``sum(obj * BCE(obj logit))`` + ``lambda_noobj * sum((1 - obj) * BCE(obj logit))`` +
    ``sum(obj * softmax cross-entropy of the class)``, all over ``B``.
    """
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


def mean_average_precision(det_boxes, det_scores, det_classes, det_images, gt_boxes, gt_classes, gt_images,
                           iou_threshold: float = 0.5) -> float:
    """VOC mAP with all-point interpolation, as a Python float.

    Per class that has ground truth: visit its detections by decreasing score; one is a true positive when its best
    IoU with a ground-truth box of the same class in the same image is ``>= iou_threshold`` and that box is not yet
    matched (it then is), else a false positive. AP is the area under the precision envelope (precision made
    non-increasing from the right) over recall. mAP is the mean AP over classes with ground truth.
    """
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


def build_detector(num_classes: int):
    """A tiny one-stage detector: 32x32x3 images -> ``[B, GRID, GRID, 5 + num_classes]`` raw outputs."""
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


def train_detector(images, y_true, num_classes: int, epochs: int = 30):
    """Build a detector and train it with Adam (lr 3e-3, batches of 32) on ``yolo_loss``; return the model."""
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

    return model


def detect(model, images, score_threshold: float = 0.3, iou_threshold: float = 0.5):
    """Run the detector and decode its grid: returns ``(boxes, scores, classes, image_index)`` as NumPy arrays.

    A cell ``(i, j)`` with box output ``(ty, tx, th, tw)`` decodes to centre ``((i + ty) * CELL, (j + tx) * CELL)``
    and size ``(ANCHOR * exp(th), ANCHOR * exp(tw))``; its score is ``sigmoid(obj) * max softmax(class)`` and its
    class the argmax. Keep scores ``>= score_threshold``, then apply ``nms`` per image and class.
    """
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
