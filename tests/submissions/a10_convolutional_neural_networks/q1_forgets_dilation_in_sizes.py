# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The output size and SAME padding use the kernel size, not the dilated (effective) one.
# %% [q1]
def conv_output_size(n: int, k: int, stride: int = 1, padding: str = "VALID", dilation: int = 1) -> int:
    """Length of one spatial axis after a convolution (or pooling) window slides over ``n`` positions.

    The effective kernel size is ``(k - 1) * dilation + 1``. With ``"VALID"`` the window stays inside the
    input; with ``"SAME"`` TensorFlow pads so that the output has ``ceil(n / stride)`` positions.
    """
    effective = k
    if padding == "SAME":
        return -(-n // stride)
    if padding == "VALID":
        return max((n - effective) // stride + 1, 0)
    raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")


def same_pad_amounts(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple:
    """``(before, after)``: the zeros TensorFlow adds to one spatial axis for ``padding="SAME"``.

    The total is whatever the ``ceil(n / stride)`` outputs need, never negative; when it is odd the extra
    zero goes **after** (bottom/right).
    """
    effective = k
    out = -(-n // stride)
    total = max((out - 1) * stride + effective - n, 0)
    return (total // 2, total - total // 2)


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

    Returns:
        ``[B, out_h, out_w, O]`` in the dtype of ``x``, differentiable with respect to ``x``, ``kernel`` and
        ``bias``. ``tf.nn.conv2d``, ``tf.nn.convolution``, ``tf.nn.depthwise_conv2d`` and Keras conv layers are
        not allowed.
    """
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
