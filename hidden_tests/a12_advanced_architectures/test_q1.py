"""Hidden tests for A12 Q1: residual blocks, a small ResNet and gradient flow.

Blocks are wired into models in each worker with weights drawn from the judge's seed and compared with the
reference's; parameter counts are the judge's own arithmetic over the weight shapes the model holds, and the
gradient norms of a deep stack are compared with the reference's and with each other by the judge.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


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


def _basic_params(c, f, stride):
    total = 9 * c * f + 4 * f + 9 * f * f + 4 * f
    return total + (c * f + 4 * f if stride != 1 or c != f else 0)


def _bottleneck_params(c, f, stride):
    out = 4 * f
    total = c * f + 4 * f + 9 * f * f + 4 * f + f * out + 4 * out
    return total + (c * out + 4 * out if stride != 1 or c != out else 0)


def _resnet_params(depths, block, c_in, classes, base):
    total, c = 9 * c_in * base + 4 * base, base
    for i, depth in enumerate(depths):
        f = base * 2 ** i
        for j in range(depth):
            stride = 2 if i > 0 and j == 0 else 1
            if block == "basic":
                total += _basic_params(c, f, stride)
                c = f
            else:
                total += _bottleneck_params(c, f, stride)
                c = 4 * f
    return total + c * classes + classes


@pytest.mark.points(3)
def test_basic_block_identity_and_projection(student, reference, rng):
    got = _block(student, reference, rng, "basic_block", (6, 6, 8), (8, 1))
    checks.assert_value(got["layers"].count("Conv2D"), 2,
                        name="Conv2D layers of an identity block (stride 1, same channels: the shortcut is x itself)")
    # The course projects only when stride != 1: a channel change at stride 1 cannot be added.
    got = _block(student, reference, rng, "basic_block", (6, 5, 4), (12, 1))
    checks.assert_value(got["layers"].count("BatchNormalization"), 3,
                        name="BatchNormalization layers of a projection block (two on the main path, one after the "
                             "1x1 projection)")
    got = _block(student, reference, rng, "basic_block", (7, 8, 6), (10, 2))
    checks.assert_value(list(np.shape(got["output"])), [2, 4, 4, 10], name="output shape of a stride-2 basic block")


@pytest.mark.points(3)
def test_bottleneck_block(student, reference, rng):
    got = _block(student, reference, rng, "bottleneck_block", (5, 5, 16), (4, 1))
    checks.assert_value(got["layers"].count("Conv2D"), 3,
                        name="Conv2D layers of an identity bottleneck block (input already has 4*filters channels)")
    _block(student, reference, rng, "bottleneck_block", (5, 6, 6), (3, 1))
    got = _block(student, reference, rng, "bottleneck_block", (7, 7, 8), (4, 2))
    checks.assert_value(list(np.shape(got["output"])), [2, 4, 4, 16], name="output shape of a stride-2 bottleneck")
    _block(student, reference, rng, "bottleneck_block", (4, 4, 6), (2, 1, 2))


@pytest.mark.points(3)
def test_resnet_parameter_count_and_logits(student, reference, rng):
    for depths, block, shape, classes, base in (([2, 1], "basic", (12, 12, 1), 5, 8),
                                                 ([1, 1, 1], "bottleneck", (9, 10, 3), 4, 4)):
        x = rng.normal(size=(2, *shape)).astype(np.float32)
        seed = int(rng.integers(0, 2**20))
        args = [depths, block, list(shape), classes, base]
        got = student.probe("model_probe", "build_resnet", args, seed, x)
        want = reference.probe("model_probe", "build_resnet", args, seed, x)
        what = f"build_resnet({depths}, {block!r}, {shape}, {classes}, base_filters={base})"
        checks.assert_value(list(np.shape(got["output"])), [2, classes], name=f"output shape of {what}")
        counted = int(sum(int(np.prod(s)) for s in got["weight_shapes"]))
        checks.assert_value(counted, _resnet_params(depths, block, shape[2], classes, base),
                            name=f"number of weights of {what}, counted from its weight shapes (stem, stages with "
                                 "a projection where stride or channels change, Dense head)")
        checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                             name=f"logits of {what} with the judge's weights")


@pytest.mark.points(3)
def test_residual_stack_keeps_the_gradient_flowing(student, reference, rng, thresholds):
    x = rng.normal(size=(32, 6)).astype(np.float32)
    y = rng.normal(size=(32, 1)).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    norms = {}
    for residual in (False, True):
        got = student.probe("gradient_flow", 6, 16, 24, residual, seed, x, y)
        want = reference.probe("gradient_flow", 6, 16, 24, residual, seed, x, y)
        kind = "residual" if residual else "plain"
        checks.assert_value(got["kernel_shapes"], want["kernel_shapes"],
                            name=f"Dense kernel shapes of deep_stack(6, 16, 24, residual={residual})")
        checks.assert_tensor(np.asarray(got["grad_norms"]), np.asarray(want["grad_norms"]), rtol=1e-3, atol=1e-7,
                             name=f"per-layer kernel gradient norms of the {kind} stack with the judge's weights")
        norms[kind] = np.asarray(got["grad_norms"])
    ratio = norms["residual"][1] / max(norms["plain"][1], 1e-30)
    if not ratio >= thresholds["min_gradient_ratio"]:
        raise checks.CheckFailed(f"the gradient reaching the first hidden layer is only {ratio:.1f}x larger with "
                                 "shortcuts than without: the residual stack should add its input back after "
                                 "each layer", values={"ratio": ratio})
