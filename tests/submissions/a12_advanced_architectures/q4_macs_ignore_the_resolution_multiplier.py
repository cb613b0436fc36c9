# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math, layers, bn come from the reference setup cell)
# mobilenet_v1_macs and the model ignore rho (only the width multiplier scales).
# %% [q4]
def make_divisible(v: float, divisor: int = 8, min_value=None) -> int:
    """Keras' MobileNetV2 channel rounding.

    Round ``v`` to the nearest multiple of ``divisor`` (ties up), at least ``min_value`` (default ``divisor``), and
    never more than 10% below ``v`` (then add one ``divisor``).
    """
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return int(new_v)


def depthwise_separable(x, filters: int, stride: int = 1, alpha: float = 1.0):
    """MobileNet v1 block.

    DepthwiseConv2D(3, stride, "same", no bias)-BN-ReLU6, then Conv2D(int(filters * alpha), 1, no bias)-BN-ReLU6.
    """
    y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU(6.0)(bn(y))
    y = layers.Conv2D(int(filters * alpha), 1, use_bias=False)(y)
    return layers.ReLU(6.0)(bn(y))


def inverted_residual(x, expansion: int, out_channels: int, stride: int, alpha: float = 1.0):
    """MobileNet v2 block (linear bottleneck).

    Expansion Conv1x1(C_in * expansion, no bias)-BN-ReLU6 (left out when ``expansion == 1``), then
    DepthwiseConv2D(3, stride, "same", no bias)-BN-ReLU6, then the linear projection
    Conv1x1(make_divisible(out_channels * alpha, 8), no bias)-BN with no activation. ``Add`` the input when the
    stride is 1 and the channel counts match.
    """
    c_in = x.shape[-1]
    out = make_divisible(out_channels * alpha, 8)
    y = x
    if expansion != 1:
        y = layers.ReLU(6.0)(bn(layers.Conv2D(c_in * expansion, 1, use_bias=False)(y)))
    y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(y)
    y = layers.ReLU(6.0)(bn(y))
    y = bn(layers.Conv2D(out, 1, use_bias=False)(y))
    if stride == 1 and c_in == out:
        return layers.Add()([x, y])
    return y


def build_mobilenet_v1(blocks, input_shape, num_classes: int, alpha: float = 1.0, rho: float = 1.0):
    """A small MobileNet v1. ``blocks`` is a list of ``(filters, stride)``.

    The resolution multiplier ``rho`` scales the input side: the model's input is
    ``(round(H * rho), round(W * rho), C)``. Stem Conv2D(int(32 * alpha), 3, strides 2, "same", no bias)-BN-ReLU6,
    one ``depthwise_separable(filters, stride, alpha)`` per entry, GlobalAveragePooling2D, Dense(num_classes).
    """
    h, w, c = input_shape
    inputs = layers.Input(shape=(h, w, c))
    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.ReLU(6.0)(bn(x))
    for filters, stride in blocks:
        x = depthwise_separable(x, filters, stride, alpha)
    x = layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, layers.Dense(num_classes)(x))


def mobilenet_v1_macs(blocks, input_shape, num_classes: int, alpha: float = 1.0, rho: float = 1.0) -> int:
    """Multiply-accumulates of ``build_mobilenet_v1`` with the same arguments, from the layer configuration alone.

    A standard conv costs ``H_out * W_out * k * k * C_in * C_out``, a depthwise conv ``H_out * W_out * k * k * C``,
    the Dense layer ``C * num_classes``; "same" padding gives ``ceil(side / stride)``.
    """
    h, w, c = input_shape
    h, w = -(-h // 2), -(-w // 2)
    c_out = int(32 * alpha)
    macs = h * w * 9 * c * c_out
    c = c_out
    for filters, stride in blocks:
        h, w = -(-h // stride), -(-w // stride)
        c_out = int(filters * alpha)
        macs += h * w * 9 * c + h * w * c * c_out
        c = c_out
    return int(macs + c * num_classes)
