# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math, layers, bn come from the reference setup cell)
# inception_cost counts kernels only, forgetting the biases.
# %% [q3]
def inception_module(x, filters):
    """GoogLeNet (v1) module. ``filters = (f1, f3r, f3, f5r, f5, fpool)``.

    Four branches on ``x``, every conv with bias and ReLU, "same" padding:
    1x1(f1); 1x1(f3r)->3x3(f3); 1x1(f5r)->5x5(f5); MaxPool3x3(stride 1)->1x1(fpool).
    Concatenated in that order: ``f1 + f3 + f5 + fpool`` channels.
    """
    f1, f3r, f3, f5r, f5, fp = filters
    b1 = layers.Conv2D(f1, 1, activation="relu")(x)
    b2 = layers.Conv2D(f3r, 1, activation="relu")(x)
    b2 = layers.Conv2D(f3, 3, padding="same", activation="relu")(b2)
    b3 = layers.Conv2D(f5r, 1, activation="relu")(x)
    b3 = layers.Conv2D(f5, 5, padding="same", activation="relu")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    b4 = layers.Conv2D(fp, 1, activation="relu")(b4)
    return layers.Concatenate()([b1, b2, b3, b4])


def naive_inception_module(x, filters):
    """The module without 1x1 reductions: 1x1(f1); 3x3(f3); 5x5(f5); MaxPool3x3(stride 1)->1x1(fpool), all on ``x``.

    ``filters`` is the same 6-tuple; ``f3r`` and ``f5r`` are ignored. Bias and ReLU as above; same output channels.
    """
    f1, _, f3, _, f5, fp = filters
    b1 = layers.Conv2D(f1, 1, activation="relu")(x)
    b2 = layers.Conv2D(f3, 3, padding="same", activation="relu")(x)
    b3 = layers.Conv2D(f5, 5, padding="same", activation="relu")(x)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    b4 = layers.Conv2D(fp, 1, activation="relu")(b4)
    return layers.Concatenate()([b1, b2, b3, b4])


def inception_cost(height: int, width: int, c_in: int, filters, reduced: bool = True) -> dict:
    """``{"params": ..., "macs": ...}`` of ``inception_module`` (``reduced``) or ``naive_inception_module``.

    Params count kernels and biases. MACs (multiply-accumulates) count only convolutions:
    ``height * width * kh * kw * C_in * C_out`` per conv (stride 1, "same"); biases, ReLU and pooling are free.
    """
    f1, f3r, f3, f5r, f5, fp = filters
    convs = [(1, c_in, f1), (1, c_in, fp)]
    if reduced:
        convs += [(1, c_in, f3r), (3, f3r, f3), (1, c_in, f5r), (5, f5r, f5)]
    else:
        convs += [(3, c_in, f3), (5, c_in, f5)]
    params = sum(k * k * ci * co for k, ci, co in convs)
    macs = sum(height * width * k * k * ci * co for k, ci, co in convs)
    return {"params": int(params), "macs": int(macs)}


def factorized_conv(x, filters: int, n: int):
    """Inception-v3 asymmetric factorisation of an n x n conv.

    Conv(1 x n) then Conv(n x 1), each with ``filters`` outputs, bias, ReLU and "same" padding.
    """
    y = layers.Conv2D(filters, (1, n), padding="same", activation="relu")(x)
    return layers.Conv2D(filters, (n, 1), padding="same", activation="relu")(y)
