# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# SAME max pooling pads with zeros: a window of negative inputs at the border returns 0.
# %% [q2]
def max_pool2d(x, pool_size: int, stride: int, padding: str = "VALID"):
    """Max pooling of ``[B, H, W, C]`` by hand (no ``tf.nn.max_pool*``, ``tf.nn.pool`` or Keras pooling layers).

    SAME padding pads with ``-inf``, so a padded position never wins, also when every input is negative. The
    gradient flows to the maximum of each window only.
    """
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

    return tf.reduce_max(windows(x, 0.0), axis=3)


def avg_pool2d(x, pool_size: int, stride: int, padding: str = "VALID"):
    """Average pooling of ``[B, H, W, C]`` by hand.

    Average pooling by hand. With SAME padding, a window's mean is over its **real** inputs only (as
    ``tf.nn.avg_pool2d``): the padded zeros count neither in the sum nor in the divisor.
    """
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


def global_pools(x) -> tuple:
    """``(global_average, global_max)`` of ``[B, H, W, C]``, each ``[B, C]``."""
    x = tf.convert_to_tensor(x)
    return tf.reduce_mean(x, axis=[1, 2]), tf.reduce_max(x, axis=[1, 2])


def adaptive_avg_pool2d(x, output_size: tuple):
    """Adaptive average pooling to ``(oh, ow)`` (PyTorch semantics).

    Adaptive average pooling to ``(oh, ow)`` (PyTorch semantics): output row ``i`` averages input rows
    ``floor(i * H / oh)`` up to, not including, ``ceil((i + 1) * H / oh)``; the same for columns. Bins may overlap
    when ``H`` is not a multiple of ``oh``. (``tf.image.resize`` is interpolation, not pooling.)
    """
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


def build_pooling_classifier(kind: str, input_shape: tuple = (24, 24, 1), num_classes: int = 2):
    """A tiny CNN whose only difference between strategies is the global pooling.

    ``Conv2D(8, 3, padding="same", activation="relu")``, ``Conv2D(8, 3, padding="same", activation="relu")``, then
    ``GlobalMaxPooling2D`` for ``kind="max"`` or ``GlobalAveragePooling2D`` for ``kind="avg"``, then
    ``Dense(num_classes)`` logits. The judge trains both on a "is a small mark anywhere in this noisy image?" task.
    """
    pools = {"max": tf.keras.layers.GlobalMaxPooling2D, "avg": tf.keras.layers.GlobalAveragePooling2D}
    return tf.keras.Sequential([
        tf.keras.layers.Input(shape=input_shape),
        tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        pools[kind](),
        tf.keras.layers.Dense(num_classes),
    ])
