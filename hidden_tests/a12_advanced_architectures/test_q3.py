"""Hidden tests for A12 Q3: Inception modules, their parameter and MAC savings, factorised convolutions.

Modules are wired into models in each worker with weights drawn from the judge's seed and compared with the
reference's; parameters and multiply-accumulates are recomputed by the judge from the kernels and output shapes
the built modules hold, and from its own formula.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _block(student, reference, rng, fn, shape, args):
    x = rng.normal(size=(2, *shape)).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("block_probe", fn, list(shape), list(args), seed, x)
    want = reference.probe("block_probe", fn, list(shape), list(args), seed, x)
    what = f"{fn}(x of shape {shape}, {', '.join(map(str, args))})"
    checks.assert_value(got["weight_shapes"], want["weight_shapes"], name=f"weight shapes of {what}")
    checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                         name=f"output of {what} with the judge's weights (branches concatenated in order)")
    return got


def _measured(info):
    """Parameters and MACs of the convs of a built module, from their kernels and output shapes."""
    params = sum(int(np.prod(s)) for row in info for s in row["weights"])
    macs = sum(row["output_shape"][1] * row["output_shape"][2] * int(np.prod(row["weights"][0]))
               for row in info if row["type"] == "Conv2D")
    return params, macs


def _cost(h, w, c, filters, reduced):
    f1, f3r, f3, f5r, f5, fp = filters
    convs = [(1, c, f1), (1, c, fp)] + ([(1, c, f3r), (3, f3r, f3), (1, c, f5r), (5, f5r, f5)] if reduced
                                        else [(3, c, f3), (5, c, f5)])
    return (sum(k * k * ci * co + co for k, ci, co in convs), sum(h * w * k * k * ci * co for k, ci, co in convs))


CASES = [((7, 6, 24), (8, 6, 12, 3, 5, 4)), ((5, 5, 40), (6, 10, 14, 2, 7, 9))]


@pytest.mark.points(3)
def test_inception_module_branches(student, reference, rng):
    for shape, filters in CASES:
        got = _block(student, reference, rng, "inception_module", shape, (filters,))
        f1, _, f3, _, f5, fp = filters
        checks.assert_value(list(np.shape(got["output"])), [2, shape[0], shape[1], f1 + f3 + f5 + fp],
                            name=f"output shape of inception_module on {shape} with {filters} (f1 + f3 + f5 + fpool "
                                 "channels, same size)")


@pytest.mark.points(4)
def test_parameters_and_macs_with_and_without_reductions(student, reference, rng):
    for shape, filters in CASES:
        h, w, c = shape
        measured = {}
        for fn, reduced in (("inception_module", True), ("naive_inception_module", False)):
            got = _block(student, reference, rng, fn, shape, (filters,))
            params, macs = _measured(got["info"])
            want_params, want_macs = _cost(h, w, c, filters, reduced)
            checks.assert_value([params, macs], [want_params, want_macs],
                                name=f"[parameters, MACs] of {fn} on {shape} with {filters}, counted from its "
                                     "kernels and output shapes")
            checks.assert_value(student.call("inception_cost", h, w, c, filters, reduced),
                                {"params": want_params, "macs": want_macs},
                                name=f"inception_cost({h}, {w}, {c}, {filters}, reduced={reduced})")
            measured[reduced] = macs
        if not measured[True] < measured[False]:
            raise checks.CheckFailed("the module with 1x1 reductions should need fewer MACs than the naive one")


@pytest.mark.points(2)
def test_cost_formula_on_large_inputs(student):
    # GoogLeNet's inception (3a) on 28x28x192, and a 5x5-heavy one.
    for h, w, c, filters in ((28, 28, 192, (64, 96, 128, 16, 32, 32)), (14, 14, 480, (192, 96, 208, 16, 48, 64)),
                             (9, 11, 7, (3, 1, 5, 2, 9, 1))):
        for reduced in (True, False):
            params, macs = _cost(h, w, c, filters, reduced)
            checks.assert_value(student.call("inception_cost", h, w, c, filters, reduced),
                                {"params": params, "macs": macs},
                                name=f"inception_cost({h}, {w}, {c}, {filters}, reduced={reduced})")


@pytest.mark.points(3)
def test_factorized_conv(student, reference, rng):
    for shape, filters, n in (((9, 9, 6), 5, 7), ((6, 8, 4), 3, 3)):
        got = _block(student, reference, rng, "factorized_conv", shape, (filters, n))
        c = shape[2]
        checks.assert_value([row["weights"][0] for row in got["info"] if row["type"] == "Conv2D"],
                            [[1, n, c, filters], [n, 1, filters, filters]],
                            name=f"kernels of factorized_conv(x with {c} channels, {filters}, {n}) (1 x n, then n x 1)")
        params, _ = _measured(got["info"])
        checks.assert_value(params, n * c * filters + filters + n * filters * filters + filters,
                            name=f"parameters of factorized_conv with n={n}, counted from its kernels")
        checks.assert_value(list(np.shape(got["output"])), [2, shape[0], shape[1], filters],
                            name="output shape of factorized_conv ('same' padding)")
