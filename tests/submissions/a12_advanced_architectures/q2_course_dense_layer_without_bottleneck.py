# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math, layers, bn come from the reference setup cell)
# The course's dense layer: BN-ReLU-Conv3x3 only; the DenseNet-BC bottleneck 1x1(4k) is never built, and the
# network ends without BN-ReLU.
# %% [q2]
def dense_layer(x, growth_rate: int, bottleneck: bool = True):
    """One DenseNet layer: [BN-ReLU-Conv1x1(4*growth_rate)] (DenseNet-BC bottleneck) then BN-ReLU-Conv3x3(growth_rate).

    Convolutions have no bias. The new ``growth_rate`` feature maps are concatenated **after** the input
    (``Concatenate()([x, new])``), so the input channels come first, unchanged.
    """
    y = x
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False)(layers.ReLU()(bn(y)))
    return layers.Concatenate()([x, y])


def dense_block(x, num_layers: int, growth_rate: int, bottleneck: bool = True):
    """``num_layers`` dense layers in a row: the output has ``C0 + num_layers * growth_rate`` channels."""
    for _ in range(num_layers):
        x = dense_layer(x, growth_rate, bottleneck)
    return x


def transition_layer(x, compression: float = 0.5):
    """BN-ReLU-Conv1x1(floor(C * compression), no bias)-AveragePooling2D(2, strides=2)."""
    filters = int(math.floor(x.shape[-1] * compression))
    y = layers.Conv2D(filters, 1, use_bias=False)(layers.ReLU()(bn(x)))
    return layers.AveragePooling2D(2, strides=2)(y)


def densenet_channels(c0: int, block_layers, growth_rate: int, compression: float = 0.5) -> list:
    """Channel count after each dense block and each transition, in order.

    A transition follows every block but the last: for ``block_layers = [2, 3]`` the list is
    ``[after block 1, after transition 1, after block 2]``.
    """
    channels, c = [], c0
    for i, n in enumerate(block_layers):
        c += n * growth_rate
        channels.append(c)
        if i < len(block_layers) - 1:
            c = int(math.floor(c * compression))
            channels.append(c)
    return channels


def build_densenet(block_layers, growth_rate: int, input_shape, num_classes: int, compression: float = 0.5,
                   bottleneck: bool = True):
    """A small DenseNet.

    Stem Conv3x3(2*growth_rate, "same", no bias), dense blocks with transitions between them, a final BN-ReLU,
    GlobalAveragePooling2D and Dense(num_classes) (logits).
    """
    inputs = layers.Input(shape=tuple(input_shape))
    x = layers.Conv2D(2 * growth_rate, 3, padding="same", use_bias=False)(inputs)
    for i, n in enumerate(block_layers):
        x = dense_block(x, n, growth_rate, bottleneck)
        if i < len(block_layers) - 1:
            x = transition_layer(x, compression)
    x = layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, layers.Dense(num_classes)(x))
