# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math, layers, bn come from the reference setup cell)
# deep_stack adds the shortcut inside the activation: tanh(h + Dense(h)) squashes the identity path,
# so the gradient still vanishes.
# %% [q1]
def basic_block(x, filters: int, stride: int = 1):
    """ResNet basic block: Conv3x3(stride)-BN-ReLU-Conv3x3-BN, plus the shortcut, then ReLU.

    Convolutions have no bias (BN follows). The shortcut is the input itself (identity) when the stride is 1 and the
    channel count stays; otherwise it is a projection Conv1x1(filters, stride, no bias)-BN. Merge with ``Add``.
    """
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(bn(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = bn(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = bn(shortcut)
    return layers.ReLU()(layers.Add()([y, shortcut]))


def bottleneck_block(x, filters: int, stride: int = 1, expansion: int = 4):
    """ResNet bottleneck block: Conv1x1(filters, stride)-BN-ReLU-Conv3x3(filters)-BN-ReLU-Conv1x1(expansion*filters)-BN.

    As in ResNet-50 v1 (Keras applications), the stride sits on the first 1x1. The shortcut is a projection
    Conv1x1(expansion*filters, stride)-BN whenever the stride is not 1 or the channels differ; else the identity.
    No conv bias. ``Add``, then ReLU.
    """
    out = filters * expansion
    shortcut = x
    if stride != 1 or x.shape[-1] != out:
        shortcut = bn(layers.Conv2D(out, 1, strides=stride, use_bias=False)(x))
    y = layers.ReLU()(bn(layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)))
    y = layers.ReLU()(bn(layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)))
    y = bn(layers.Conv2D(out, 1, use_bias=False)(y))
    return layers.ReLU()(layers.Add()([y, shortcut]))


def build_resnet(stage_depths, block: str, input_shape, num_classes: int, base_filters: int = 16):
    """A small ResNet: stem Conv3x3(base_filters, no bias)-BN-ReLU, then one stage per entry of ``stage_depths``.

    Stage ``i`` has ``stage_depths[i]`` blocks (``block`` is ``"basic"`` or ``"bottleneck"``) with
    ``base_filters * 2**i`` filters; the first block of every stage but the first has stride 2. Then
    GlobalAveragePooling2D and Dense(num_classes) (logits).
    """
    make = {"basic": basic_block, "bottleneck": bottleneck_block}[block]
    inputs = layers.Input(shape=tuple(input_shape))
    x = layers.ReLU()(bn(layers.Conv2D(base_filters, 3, padding="same", use_bias=False)(inputs)))
    for i, depth in enumerate(stage_depths):
        for j in range(depth):
            x = make(x, base_filters * 2 ** i, 2 if (i > 0 and j == 0) else 1)
    x = layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, layers.Dense(num_classes)(x))


def deep_stack(input_dim: int, width: int, depth: int, residual: bool):
    """A deep fully connected stack for studying gradient flow.

    Dense(width) input projection (no activation), then ``depth`` layers ``h = tanh(Dense(width)(h))`` (plain) or
    ``h = h + tanh(Dense(width)(h))`` (residual, merged with ``Add``), then Dense(1). Returns a ``tf.keras.Model``.
    """
    inputs = layers.Input(shape=(input_dim,))
    h = layers.Dense(width)(inputs)
    for _ in range(depth):
        f = layers.Dense(width)(h)
        h = layers.Activation("tanh")(layers.Add()([h, f]) if residual else f)
    return tf.keras.Model(inputs, layers.Dense(1)(h))
