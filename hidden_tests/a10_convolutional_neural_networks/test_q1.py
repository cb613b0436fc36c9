"""Hidden tests for A10 Q1: a convolution by hand against tf.nn.conv2d (values, gradients, padding, shortcuts).

``tf.nn.conv2d`` runs in the reference worker (``probes.tf_conv2d``): it is the trusted answer. The output-size
formula is the judge's own arithmetic.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q1")

FORBIDDEN = ["tf.nn.conv2d", "tf.nn.convolution", "tf.nn.depthwise_conv2d", "tf.nn.separable_conv2d",
             "tf.keras.layers.Conv2D.call", "tf.keras.layers.DepthwiseConv2D.call", "tf.nn.conv2d_transpose",
             "tf.raw_ops.Conv2D", "tf.raw_ops.DepthwiseConv2dNative"]


def _out_size(n, k, s, padding, d):
    eff = (k - 1) * d + 1
    return -(-n // s) if padding == "SAME" else (n - eff) // s + 1


def _pads(n, k, s, d):
    eff = (k - 1) * d + 1
    total = max((-(-n // s) - 1) * s + eff - n, 0)
    return (total // 2, total - total // 2)


def _case(rng, b, h, w, c, kh, kw, o, groups=1, bias=True):
    x = rng.normal(size=(b, h, w, c)).astype(np.float32)
    k = rng.normal(size=(kh, kw, c // groups, o)).astype(np.float32)
    bb = rng.normal(size=(o,)).astype(np.float32) if bias else None
    return Tensor(x), Tensor(k), (Tensor(bb) if bias else None)


def _compare(student, reference, args, what):
    got = student.call("conv2d_by_hand", *args)
    want = reference.probe("tf_conv2d", *args)
    checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-4, atol=1e-4,
                         name=f"conv2d_by_hand vs tf.nn.conv2d ({what})")


@pytest.mark.points(2)
def test_output_size_and_same_padding_formulas(student):
    cases = [(7, 3, 1, 1), (7, 3, 2, 1), (8, 3, 2, 1), (5, 2, 2, 1), (9, 3, 2, 2), (10, 4, 3, 1), (12, 5, 1, 2),
             (11, 1, 2, 1), (16, 7, 2, 1), (4, 3, 3, 3)]
    for n, k, s, d in cases:
        for padding in ("SAME", "VALID"):
            got = student.call("conv_output_size", n, k, s, padding, d)
            checks.assert_value(got, _out_size(n, k, s, padding, d),
                                name=f"conv_output_size(n={n}, k={k}, stride={s}, {padding!r}, dilation={d})")
        got = student.call("same_pad_amounts", n, k, s, d)
        checks.assert_value(list(got) if isinstance(got, (list, tuple)) else got, list(_pads(n, k, s, d)),
                            name=f"same_pad_amounts(n={n}, k={k}, stride={s}, dilation={d}) (before, after)")


@pytest.mark.points(3)
def test_conv_matches_tf_for_padding_and_stride(student, reference, rng):
    shapes = [(2, 9, 7, 1, 3, 3, 4, 1, "VALID"), (2, 9, 7, 5, 3, 3, 6, 2, "SAME"), (1, 8, 8, 3, 5, 5, 2, 1, "SAME"),
              (3, 10, 11, 2, 3, 3, 3, 2, "VALID"), (1, 7, 9, 4, 1, 1, 5, 1, "SAME")]
    for b, h, w, c, kh, kw, o, s, padding in shapes:
        x, k, bias = _case(rng, b, h, w, c, kh, kw, o)
        _compare(student, reference, (x, k, bias, s, padding, 1, 1),
                 f"x {b}x{h}x{w}x{c}, kernel {kh}x{kw}x{c}x{o}, stride {s}, {padding}")
    # NumPy float64 kernel and bias with a float32 input: the result keeps the input's dtype.
    x = Tensor(rng.normal(size=(2, 6, 7, 3)).astype(np.float32))
    k, bias = rng.normal(size=(3, 3, 3, 4)), rng.normal(size=(4,))  # float64 NumPy arrays
    _compare(student, reference, (x, k, bias, 1, "SAME", 1, 1),
             "float32 x with a NumPy float64 kernel and bias: convert them to x's dtype")


@pytest.mark.points(2)
def test_same_padding_puts_the_odd_zero_after(student, reference, rng):
    # Even kernels and stride 2 on even sizes need an odd number of zeros: TF puts the extra one bottom/right.
    for b, h, w, c, kh, kw, o, s in [(1, 6, 6, 2, 2, 2, 3, 1), (2, 8, 6, 3, 4, 4, 2, 2), (1, 6, 9, 1, 3, 2, 2, 2)]:
        x, k, bias = _case(rng, b, h, w, c, kh, kw, o, bias=False)
        _compare(student, reference, (x, k, None, s, "SAME", 1, 1),
                 f"SAME padding with an odd number of zeros, kernel {kh}x{kw}, stride {s}, x {h}x{w}")


@pytest.mark.points(3)
def test_conv_matches_tf_with_dilation_and_groups(student, reference, rng):
    cases = [(2, 11, 9, 3, 3, 3, 4, 1, 2, 1, "VALID"), (1, 12, 10, 2, 3, 3, 3, 1, 2, 1, "SAME"),
             (2, 9, 9, 4, 3, 3, 6, 1, 1, 2, "SAME"), (1, 10, 8, 6, 3, 3, 6, 2, 1, 3, "VALID"),
             (2, 8, 8, 4, 3, 3, 4, 1, 1, 4, "SAME"),  # depthwise: one filter per input channel
             (1, 13, 11, 4, 3, 3, 4, 2, 2, 2, "SAME")]
    for b, h, w, c, kh, kw, o, s, d, groups, padding in cases:
        x, k, bias = _case(rng, b, h, w, c, kh, kw, o, groups=groups)
        _compare(student, reference, (x, k, bias, s, padding, d, groups),
                 f"x {b}x{h}x{w}x{c}, kernel {kh}x{kw}x{c // groups}x{o}, stride {s}, dilation {d}, "
                 f"groups {groups}, {padding}")


@pytest.mark.points(3)
def test_gradients_match_tf(student, reference, rng):
    for b, h, w, c, kh, kw, o, s, d, groups, padding in [(2, 8, 7, 3, 3, 3, 4, 2, 1, 1, "SAME"),
                                                          (1, 9, 9, 4, 3, 3, 6, 1, 2, 2, "VALID")]:
        x, k, bias = _case(rng, b, h, w, c, kh, kw, o, groups=groups)
        args = [x, k, bias, s, padding, d, groups]
        got = student.harness("gradient", "conv2d_by_hand", args, wrt=(0, 1, 2), upstream_seed=11)
        want = reference.harness("gradient", "probes.tf_conv2d", args, wrt=(0, 1, 2), upstream_seed=11)
        for what, g, wnt in zip(("x", "kernel", "bias"), got, want, strict=True):
            if g is None:
                raise checks.CheckFailed(f"the gradient of conv2d_by_hand with respect to {what} is None: build it "
                                         "from TensorFlow ops (no NumPy, no .numpy()) so the tape can follow it")
            checks.assert_tensor(g, wnt, rtol=1e-4, atol=1e-4,
                                 name=f"gradient of conv2d_by_hand with respect to {what} vs tf.nn.conv2d's "
                                      f"(stride {s}, dilation {d}, groups {groups}, {padding})")


@pytest.mark.points(2)
def test_no_library_convolution(student, reference, rng):
    x, k, bias = _case(rng, 1, 8, 8, 4, 3, 3, 4, groups=2)
    args = (x, k, bias, 1, "SAME", 1, 2)
    _compare(student, reference, args, "x 1x8x8x4, grouped kernel 3x3x2x4, SAME")
    checks.assert_no_forbidden_calls(student, "conv2d_by_hand", list(args), FORBIDDEN,
                                     why="build the convolution from slices (or extract_patches) and einsum/matmul")
