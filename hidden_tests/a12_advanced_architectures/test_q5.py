"""Hidden tests for A12 Q5: compound scaling, squeeze-and-excitation and MBConv.

The scaling arithmetic is checked against the judge's own implementation of Keras' rules; blocks are wired into
models in each worker with weights drawn from the judge's seed (or all zero) and compared with the reference's and
with what the judge computes from the input.
"""

import math

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")


def _block(student, reference, rng, fn, shape, args, seed=None):
    x = rng.normal(size=(2, *shape)).astype(np.float32)
    seed = int(rng.integers(0, 2**20)) if seed is None else seed
    got = student.probe("block_probe", fn, list(shape), list(args), seed, x)
    want = reference.probe("block_probe", fn, list(shape), list(args), seed, x)
    what = f"{fn}(x of shape {shape}, {', '.join(map(str, args))})"
    checks.assert_value(got["weight_shapes"], want["weight_shapes"], name=f"weight shapes of {what}")
    checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                         name=f"output of {what} with the judge's weights, inference mode")
    return x, got


def _round_filters(filters, width, divisor=8):
    filters *= width
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    return int(new + divisor if new < 0.9 * filters else new)


@pytest.mark.points(3)
def test_compound_coefficients_and_rounding(student):
    for phi in (0, 1, 2, 3.5):
        d, w, r = 1.2 ** phi, 1.1 ** phi, 1.15 ** phi
        checks.assert_value(list(student.call("compound_coefficients", phi)), [d, w, r], rtol=1e-9,
                            name=f"compound_coefficients({phi}) with the paper's alpha, beta, gamma")
    checks.assert_value(list(student.call("compound_coefficients", 2, 1.3, 1.05, 1.2)), [1.69, 1.1025, 1.44],
                        rtol=1e-9, name="compound_coefficients(2, alpha=1.3, beta=1.05, gamma=1.2)")
    for filters, width, divisor in ((32, 1.1, 8), (320, 1.1, 8), (16, 1.4, 8), (40, 2.0, 8), (24, 1.2, 8),
                                    (1280, 1.8, 8), (112, 1.6, 8), (3, 1.0, 8), (20, 1.3, 4), (50, 1.0, 16),
                                    (10, 1.0, 9), (17, 0.7, 8)):
        checks.assert_value(student.call("round_filters", filters, width, divisor),
                            _round_filters(filters, width, divisor),
                            name=f"round_filters({filters}, {width}, {divisor})")
    for repeats, depth in ((1, 1.1), (2, 1.2), (3, 1.2), (4, 1.4), (3, 2.0), (1, 3.1), (4, 1.0)):
        checks.assert_value(student.call("round_repeats", repeats, depth), math.ceil(repeats * depth),
                            name=f"round_repeats({repeats}, {depth})")


@pytest.mark.points(2)
def test_scaled_configuration(student):
    base = [(1, 16), (2, 24), (2, 40), (3, 80), (3, 112), (4, 192), (1, 320)]
    for phi, res in ((0, 224), (1, 224), (3, 224), (2.5, 96)):
        d, w, r = 1.2 ** phi, 1.1 ** phi, 1.15 ** phi
        want = {"blocks": [[math.ceil(n * d), _round_filters(f, w)] for n, f in base], "resolution": round(res * r)}
        got = student.call("scale_config", base, res, phi)
        if isinstance(got, dict) and isinstance(got.get("blocks"), list):
            got = {**got, "blocks": [list(b) if isinstance(b, (list, tuple)) else b for b in got["blocks"]]}
        checks.assert_value(got, want, name=f"scale_config(base, {res}, phi={phi})")


@pytest.mark.points(3)
def test_squeeze_excitation(student, reference, rng):
    x, got = _block(student, reference, rng, "squeeze_excitation", (5, 6, 12), (3,))
    checks.assert_value(got["weight_shapes"], [[1, 1, 12, 3], [3], [1, 1, 3, 12], [12]],
                        name="weight shapes of squeeze_excitation with 12 channels and 3 reduced (two 1x1 convs)")
    # With every weight zero the gate is sigmoid(0) = 1/2 everywhere: the block halves its input.
    x = rng.normal(size=(3, 4, 4, 8)).astype(np.float32)
    zero = student.probe("block_probe", "squeeze_excitation", [4, 4, 8], [2], -1, x)
    checks.assert_tensor(zero["output"], 0.5 * x, rtol=1e-6, atol=1e-6,
                         name="squeeze_excitation with all weights zero (the gate is sigmoid(0) = 0.5: x * 0.5)")


@pytest.mark.points(4)
def test_mbconv_block(student, reference, rng):
    _, got = _block(student, reference, rng, "mbconv_block", (6, 6, 8), (8, 4, 1))
    se = [row["weights"][0] for row in got["info"] if row["type"] == "Conv2D" and row["weights"][0][2] == 32]
    checks.assert_value(se[:1], [[1, 1, 32, 2]],
                        name="first squeeze-and-excitation kernel of mbconv_block(8 -> 8, expansion 4) "
                             "(reduced channels from the block input: int(8 * 0.25))")
    checks.assert_value(got["layers"].count("Add"), 1, name="Add layers of a stride-1 MBConv with equal channels")
    _block(student, reference, rng, "mbconv_block", (7, 7, 6), (10, 1, 2, 5))
    _block(student, reference, rng, "mbconv_block", (5, 5, 12), (12, 6, 1, 3, 0.0))
    _block(student, reference, rng, "mbconv_block", (6, 5, 16), (24, 6, 2, 3, 0.5))
    # No residual when only one of the two conditions holds.
    _block(student, reference, rng, "mbconv_block", (5, 5, 8), (12, 6, 1))
    _block(student, reference, rng, "mbconv_block", (6, 6, 12), (12, 2, 2))
