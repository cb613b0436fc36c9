# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# IoU without clamping the overlap at zero: two negative extents multiply into a positive area.
# %% [q5]
def box_iou(a, b):
    """Pairwise IoU of boxes ``a [N, 4]`` and ``b [M, 4]`` in ``(ymin, xmin, ymax, xmax)``.

    Pairwise IoU of boxes ``a [N, 4]`` and ``b [M, 4]`` in ``(ymin, xmin, ymax, xmax)``; ``[N, M]`` float32.
    Disjoint boxes give 0; a pair whose union has zero area gives 0 (not NaN).
    """
    a = tf.cast(a, tf.float32)
    b = tf.cast(b, tf.float32)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top = tf.maximum(a[:, None, 0], b[None, :, 0])
    left = tf.maximum(a[:, None, 1], b[None, :, 1])
    bottom = tf.minimum(a[:, None, 2], b[None, :, 2])
    right = tf.minimum(a[:, None, 3], b[None, :, 3])
    inter = (bottom - top) * (right - left)
    union = area_a[:, None] + area_b[None, :] - inter
    return tf.math.divide_no_nan(inter, union)


def nms(boxes, scores, max_output_size: int, iou_threshold: float = 0.5, score_threshold: float = float("-inf")):
    """Greedy non-maximum suppression, by hand (no ``tf.image.non_max_suppression*``).

    Repeatedly take the highest-scoring remaining box (ties: the lower index first), keep it, and drop every
    remaining box whose IoU with it is **greater than** ``iou_threshold``; boxes scoring at most
    ``score_threshold`` are never kept. Returns the kept indices (int32 vector, at most ``max_output_size``).
    """
    boxes = np.asarray(boxes, np.float32)
    scores = np.asarray(scores, np.float32)
    iou = box_iou(boxes, boxes).numpy()
    order = np.argsort(-scores, kind="stable")
    alive = scores > score_threshold
    keep = []
    for i in order:
        if len(keep) >= max_output_size:
            break
        if not alive[i]:
            continue
        keep.append(int(i))
        alive &= ~(iou[i] > iou_threshold)
    return tf.constant(keep, tf.int32)


def generate_anchors(feature_hw: tuple, stride: int, scales: list, ratios: list):
    """Anchor boxes ``[H * W * A, 4]`` (yxyx, pixels) for a feature map of ``feature_hw``.

    Anchor boxes ``[H * W * A, 4]`` (yxyx, pixels) for a feature map of ``feature_hw``, ``A = len(scales) *
    len(ratios)``. Cell ``(i, j)`` is centred at ``((i + 0.5) * stride, (j + 0.5) * stride)``; for each scale
    ``s`` (outer loop) and ratio ``r = w / h`` (inner loop) the anchor has ``h = s / sqrt(r)``, ``w = s *
    sqrt(r)``. Order: row ``i``, then column ``j``, then anchor. float32.
    """
    fh, fw = feature_hw
    sizes = np.array([(s / math.sqrt(r), s * math.sqrt(r)) for s in scales for r in ratios], np.float32)
    cy = (np.arange(fh, dtype=np.float32) + 0.5) * stride
    cx = (np.arange(fw, dtype=np.float32) + 0.5) * stride
    cy, cx = np.meshgrid(cy, cx, indexing="ij")
    centres = np.stack([cy, cx], axis=-1)[:, :, None, :]          # [H, W, 1, 2]
    half = sizes[None, None, :, :] / 2.0                            # [1, 1, A, 2]
    boxes = np.concatenate([centres - half, centres + half], axis=-1)
    return tf.constant(boxes.reshape(-1, 4), tf.float32)


