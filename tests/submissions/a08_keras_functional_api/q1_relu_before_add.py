# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, layers come from the reference setup cell)
# The residual branch is activated before the Add, so negative residuals never reach the sum.
# %% [q1]
def residual_block(x, filters: int, name: str, skip: bool = True):
    """One residual block of ``build_skip_model``.

    ``{name}_conv1`` (3x3, ``filters``, same padding, no bias) -> ``{name}_bn1`` -> ``{name}_relu1`` ->
    ``{name}_conv2`` (3x3, no bias) -> ``{name}_bn2``; then, when ``skip``, ``{name}_add`` adds the
    shortcut: the block input itself, or ``{name}_proj`` (1x1 conv, no bias) of it when its channel
    count differs from ``filters``. Finally ``{name}_out`` (ReLU). Without ``skip`` there is no
    shortcut, no projection and no Add layer.
    """
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv1")(x)
    y = layers.BatchNormalization(name=f"{name}_bn1")(y)
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(name=f"{name}_bn2")(y)
    if skip:
        shortcut = x
        if x.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_proj")(x)
        y = layers.Add(name=f"{name}_add")([shortcut, layers.ReLU()(y)])
    return layers.ReLU(name=f"{name}_out")(y)


def build_skip_model(input_shape=(16, 16, 1), num_classes: int = 10, width: int = 16, blocks: int = 2,
                     skip: bool = True) -> tf.keras.Model:
    """A small ResNet built with the functional API.

    ``image`` input -> ``stem_conv`` (3x3, ``width``, same padding, no bias) -> ``stem_bn`` ->
    ``stem_relu`` -> ``blocks`` residual blocks named ``block0`` ... (block ``i`` has
    ``width * 2 ** (i // 2)`` filters) -> ``pool`` (GlobalAveragePooling2D) -> ``logits``
    (Dense(num_classes), no activation).
    """
    inputs = tf.keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(width, 3, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    for i in range(blocks):
        x = residual_block(x, width * 2 ** (i // 2), f"block{i}", skip=skip)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(num_classes, name="logits")(x)
    return tf.keras.Model(inputs, outputs, name="skip_model")
