# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The course's U-Net: the last pooling is computed but never used; the bottleneck works on the last
# encoder output, so there is one skip connection fewer than levels.
# %% [q6]
def build_unet(input_shape: tuple = (32, 32, 1), num_classes: int = 3, depth: int = 2, base: int = 8):
    """A U-Net that returns per-pixel logits ``[B, H, W, num_classes]``.

    Encoder level ``l = 0 .. depth-1``: two ``Conv2D(base * 2**l, 3, padding="same", activation="relu")`` then
    ``MaxPooling2D(2)``; bottleneck: two convs with ``base * 2**depth`` filters; decoder level ``l = depth-1 .. 0``:
    ``Conv2DTranspose(base * 2**l, 2, strides=2)``, ``Concatenate`` with the encoder's level-``l`` output (the
    skip connection, before its pooling), two convs; then a ``Conv2D(num_classes, 1)`` head (no activation).
    Exactly ``depth`` ``Concatenate`` layers.
    """
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
    y = layers.Conv2D(f, 3, padding="same", activation="relu")(skips[-1])
    y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
    for level in reversed(range(depth - 1)):
        f = base * 2 ** level
        y = layers.Conv2DTranspose(f, 2, strides=2)(y)
        y = layers.Concatenate()([y, skips[level]])
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(y)
    return tf.keras.Model(inputs, layers.Conv2D(num_classes, 1)(y))


def dice_loss(labels, logits, num_classes: int, eps: float = 1.0):
    """Soft multi-class Dice loss of ``logits`` against integer ``labels``.

    Soft multi-class Dice loss: with ``p = softmax(logits)`` and one-hot ``y`` of the integer ``labels
    [B, H, W]``, per class ``dice_c = (2 * sum(p_c * y_c) + eps) / (sum(p_c) + sum(y_c) + eps)`` summed over the
    batch and all pixels; the loss is ``1 - mean_c dice_c`` (a float32 scalar, differentiable in ``logits``).
    """
    p = tf.nn.softmax(tf.cast(logits, tf.float32), axis=-1)
    y = tf.one_hot(tf.cast(labels, tf.int32), num_classes, dtype=tf.float32)
    inter = tf.reduce_sum(p * y, axis=[0, 1, 2])
    denom = tf.reduce_sum(p, axis=[0, 1, 2]) + tf.reduce_sum(y, axis=[0, 1, 2])
    return 1.0 - tf.reduce_mean((2.0 * inter + eps) / (denom + eps))


def segmentation_loss(labels, logits, num_classes: int):
    """Mean per-pixel sparse softmax cross-entropy plus ``dice_loss`` (float32 scalar)."""
    ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32),
                                                                       tf.cast(logits, tf.float32)))
    return ce + dice_loss(labels, logits, num_classes)


def mean_iou(labels, logits, num_classes: int) -> float:
    """Mean IoU of ``argmax(logits)`` against integer ``labels`` over the whole batch.

    Per class
    ``|pred == c and true == c| / |pred == c or true == c|``, averaged over the classes whose union is not empty
    (as ``tf.keras.metrics.MeanIoU``). Returns a Python float.
    """
    pred = np.argmax(np.asarray(logits), axis=-1).ravel()
    true = np.asarray(labels).ravel()
    ious = []
    for c in range(num_classes):
        union = np.sum((pred == c) | (true == c))
        if union:
            ious.append(np.sum((pred == c) & (true == c)) / union)
    return float(np.mean(ious))


def train_segmenter(images: np.ndarray, masks: np.ndarray, num_classes: int, seed: int = 0):
    """Train ``build_unet`` with ``segmentation_loss``; return the model (logits).

    Train on ``images [N, 32, 32, 1]`` and integer ``masks [N, 32, 32]``. About 20 seconds of CPU at most.
    """
    tf.keras.utils.set_random_seed(seed)
    model = build_unet(images.shape[1:], num_classes, depth=2, base=8)
    model.compile(tf.keras.optimizers.Adam(3e-3),
                  loss=lambda y, logits: segmentation_loss(y, logits, num_classes))
    model.fit(images, masks, batch_size=16, epochs=10, verbose=0)
    return model
