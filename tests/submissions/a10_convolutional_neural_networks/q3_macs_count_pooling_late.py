# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# count_macs halves the spatial size only after counting the next conv at full size.
# %% [q3]
def build_vgg(spec: list, input_shape: tuple, num_classes: int):
    """A VGG-style ``tf.keras.Sequential`` built from a config list.

    Each int ``f`` of ``spec`` adds ``Conv2D(f, 3, padding="same", use_bias=False)``, ``BatchNormalization()``,
    ``ReLU()``; each ``"M"`` adds ``MaxPooling2D(2)``. The head is ``GlobalAveragePooling2D()`` then
    ``Dense(num_classes)`` (logits). Start with ``tf.keras.layers.Input(shape=input_shape)``.
    """
    layers = [tf.keras.layers.Input(shape=input_shape)]
    for item in spec:
        if item == "M":
            layers.append(tf.keras.layers.MaxPooling2D(2))
        else:
            layers += [tf.keras.layers.Conv2D(int(item), 3, padding="same", use_bias=False),
                       tf.keras.layers.BatchNormalization(), tf.keras.layers.ReLU()]
    layers += [tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(num_classes)]
    return tf.keras.Sequential(layers)


def count_params(spec: list, in_channels: int, num_classes: int) -> int:
    """Number of weights of ``build_vgg(spec, (H, W, in_channels), num_classes)``.

    All of them, trainable or not: 3x3 kernels without bias, four per channel for
    each BatchNormalization (gamma, beta, moving mean, moving variance), and the Dense head with its bias.
    """
    total, c = 0, in_channels
    for item in spec:
        if item != "M":
            total += 9 * c * item + 4 * item
            c = item
    return total + c * num_classes + num_classes


def count_macs(spec: list, input_shape: tuple, num_classes: int) -> int:
    """Multiply-accumulates of one forward pass of one image through ``build_vgg``.

    ``out_h * out_w * 9 * C_in * C_out`` per conv,
    ``C * num_classes`` for the head; BatchNormalization, ReLU and pooling count zero. ``MaxPooling2D(2)`` halves
    each spatial size, rounding down.
    """
    h, w, c = input_shape
    total = 0
    for item in spec:
        if item == "M":
            continue
        total += h * w * 9 * c * item
        c = item
    return total + c * num_classes


def receptive_field(spec: list) -> int:
    """Receptive field, in input pixels along one axis, of one unit after the last item of ``spec``.

    For each
    layer with kernel ``k`` and stride ``s``, ``r += (k - 1) * jump`` then ``jump *= s`` (3x3 conv: k=3, s=1;
    ``"M"``: k=2, s=2), starting from ``r = 1, jump = 1``.
    """
    r, jump = 1, 1
    for item in spec:
        k, s = (2, 2) if item == "M" else (3, 1)
        r += (k - 1) * jump
        jump *= s
    return r
