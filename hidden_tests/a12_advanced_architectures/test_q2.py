"""Hidden tests for A12 Q2: dense blocks, transition layers and their channel arithmetic.

Blocks are wired into models in each worker with weights drawn from the judge's seed and compared with the
reference's; channel counts and parameter counts are the judge's own arithmetic over the shapes the model holds.
"""

import math

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")


def _block(student, reference, rng, fn, shape, args):
    x = rng.normal(size=(2, *shape)).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("block_probe", fn, list(shape), list(args), seed, x)
    want = reference.probe("block_probe", fn, list(shape), list(args), seed, x)
    what = f"{fn}(x of shape {shape}, {', '.join(map(str, args))})"
    checks.assert_value(got["weight_shapes"], want["weight_shapes"],
                        name=f"weight shapes of {what} (BN-ReLU-Conv without bias)")
    checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                         name=f"output of {what} with the judge's weights, inference mode")
    return x, got


def _channels(c, block_layers, k, compression):
    out = []
    for i, n in enumerate(block_layers):
        c += n * k
        out.append(c)
        if i < len(block_layers) - 1:
            c = math.floor(c * compression)
            out.append(c)
    return out


def _layer_params(c, k, bottleneck):
    if bottleneck:
        return 4 * c + c * 4 * k + 16 * k + 9 * 4 * k * k
    return 4 * c + 9 * c * k


def _densenet_params(block_layers, k, c_in, classes, compression, bottleneck):
    total, c = 9 * c_in * 2 * k, 2 * k
    for i, n in enumerate(block_layers):
        for _ in range(n):
            total += _layer_params(c, k, bottleneck)
            c += k
        if i < len(block_layers) - 1:
            new = math.floor(c * compression)
            total += 4 * c + c * new
            c = new
    return total + 4 * c + c * classes + classes


@pytest.mark.points(3)
def test_dense_block_concatenates_growth_rate_maps(student, reference, rng):
    for shape, layers_, k, bottleneck in (((6, 6, 5), 3, 4, True), ((5, 7, 6), 2, 3, False)):
        x, got = _block(student, reference, rng, "dense_block", shape, (layers_, k, bottleneck))
        out = np.asarray(got["output"])
        checks.assert_value(list(out.shape), [2, shape[0], shape[1], shape[2] + layers_ * k],
                            name=f"output shape of dense_block with C0={shape[2]}, {layers_} layers, growth rate {k} "
                                 "(C0 + L*k channels)")
        checks.assert_tensor(out[..., :shape[2]], x, rtol=0, atol=1e-6,
                             name="the first C0 output channels of a dense block (the input, concatenated first)")


@pytest.mark.points(2)
def test_transition_compresses_and_halves(student, reference, rng):
    for shape, compression in (((8, 8, 15), 0.5), ((7, 9, 20), 0.3)):
        _, got = _block(student, reference, rng, "transition_layer", shape, (compression,))
        checks.assert_value(list(np.shape(got["output"])),
                            [2, shape[0] // 2, shape[1] // 2, math.floor(shape[2] * compression)],
                            name=f"output shape of transition_layer on {shape} with compression {compression} "
                                 "(floor(C*compression) channels, spatial size halved)")


@pytest.mark.points(3)
def test_channel_arithmetic(student):
    for c0, block_layers, k, compression in ((16, [2, 3], 4, 0.5), (24, [6, 12, 24, 16], 32, 0.5),
                                             (7, [3, 2, 4], 5, 0.3), (10, [4], 6, 0.5)):
        checks.assert_value(student.call("densenet_channels", c0, block_layers, k, compression),
                            _channels(c0, block_layers, k, compression),
                            name=f"densenet_channels({c0}, {block_layers}, {k}, {compression})")


@pytest.mark.points(4)
def test_densenet_parameters_and_channels_from_the_model(student, reference, rng):
    for block_layers, k, shape, classes, compression, bottleneck in (([2, 3], 4, (12, 12, 1), 5, 0.5, True),
                                                                      ([2, 2, 1], 3, (10, 8, 2), 3, 0.6, False)):
        x = rng.normal(size=(2, *shape)).astype(np.float32)
        seed = int(rng.integers(0, 2**20))
        args = [block_layers, k, list(shape), classes, compression, bottleneck]
        got = student.probe("model_probe", "build_densenet", args, seed, x)
        what = f"build_densenet({block_layers}, {k}, {shape}, {classes}, {compression}, {bottleneck})"
        counted = int(sum(int(np.prod(s)) for s in got["weight_shapes"]))
        checks.assert_value(counted, _densenet_params(block_layers, k, shape[2], classes, compression, bottleneck),
                            name=f"number of weights of {what}, counted from its weight shapes")
        seen = [row["output_shape"][-1] for row in got["info"] if row["type"] in ("AveragePooling2D",)]
        want_channels = _channels(2 * k, block_layers, k, compression)
        checks.assert_value(seen, want_channels[1::2],
                            name=f"channels after each transition of {what}, read from its pooling layers")
        checks.assert_value(got["info"][-1]["weights"][0][0], want_channels[-1],
                            name=f"channels reaching the Dense head of {what}")
        want = reference.probe("model_probe", "build_densenet", args, seed, x)
        checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                             name=f"logits of {what} with the judge's weights")
