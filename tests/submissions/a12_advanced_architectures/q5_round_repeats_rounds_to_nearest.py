# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math, layers, bn come from the reference setup cell)
# round_repeats rounds to the nearest integer instead of up, and round_filters truncates.
# %% [q5]
def compound_coefficients(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> tuple:
    """EfficientNet compound scaling: ``(depth, width, resolution) = (alpha**phi, beta**phi, gamma**phi)``.

    The paper's grid search gave alpha=1.2, beta=1.1, gamma=1.15, so that alpha * beta**2 * gamma**2 ~ 2: each
    step of ``phi`` roughly doubles the FLOPs.
    """
    return (float(alpha ** phi), float(beta ** phi), float(gamma ** phi))


def round_filters(filters: int, width_coefficient: float, divisor: int = 8) -> int:
    """Keras' EfficientNet width rounding.

    Scale by the width coefficient, round to the nearest multiple of ``divisor`` (ties up, at least ``divisor``),
    and add one ``divisor`` if that fell more than 10% below the scaled value.
    """
    filters *= width_coefficient
    new = max(divisor, int(filters) // divisor * divisor)
    if new < 0.9 * filters:
        new += divisor
    return int(new)


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """``ceil(depth_coefficient * repeats)``."""
    return int(round(depth_coefficient * repeats))


def scale_config(base_blocks, base_resolution: int, phi: float) -> dict:
    """Scale a base network with compound coefficient ``phi``.

    ``base_blocks`` is a list of ``(repeats, filters)``. Returns ``{"blocks": [(round_repeats, round_filters), ...],
    "resolution": round(base_resolution * gamma**phi)}`` with the coefficients of ``compound_coefficients(phi)``.
    """
    d, w, r = compound_coefficients(phi)
    return {"blocks": [(round_repeats(n, d), round_filters(f, w)) for n, f in base_blocks],
            "resolution": int(round(base_resolution * r))}


def squeeze_excitation(x, se_filters: int):
    """Squeeze-and-excitation.

    GlobalAveragePooling2D -> Reshape((1, 1, C)) -> Conv1x1(se_filters, swish) -> Conv1x1(C, sigmoid) -> Multiply
    with ``x`` (both convs with bias).
    """
    c = x.shape[-1]
    s = layers.GlobalAveragePooling2D()(x)
    s = layers.Reshape((1, 1, c))(s)
    s = layers.Conv2D(se_filters, 1, activation="swish")(s)
    s = layers.Conv2D(c, 1, activation="sigmoid")(s)
    return layers.Multiply()([x, s])


def mbconv_block(x, out_filters: int, expansion: int, stride: int, kernel_size: int = 3, se_ratio: float = 0.25):
    """EfficientNet MBConv block.

    Expansion Conv1x1(C_in * expansion, no bias)-BN-swish (left out when expansion == 1),
    DepthwiseConv2D(kernel_size, stride, "same", no bias)-BN-swish, squeeze-and-excitation with
    ``max(1, int(C_in * se_ratio))`` reduced channels (from the **block input**; none when ``se_ratio == 0``),
    projection Conv1x1(out_filters, no bias)-BN, and ``Add`` of the input when the stride is 1 and
    ``C_in == out_filters``.
    """
    c_in = x.shape[-1]
    y = x
    if expansion != 1:
        y = layers.Activation("swish")(bn(layers.Conv2D(c_in * expansion, 1, use_bias=False)(y)))
    y = layers.DepthwiseConv2D(kernel_size, strides=stride, padding="same", use_bias=False)(y)
    y = layers.Activation("swish")(bn(y))
    if se_ratio > 0:
        y = squeeze_excitation(y, max(1, int(c_in * se_ratio)))
    y = bn(layers.Conv2D(out_filters, 1, use_bias=False)(y))
    if stride == 1 and c_in == out_filters:
        return layers.Add()([x, y])
    return y
