"""Reference solution for A10, Convolutional Neural Networks.

Every model in this assignment is trained from scratch on small synthetic images, in seconds on a CPU.
"""

# %% [setup]
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import math

import numpy as np
import tensorflow as tf


# %% [q1]
def conv_output_size(n: int, k: int, stride: int = 1, padding: str = "VALID", dilation: int = 1) -> int:
    """Length of one spatial axis after a convolution (or pooling) window slides over ``n`` positions.

    The effective kernel size is ``(k - 1) * dilation + 1``. With ``"VALID"`` the window stays inside the
    input; with ``"SAME"`` TensorFlow pads so that the output has ``ceil(n / stride)`` positions.
    """
    ### BEGIN SOLUTION
    effective = (k - 1) * dilation + 1
    if padding == "SAME":
        return -(-n // stride)
    if padding == "VALID":
        return max((n - effective) // stride + 1, 0)
    raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    ### END SOLUTION


def same_pad_amounts(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple:
    """``(before, after)``: the zeros TensorFlow adds to one spatial axis for ``padding="SAME"``.

    The total is whatever the ``ceil(n / stride)`` outputs need, never negative; when it is odd the extra
    zero goes **after** (bottom/right).
    """
    ### BEGIN SOLUTION
    effective = (k - 1) * dilation + 1
    out = -(-n // stride)
    total = max((out - 1) * stride + effective - n, 0)
    return (total // 2, total - total // 2)
    ### END SOLUTION


def conv2d_by_hand(x, kernel, bias=None, stride: int = 1, padding: str = "VALID", dilation: int = 1,
                   groups: int = 1):
    """2-D convolution (TensorFlow's, i.e. cross-correlation: no kernel flip) without any library conv.

    ``out[b, i, j, o] = bias[o] + sum_{m, n, c} xpad[b, i*s + m*d, j*s + n*d, g*Cg + c] * kernel[m, n, c, o]``
    where ``g = o // (O / groups)`` is the group of output channel ``o`` and ``Cg = C / groups``.

    Args:
        x: ``[B, H, W, C]`` float tensor.
        kernel: ``[kh, kw, C / groups, O]``; ``O`` divisible by ``groups``.
        bias: ``[O]`` or ``None``.
        stride: one int for both spatial axes.
        dilation: one int for both spatial axes.
        padding: ``"SAME"`` (zeros split as in ``same_pad_amounts``) or ``"VALID"``.
        groups: grouped convolution; ``groups == C`` with one filter per group is a depthwise conv.

    ``kernel`` and ``bias`` may be tensors or NumPy arrays of another float dtype: convert them to ``x``'s.

    Returns:
        ``[B, out_h, out_w, O]`` in the dtype of ``x``, differentiable with respect to ``x``, ``kernel`` and
        ``bias``. ``tf.nn.conv2d``, ``tf.nn.convolution``, ``tf.nn.depthwise_conv2d`` and Keras conv layers are
        not allowed.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    kernel = tf.convert_to_tensor(kernel, dtype=x.dtype)
    kh, kw, cin_g, cout = kernel.shape
    h, w = int(x.shape[1]), int(x.shape[2])
    if padding == "SAME":
        top, bottom = same_pad_amounts(h, kh, stride, dilation)
        left, right = same_pad_amounts(w, kw, stride, dilation)
        x = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
    out_h = conv_output_size(h, kh, stride, padding, dilation)
    out_w = conv_output_size(w, kw, stride, padding, dilation)
    taps = []
    for m in range(kh):
        for n in range(kw):
            taps.append(x[:, m * dilation: m * dilation + (out_h - 1) * stride + 1: stride,
                          n * dilation: n * dilation + (out_w - 1) * stride + 1: stride, :])
    patches = tf.stack(taps, axis=3)  # [B, oh, ow, kh*kw, C]
    patches = tf.reshape(patches, [-1, out_h, out_w, kh * kw, groups, cin_g])
    k = tf.reshape(kernel, [kh * kw, cin_g, groups, cout // groups])
    out = tf.einsum("bhwpgc,pcgo->bhwgo", patches, k)
    out = tf.reshape(out, [-1, out_h, out_w, cout])
    if bias is not None:
        out = out + tf.convert_to_tensor(bias, dtype=x.dtype)
    return out
    ### END SOLUTION


# %% [q2]
def max_pool2d(x, pool_size: int, stride: int, padding: str = "VALID"):
    """Max pooling of ``[B, H, W, C]`` by hand (no ``tf.nn.max_pool*``, ``tf.nn.pool`` or Keras pooling layers).

    SAME padding pads with ``-inf``, so a padded position never wins, also when every input is negative. The
    gradient flows to the maximum of each window only.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)

    def windows(t, pad_value):  # [B, oh, ow, pool_size**2, C]: every window, padded with pad_value for SAME
        h, w = int(t.shape[1]), int(t.shape[2])
        if padding == "SAME":
            top, bottom = same_pad_amounts(h, pool_size, stride)
            left, right = same_pad_amounts(w, pool_size, stride)
            t = tf.pad(t, [[0, 0], [top, bottom], [left, right], [0, 0]], constant_values=pad_value)
        out_h = conv_output_size(h, pool_size, stride, padding)
        out_w = conv_output_size(w, pool_size, stride, padding)
        taps = [t[:, m: m + (out_h - 1) * stride + 1: stride, n: n + (out_w - 1) * stride + 1: stride, :]
                for m in range(pool_size) for n in range(pool_size)]
        return tf.stack(taps, axis=3)

    return tf.reduce_max(windows(x, -np.inf), axis=3)
    ### END SOLUTION


def avg_pool2d(x, pool_size: int, stride: int, padding: str = "VALID"):
    """Average pooling of ``[B, H, W, C]`` by hand.

    Average pooling by hand. With SAME padding, a window's mean is over its **real** inputs only (as
    ``tf.nn.avg_pool2d``): the padded zeros count neither in the sum nor in the divisor.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)

    def windows(t, pad_value):  # [B, oh, ow, pool_size**2, C]: every window, padded with pad_value for SAME
        h, w = int(t.shape[1]), int(t.shape[2])
        if padding == "SAME":
            top, bottom = same_pad_amounts(h, pool_size, stride)
            left, right = same_pad_amounts(w, pool_size, stride)
            t = tf.pad(t, [[0, 0], [top, bottom], [left, right], [0, 0]], constant_values=pad_value)
        out_h = conv_output_size(h, pool_size, stride, padding)
        out_w = conv_output_size(w, pool_size, stride, padding)
        taps = [t[:, m: m + (out_h - 1) * stride + 1: stride, n: n + (out_w - 1) * stride + 1: stride, :]
                for m in range(pool_size) for n in range(pool_size)]
        return tf.stack(taps, axis=3)

    sums = tf.reduce_sum(windows(x, 0.0), axis=3)
    counts = tf.reduce_sum(windows(tf.ones_like(x[:1, :, :, :1]), 0.0), axis=3)
    return sums / counts
    ### END SOLUTION


def global_pools(x) -> tuple:
    """``(global_average, global_max)`` of ``[B, H, W, C]``, each ``[B, C]``."""
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    return tf.reduce_mean(x, axis=[1, 2]), tf.reduce_max(x, axis=[1, 2])
    ### END SOLUTION


def adaptive_avg_pool2d(x, output_size: tuple):
    """Adaptive average pooling to ``(oh, ow)`` (PyTorch semantics).

    Adaptive average pooling to ``(oh, ow)`` (PyTorch semantics): output row ``i`` averages input rows
    ``floor(i * H / oh)`` up to, not including, ``ceil((i + 1) * H / oh)``; the same for columns. Bins may overlap
    when ``H`` is not a multiple of ``oh``. (``tf.image.resize`` is interpolation, not pooling.)
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    h, w = int(x.shape[1]), int(x.shape[2])
    oh, ow = output_size
    rows = []
    for i in range(oh):
        r0, r1 = (i * h) // oh, -(-((i + 1) * h) // oh)
        cols = []
        for j in range(ow):
            c0, c1 = (j * w) // ow, -(-((j + 1) * w) // ow)
            cols.append(tf.reduce_mean(x[:, r0:r1, c0:c1, :], axis=[1, 2]))
        rows.append(tf.stack(cols, axis=1))
    return tf.stack(rows, axis=1)
    ### END SOLUTION


def build_pooling_classifier(kind: str, input_shape: tuple = (24, 24, 1), num_classes: int = 2):
    """A tiny CNN whose only difference between strategies is the global pooling.

    ``Conv2D(8, 3, padding="same", activation="relu")``, ``Conv2D(8, 3, padding="same", activation="relu")``, then
    ``GlobalMaxPooling2D`` for ``kind="max"`` or ``GlobalAveragePooling2D`` for ``kind="avg"``, then
    ``Dense(num_classes)`` logits. The judge trains both on a "is a small mark anywhere in this noisy image?" task.
    """
    ### BEGIN SOLUTION
    pools = {"max": tf.keras.layers.GlobalMaxPooling2D, "avg": tf.keras.layers.GlobalAveragePooling2D}
    return tf.keras.Sequential([
        tf.keras.layers.Input(shape=input_shape),
        tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        pools[kind](),
        tf.keras.layers.Dense(num_classes),
    ])
    ### END SOLUTION


# %% [q3]
def build_vgg(spec: list, input_shape: tuple, num_classes: int):
    """A VGG-style ``tf.keras.Sequential`` built from a config list.

    Each int ``f`` of ``spec`` adds ``Conv2D(f, 3, padding="same", use_bias=False)``, ``BatchNormalization()``,
    ``ReLU()``; each ``"M"`` adds ``MaxPooling2D(2)``. The head is ``GlobalAveragePooling2D()`` then
    ``Dense(num_classes)`` (logits). Start with ``tf.keras.layers.Input(shape=input_shape)``.
    """
    ### BEGIN SOLUTION
    layers = [tf.keras.layers.Input(shape=input_shape)]
    for item in spec:
        if item == "M":
            layers.append(tf.keras.layers.MaxPooling2D(2))
        else:
            layers += [tf.keras.layers.Conv2D(int(item), 3, padding="same", use_bias=False),
                       tf.keras.layers.BatchNormalization(), tf.keras.layers.ReLU()]
    layers += [tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(num_classes)]
    return tf.keras.Sequential(layers)
    ### END SOLUTION


def count_params(spec: list, in_channels: int, num_classes: int) -> int:
    """Number of weights of ``build_vgg(spec, (H, W, in_channels), num_classes)``.

    All of them, trainable or not: 3x3 kernels without bias, four per channel for
    each BatchNormalization (gamma, beta, moving mean, moving variance), and the Dense head with its bias.
    """
    ### BEGIN SOLUTION
    total, c = 0, in_channels
    for item in spec:
        if item != "M":
            total += 9 * c * item + 4 * item
            c = item
    return total + c * num_classes + num_classes
    ### END SOLUTION


def count_macs(spec: list, input_shape: tuple, num_classes: int) -> int:
    """Multiply-accumulates of one forward pass of one image through ``build_vgg``.

    ``out_h * out_w * 9 * C_in * C_out`` per conv,
    ``C * num_classes`` for the head; BatchNormalization, ReLU and pooling count zero. ``MaxPooling2D(2)`` halves
    each spatial size, rounding down.
    """
    ### BEGIN SOLUTION
    h, w, c = input_shape
    total = 0
    for item in spec:
        if item == "M":
            h, w = h // 2, w // 2
        else:
            total += h * w * 9 * c * item
            c = item
    return total + c * num_classes
    ### END SOLUTION


def receptive_field(spec: list) -> int:
    """Receptive field, in input pixels along one axis, of one unit after the last item of ``spec``.

    For each
    layer with kernel ``k`` and stride ``s``, ``r += (k - 1) * jump`` then ``jump *= s`` (3x3 conv: k=3, s=1;
    ``"M"``: k=2, s=2), starting from ``r = 1, jump = 1``.
    """
    ### BEGIN SOLUTION
    r, jump = 1, 1
    for item in spec:
        k, s = (2, 2) if item == "M" else (3, 1)
        r += (k - 1) * jump
        jump *= s
    return r
    ### END SOLUTION


# %% [q4]
def resnet_block(x, filters: int, stride: int = 1):
    """A basic residual block on a Keras tensor ``x``.

    Main path: ``Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)``, ``BatchNormalization``,
    ``ReLU``, ``Conv2D(filters, 3, padding="same", use_bias=False)``, ``BatchNormalization``. Shortcut: ``x``
    itself, or, when ``stride != 1`` **or the channel count changes**, ``Conv2D(filters, 1, strides=stride,
    use_bias=False)`` + ``BatchNormalization``. Output: ``ReLU(Add()([main, shortcut]))``. Every
    BatchNormalization here uses ``momentum=0.9``: with the default 0.99 the moving statistics lag behind a few
    hundred training steps and the trained model does much worse at inference than in training.
    """
    ### BEGIN SOLUTION
    layers = tf.keras.layers
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization(momentum=0.9)(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization(momentum=0.9)(y)
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = layers.BatchNormalization(momentum=0.9)(shortcut)
    return layers.ReLU()(layers.Add()([y, shortcut]))
    ### END SOLUTION


def train_classifier(images: np.ndarray, labels: np.ndarray, num_classes: int, seed: int = 0):
    """Build and train a small residual CNN; return the trained Keras model.

    Build and train a small CNN (use ``resnet_block``) on ``images [N, 16, 16, 1]`` (float32 in [0, 1]) and
    integer ``labels``; return the trained Keras model, which maps images to ``num_classes`` logits. Keep it
    fast: the judge gives it about 20 seconds on a CPU, then measures accuracy on images it generates itself.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    inputs = tf.keras.layers.Input(shape=images.shape[1:])
    y = tf.keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    y = tf.keras.layers.BatchNormalization(momentum=0.9)(y)
    y = tf.keras.layers.ReLU()(y)
    y = resnet_block(y, 16)
    y = resnet_block(y, 32, stride=2)
    y = tf.keras.layers.GlobalAveragePooling2D()(y)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(num_classes)(y))
    model.compile(tf.keras.optimizers.Adam(1e-3),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(images, labels, batch_size=32, epochs=6, verbose=0)
    return model
    ### END SOLUTION


# %% [q5]
def box_iou(a, b):
    """Pairwise IoU of boxes ``a [N, 4]`` and ``b [M, 4]`` in ``(ymin, xmin, ymax, xmax)``.

    Pairwise IoU of boxes ``a [N, 4]`` and ``b [M, 4]`` in ``(ymin, xmin, ymax, xmax)``; ``[N, M]`` float32.
    Disjoint boxes give 0; a pair whose union has zero area gives 0 (not NaN).
    """
    ### BEGIN SOLUTION
    a = tf.cast(a, tf.float32)
    b = tf.cast(b, tf.float32)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top = tf.maximum(a[:, None, 0], b[None, :, 0])
    left = tf.maximum(a[:, None, 1], b[None, :, 1])
    bottom = tf.minimum(a[:, None, 2], b[None, :, 2])
    right = tf.minimum(a[:, None, 3], b[None, :, 3])
    inter = tf.maximum(bottom - top, 0.0) * tf.maximum(right - left, 0.0)
    union = area_a[:, None] + area_b[None, :] - inter
    return tf.math.divide_no_nan(inter, union)
    ### END SOLUTION


def nms(boxes, scores, max_output_size: int, iou_threshold: float = 0.5, score_threshold: float = float("-inf")):
    """Greedy non-maximum suppression, by hand (no ``tf.image.non_max_suppression*``).

    Repeatedly take the highest-scoring remaining box (ties: the lower index first), keep it, and drop every
    remaining box whose IoU with it is **greater than** ``iou_threshold``; boxes scoring at most
    ``score_threshold`` are never kept. Returns the kept indices (int32 vector, at most ``max_output_size``).
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def generate_anchors(feature_hw: tuple, stride: int, scales: list, ratios: list):
    """Anchor boxes ``[H * W * A, 4]`` (yxyx, pixels) for a feature map of ``feature_hw``.

    Anchor boxes ``[H * W * A, 4]`` (yxyx, pixels) for a feature map of ``feature_hw``, ``A = len(scales) *
    len(ratios)``. Cell ``(i, j)`` is centred at ``((i + 0.5) * stride, (j + 0.5) * stride)``; for each scale
    ``s`` (outer loop) and ratio ``r = w / h`` (inner loop) the anchor has ``h = s / sqrt(r)``, ``w = s *
    sqrt(r)``. Order: row ``i``, then column ``j``, then anchor. float32.
    """
    ### BEGIN SOLUTION
    fh, fw = feature_hw
    sizes = np.array([(s / math.sqrt(r), s * math.sqrt(r)) for s in scales for r in ratios], np.float32)
    cy = (np.arange(fh, dtype=np.float32) + 0.5) * stride
    cx = (np.arange(fw, dtype=np.float32) + 0.5) * stride
    cy, cx = np.meshgrid(cy, cx, indexing="ij")
    centres = np.stack([cy, cx], axis=-1)[:, :, None, :]          # [H, W, 1, 2]
    half = sizes[None, None, :, :] / 2.0                            # [1, 1, A, 2]
    boxes = np.concatenate([centres - half, centres + half], axis=-1)
    return tf.constant(boxes.reshape(-1, 4), tf.float32)
    ### END SOLUTION


def encode_boxes(boxes, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """SSD/Faster R-CNN box encoding of ``boxes`` against ``anchors`` (both ``[N, 4]`` yxyx).

    SSD/Faster R-CNN box encoding of ``boxes`` against ``anchors`` (both ``[N, 4]`` yxyx):
    ``ty = (cy - cy_a) / h_a / v0``, ``tx = (cx - cx_a) / w_a / v1``, ``th = log(h / h_a) / v2``,
    ``tw = log(w / w_a) / v3``; returns ``[N, 4]`` as ``(ty, tx, th, tw)``.
    """
    ### BEGIN SOLUTION
    boxes = tf.cast(boxes, tf.float32)
    anchors = tf.cast(anchors, tf.float32)
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    cy, cx = boxes[:, 0] + 0.5 * h, boxes[:, 1] + 0.5 * w
    ha, wa = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    cya, cxa = anchors[:, 0] + 0.5 * ha, anchors[:, 1] + 0.5 * wa
    v = variances
    return tf.stack([(cy - cya) / ha / v[0], (cx - cxa) / wa / v[1],
                     tf.math.log(h / ha) / v[2], tf.math.log(w / wa) / v[3]], axis=-1)
    ### END SOLUTION


def decode_boxes(deltas, anchors, variances=(0.1, 0.1, 0.2, 0.2)):
    """The inverse of ``encode_boxes``: ``decode_boxes(encode_boxes(b, a), a) == b``."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def train_detector(images: np.ndarray, boxes: np.ndarray, labels: np.ndarray, num_classes: int, seed: int = 0):
    """Train a tiny one-object detector; return the Keras model.

    Train a tiny one-object detector on ``images [N, 32, 32, 1]`` with one object each: ``boxes [N, 4]``
    (yxyx, normalised to [0, 1]) and integer ``labels``. Return a Keras model mapping images to a list
    ``[boxes [N, 4] (yxyx in [0, 1]), class_logits [N, num_classes]]``. About 20 seconds of CPU at most; the judge
    measures IoU and class accuracy on scenes it draws itself.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q6]
def build_unet(input_shape: tuple = (32, 32, 1), num_classes: int = 3, depth: int = 2, base: int = 8):
    """A U-Net that returns per-pixel logits ``[B, H, W, num_classes]``.

    Encoder level ``l = 0 .. depth-1``: two ``Conv2D(base * 2**l, 3, padding="same", activation="relu")`` then
    ``MaxPooling2D(2)``; bottleneck: two convs with ``base * 2**depth`` filters; decoder level ``l = depth-1 .. 0``:
    ``Conv2DTranspose(base * 2**l, 2, strides=2)``, ``Concatenate()([upsampled, skip])`` with the encoder's level-``l``
    output as the skip (before its pooling), two convs; then a ``Conv2D(num_classes, 1)`` head (no activation).
    Exactly ``depth`` ``Concatenate`` layers.
    """
    ### BEGIN SOLUTION
    layers = tf.keras.layers
    inputs = layers.Input(shape=input_shape)
    y, skips = inputs, []
    for level in range(depth):
        f = base * 2 ** level
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
        skips.append(y)
        y = layers.MaxPooling2D(2)(y)
    f = base * 2 ** depth
    y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
    y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
    for level in reversed(range(depth)):
        f = base * 2 ** level
        y = layers.Conv2DTranspose(f, 2, strides=2)(y)
        y = layers.Concatenate()([y, skips[level]])
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
    return tf.keras.Model(inputs, layers.Conv2D(num_classes, 1)(y))
    ### END SOLUTION


def dice_loss(labels, logits, num_classes: int, eps: float = 1.0):
    """Soft multi-class Dice loss of ``logits`` against integer ``labels``.

    Soft multi-class Dice loss: with ``p = softmax(logits)`` and one-hot ``y`` of the integer ``labels
    [B, H, W]``, per class ``dice_c = (2 * sum(p_c * y_c) + eps) / (sum(p_c) + sum(y_c) + eps)`` summed over the
    batch and all pixels; the loss is ``1 - mean_c dice_c`` (a float32 scalar, differentiable in ``logits``).
    """
    ### BEGIN SOLUTION
    p = tf.nn.softmax(tf.cast(logits, tf.float32), axis=-1)
    y = tf.one_hot(tf.cast(labels, tf.int32), num_classes, dtype=tf.float32)
    inter = tf.reduce_sum(p * y, axis=[0, 1, 2])
    denom = tf.reduce_sum(p, axis=[0, 1, 2]) + tf.reduce_sum(y, axis=[0, 1, 2])
    return 1.0 - tf.reduce_mean((2.0 * inter + eps) / (denom + eps))
    ### END SOLUTION


def segmentation_loss(labels, logits, num_classes: int):
    """Mean per-pixel sparse softmax cross-entropy plus ``dice_loss`` (float32 scalar)."""
    ### BEGIN SOLUTION
    ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32),
                                                                       tf.cast(logits, tf.float32)))
    return ce + dice_loss(labels, logits, num_classes)
    ### END SOLUTION


def mean_iou(labels, logits, num_classes: int) -> float:
    """Mean IoU of ``argmax(logits)`` against integer ``labels`` over the whole batch.

    Per class
    ``|pred == c and true == c| / |pred == c or true == c|``, averaged over the classes whose union is not empty
    (as ``tf.keras.metrics.MeanIoU``). Returns a Python float.
    """
    ### BEGIN SOLUTION
    pred = np.argmax(np.asarray(logits), axis=-1).ravel()
    true = np.asarray(labels).ravel()
    ious = []
    for c in range(num_classes):
        union = np.sum((pred == c) | (true == c))
        if union:
            ious.append(np.sum((pred == c) & (true == c)) / union)
    return float(np.mean(ious))
    ### END SOLUTION


def train_segmenter(images: np.ndarray, masks: np.ndarray, num_classes: int, seed: int = 0):
    """Train ``build_unet`` with ``segmentation_loss``; return the model (logits).

    Train on ``images [N, 32, 32, 1]`` and integer ``masks [N, 32, 32]``. About 20 seconds of CPU at most.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    model = build_unet(images.shape[1:], num_classes, depth=2, base=8)
    model.compile(tf.keras.optimizers.Adam(3e-3),
                  loss=lambda y, logits: segmentation_loss(y, logits, num_classes))
    model.fit(images, masks, batch_size=16, epochs=8, verbose=0)
    return model
    ### END SOLUTION