def encode_boxes(boxes, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """SSD/Faster R-CNN box encoding of ``boxes`` against ``anchors`` (both ``[N, 4]`` yxyx).

    SSD/Faster R-CNN box encoding of ``boxes`` against ``anchors`` (both ``[N, 4]`` yxyx):
    ``ty = (cy - cy_a) / h_a / v0``, ``tx = (cx - cx_a) / w_a / v1``, ``th = log(h / h_a) / v2``,
    ``tw = log(w / w_a) / v3``; returns ``[N, 4]`` as ``(ty, tx, th, tw)``.
    """
    boxes = tf.cast(boxes, tf.float32)
    anchors = tf.cast(anchors, tf.float32)
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    cy, cx = boxes[:, 0] + 0.5 * h, boxes[:, 1] + 0.5 * w
    ha, wa = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    cya, cxa = anchors[:, 0] + 0.5 * ha, anchors[:, 1] + 0.5 * wa
    v = variances
    return tf.stack([(cy - cya) / ha / v[0], (cx - cxa) / wa / v[1],
                     tf.math.log(h / ha) / v[2], tf.math.log(w / wa) / v[3]], axis=-1)


def decode_boxes(deltas, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """The inverse of ``encode_boxes``: ``decode_boxes(encode_boxes(b, a), a) == b``."""
    deltas = tf.cast(deltas, tf.float32)
    anchors = tf.cast(anchors, tf.float32)
    ha, wa = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    cya, cxa = anchors[:, 0] + 0.5 * ha, anchors[:, 1] + 0.5 * wa
    v = variances
    cy = deltas[:, 0] * v[0] * ha + cya
    cx = deltas[:, 1] * v[1] * wa + cxa
    h = tf.exp(deltas[:, 2] * v[2]) * ha
    w = tf.exp(deltas[:, 3] * v[3]) * wa
    return tf.stack([cy - 0.5 * h, cx - 0.5 * w, cy + 0.5 * h, cx + 0.5 * w], axis=-1)


def mean_average_precision(det_boxes, det_scores, det_labels, det_images, gt_boxes, gt_labels, gt_images,
                           num_classes: int, iou_threshold: float = 0.5) -> float:
    """PASCAL VOC (all-point interpolated) mAP.

    Per class: sort that class's detections by score, descending (ties: lower index first). A detection is a
    true positive when its best-IoU ground-truth box of the same class and image has IoU >= ``iou_threshold``
    and is not yet matched (it then becomes matched); otherwise a false positive. With cumulative precision
    ``p`` and recall ``r`` (over the class's ground-truth count), make ``p`` non-increasing from the right and
    sum ``(r_k - r_{k-1}) * p_k``. mAP is the mean over the classes that have at least one ground-truth box.
    Returns a Python float.
    """
    det_boxes, det_scores = np.asarray(det_boxes, np.float32), np.asarray(det_scores, np.float64)
    det_labels, det_images = np.asarray(det_labels), np.asarray(det_images)
    gt_boxes, gt_labels, gt_images = np.asarray(gt_boxes, np.float32), np.asarray(gt_labels), np.asarray(gt_images)
    aps = []
    for c in range(num_classes):
        gt_idx = np.flatnonzero(gt_labels == c)
        if gt_idx.size == 0:
            continue
        det_idx = np.flatnonzero(det_labels == c)
        det_idx = det_idx[np.argsort(-det_scores[det_idx], kind="stable")]
        matched = np.zeros(gt_boxes.shape[0], bool)
        tp = np.zeros(det_idx.size)
        if det_idx.size:
            ious = box_iou(det_boxes[det_idx], gt_boxes[gt_idx]).numpy()
        for k, d in enumerate(det_idx):
            same = gt_images[gt_idx] == det_images[d]
            if not same.any():
                continue
            cand = np.where(same, ious[k], -1.0)
            best = int(np.argmax(cand))
            if cand[best] >= iou_threshold and not matched[gt_idx[best]]:
                matched[gt_idx[best]] = True
                tp[k] = 1.0
        ctp = np.cumsum(tp)
        recall = ctp / gt_idx.size
        precision = ctp / np.arange(1, det_idx.size + 1)
        precision = np.maximum.accumulate(precision[::-1])[::-1] if precision.size else precision
        prev = np.concatenate([[0.0], recall[:-1]])
        aps.append(float(np.sum((recall - prev) * precision)))
    return float(np.mean(aps)) if aps else 0.0


def train_detector(images: np.ndarray, boxes: np.ndarray, labels: np.ndarray, num_classes: int, seed: int = 0):
    """Train a tiny one-object detector; return the Keras model.

    Train a tiny one-object detector on ``images [N, 32, 32, 1]`` with one object each: ``boxes [N, 4]``
    (yxyx, normalised to [0, 1]) and integer ``labels``. Return a Keras model mapping images to a list
    ``[boxes [N, 4] (yxyx in [0, 1]), class_logits [N, num_classes]]``. About 20 seconds of CPU at most; the judge
    measures IoU and class accuracy on scenes it draws itself.
    """
    tf.keras.utils.set_random_seed(seed)
    layers = tf.keras.layers
    inputs = layers.Input(shape=images.shape[1:])
    y = inputs
    for f in (16, 32, 32):
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
        y = layers.MaxPooling2D(2)(y)
    y = layers.Flatten()(y)
    y = layers.Dense(64, activation="relu")(y)
    box = layers.Dense(4, activation="sigmoid", name="box")(y)
    cls = layers.Dense(num_classes, name="cls")(y)
    model = tf.keras.Model(inputs, [box, cls])
    model.compile(tf.keras.optimizers.Adam(2e-3),
                  loss=[tf.keras.losses.Huber(delta=0.1),
                        tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)],
                  loss_weights=[10.0, 1.0])
    model.fit(images, [boxes, labels], batch_size=32, epochs=15, verbose=0)
    return model
