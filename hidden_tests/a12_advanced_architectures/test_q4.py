"""Hidden tests for A12 Q4: depthwise-separable convolutions, inverted residuals and MobileNet MACs.

Blocks are wired into models in each worker with weights drawn from the judge's seed and compared with the
reference's; multiply-accumulates are recomputed by the judge from the kernels and output shapes of the model the
student's builder returns, and from its own formula.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _block(student, reference, rng, fn, shape, args):
    x = rng.normal(size=(2, *shape)).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("block_probe", fn, list(shape), list(args), seed, x)
    want = reference.probe("block_probe", fn, list(shape), list(args), seed, x)
    what = f"{fn}(x of shape {shape}, {', '.join(map(str, args))})"
    checks.assert_value(got["weight_shapes"], want["weight_shapes"],
                        name=f"weight shapes of {what} (convs without bias, each followed by BatchNormalization)")
    checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                         name=f"output of {what} with the judge's weights, inference mode")
    return got


def _make_divisible(v, divisor=8, min_value=None):
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _macs_from_model(info):
    total = 0
    for row in info:
        if row["type"] in ("Conv2D", "DepthwiseConv2D"):
            total += row["output_shape"][1] * row["output_shape"][2] * int(np.prod(row["weights"][0]))
        elif row["type"] == "Dense":
            total += int(np.prod(row["weights"][0]))
    return total


def _macs(blocks, shape, classes, alpha, rho):
    h, w, c = round(shape[0] * rho), round(shape[1] * rho), shape[2]
    h, w = -(-h // 2), -(-w // 2)
    out = int(32 * alpha)
    total, c = h * w * 9 * c * out, out
    for filters, stride in blocks:
        h, w = -(-h // stride), -(-w // stride)
        out = int(filters * alpha)
        total += h * w * 9 * c + h * w * c * out
        c = out
    return total + c * classes


@pytest.mark.points(2)
def test_make_divisible(student):
    for args in ((32 * 0.35,), (16 * 0.35,), (24 * 1.4,), (17.0,), (11.0, 4), (3.0, 8, 4), (100.0, 16), (45.0, 8),
                 (6.4, 8, 1), (1280 * 0.75,), (10.0, 9), (11.9,)):
        checks.assert_value(student.call("make_divisible", *args), _make_divisible(*args),
                            name=f"make_divisible{args}")


@pytest.mark.points(3)
def test_depthwise_separable_block(student, reference, rng):
    got = _block(student, reference, rng, "depthwise_separable", (7, 7, 6), (10, 1))
    depthwise = [row["weights"][0] for row in got["info"] if row["type"] == "DepthwiseConv2D"]
    checks.assert_value(depthwise, [[3, 3, 6, 1]],
                        name="kernels of the DepthwiseConv2D layers (one 3x3 filter per input channel)")
    checks.assert_value([row["weights"][0] for row in got["info"] if row["type"] == "Conv2D"], [[1, 1, 6, 10]],
                        name="kernels of the pointwise Conv2D layers")
    got = _block(student, reference, rng, "depthwise_separable", (8, 9, 4), (12, 2, 0.5))
    checks.assert_value(list(np.shape(got["output"])), [2, 4, 5, 6],
                        name="output shape of depthwise_separable with stride 2 and alpha 0.5")


@pytest.mark.points(4)
def test_inverted_residual_block(student, reference, rng):
    got = _block(student, reference, rng, "inverted_residual", (6, 6, 8), (6, 8, 1))
    checks.assert_value(got["layers"].count("ReLU"), 2, name="activations of an inverted residual (two ReLU6, "
                                                            "the projection stays linear)")
    checks.assert_value([row.get("max_value") for row in got["info"] if row["type"] == "ReLU"], [6.0, 6.0],
                        name="max_value of the ReLU layers (ReLU6)")
    _block(student, reference, rng, "inverted_residual", (5, 5, 16), (1, 16, 1))
    got = _block(student, reference, rng, "inverted_residual", (7, 8, 8), (4, 24, 2, 0.35))
    checks.assert_value(list(np.shape(got["output"])), [2, 4, 4, _make_divisible(24 * 0.35)],
                        name="output shape of inverted_residual(expansion 4, 24 channels, stride 2, alpha 0.35)")
    _block(student, reference, rng, "inverted_residual", (5, 5, 6), (3, 10, 1))


@pytest.mark.points(4)
def test_mobilenet_macs_with_width_and_resolution_multipliers(student, reference, rng):
    blocks = [(16, 1), (24, 2), (24, 1), (40, 2)]
    for shape, alpha, rho in (((32, 32, 3), 1.0, 1.0), ((32, 32, 3), 0.5, 1.0), ((32, 32, 3), 0.75, 0.75),
                              ((20, 28, 1), 0.5, 0.6)):
        size = (round(shape[0] * rho), round(shape[1] * rho), shape[2])
        x = rng.normal(size=(1, *size)).astype(np.float32)
        seed = int(rng.integers(0, 2**20))
        args = [blocks, list(shape), 5, alpha, rho]
        what = f"build_mobilenet_v1(blocks, {shape}, 5, alpha={alpha}, rho={rho})"
        got = student.probe("model_probe", "build_mobilenet_v1", args, seed, x)
        want = _macs(blocks, shape, 5, alpha, rho)
        checks.assert_value(_macs_from_model(got["info"]), want,
                            name=f"MACs of {what}, counted from its kernels and output shapes (input side "
                                 "round(side * rho), stem of int(32 * alpha) channels, int(filters * alpha) per block)")
        checks.assert_value(student.call("mobilenet_v1_macs", blocks, list(shape), 5, alpha, rho), want,
                            name=f"mobilenet_v1_macs(blocks, {shape}, 5, {alpha}, {rho})")
        if alpha == 0.5 and rho == 1.0:
            reference_out = reference.probe("model_probe", "build_mobilenet_v1", args, seed, x)
            checks.assert_tensor(got["output"], reference_out["output"], rtol=1e-4, atol=1e-4,
                                 name=f"logits of {what} with the judge's weights")
