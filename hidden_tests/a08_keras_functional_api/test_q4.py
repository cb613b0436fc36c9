"""Hidden tests for A08 Q4: parallel dilated branches and five ways to merge them.

Every merge mode is compared with the reference on the same named weights; with all-ones kernels the impulse
response is computed by the judge (each dilated 3x3 branch lights a 3x3 grid spaced by its dilation rate); the
attention weights are read from the named layer, after the output matched.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

MODES = ("concat", "add", "max", "avg", "attention")


def _impulse_response(size, rates, centre, merge, filters):
    maps = []
    for d in rates:
        m = np.zeros((size, size), np.float32)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                r, c = centre[0] - d * di, centre[1] - d * dj
                if 0 <= r < size and 0 <= c < size:
                    m[r, c] = 1.0
        maps.append(np.repeat(m[..., None], filters, axis=-1))
    if merge == "concat":
        return np.concatenate(maps, axis=-1)[None]
    return {"add": np.sum, "max": np.max, "avg": np.mean}[merge](np.stack(maps), axis=0)[None]


@pytest.mark.points(4)
def test_every_merge_mode_matches_the_reference(student, reference, rng):
    rates = (1, 2, 3)
    for merge in MODES:
        shape, filters = (9, 9, 2), int(rng.integers(2, 5))
        seed, x = int(rng.integers(1 << 20)), rng.normal(size=(2, *shape)).astype(np.float32)
        got = student.probe("branch_forward", shape, filters, merge, rates, seed, x)
        want = reference.probe("branch_forward", shape, filters, merge, rates, seed, x)
        channels = 3 * filters if merge == "concat" else filters
        assert np.asarray(got["out"]).shape == (2, 9, 9, channels), (
            f"merge={merge!r}: output shape {np.asarray(got['out']).shape}, expected (2, 9, 9, {channels})")
        checks.assert_tensor(got["out"], want["out"], expect="array", rtol=1e-4, atol=1e-5,
                             name=f"multi_branch_block output for merge={merge!r} with weights set by layer name")


@pytest.mark.points(3)
def test_impulse_response_shows_each_dilation(student, rng):
    size, rates = 13, (1, 2, 4)
    centre = (int(rng.integers(4, 9)), int(rng.integers(4, 9)))
    x = np.zeros((1, size, size, 1), np.float32)
    x[0, centre[0], centre[1], 0] = 1.0
    for merge in ("add", "max", "concat", "avg"):
        got = student.probe("branch_forward", (size, size, 1), 2, merge, rates, 0, x, True)
        checks.assert_tensor(got["out"], _impulse_response(size, rates, centre, merge, 2), expect="array",
                             rtol=1e-5, atol=1e-5,
                             name=f"response to a single pixel with all-ones kernels, merge={merge!r} (each "
                                  "branch's 3x3 taps are spaced by its dilation rate)")
    checks.assert_raises(student.probe, "branch_forward", (5, 5, 1), 2, "median", (1, 2), 1, x[:, :5, :5],
                         exc_type="ValueError")


@pytest.mark.points(3)
def test_attention_weights_are_a_softmax_over_branches(student, reference, rng):
    rates = tuple(int(r) for r in rng.choice([1, 2, 3, 4], size=int(rng.integers(2, 5)), replace=False))
    shape, filters = (8, 8, 3), 3
    seed, x = int(rng.integers(1 << 20)), rng.normal(size=(4, *shape)).astype(np.float32)
    got = student.probe("branch_forward", shape, filters, "attention", rates, seed, x)
    want = reference.probe("branch_forward", shape, filters, "attention", rates, seed, x)
    checks.assert_tensor(got["out"], want["out"], expect="array", rtol=1e-4, atol=1e-5,
                         name=f"attention-merged output for {len(rates)} branches")
    assert got["weights"] is not None, "no layer named mb_branch_weights"
    w = np.asarray(got["weights"])
    assert w.shape == (4, len(rates)), f"mb_branch_weights output shape {w.shape}, expected (4, {len(rates)})"
    checks.assert_tensor(w.sum(axis=1), np.ones(4, np.float32), expect="array", rtol=0, atol=1e-5,
                         name="branch weights summed over branches")
    checks.assert_tensor(w, want["weights"], expect="array", rtol=1e-4, atol=1e-5, name="branch weights")
    got_params = sum(int(np.prod(s)) for layer in got["shapes"].values() for s in layer)
    k, c = len(rates), shape[-1]
    assert got_params == k * (9 * c * filters + filters) + k * filters * k + k, (
        f"{got_params} weights: {k} branches of Conv2D({filters}, 3x3) on {c} channels and one Dense({k}) on the "
        f"{k * filters} pooled values is a different count")


@pytest.mark.points(2)
def test_input_gradients_match(student, reference, rng):
    for merge in ("max", "attention"):
        shape = (7, 7, 2)
        seed, x = int(rng.integers(1 << 20)), rng.normal(size=(2, *shape)).astype(np.float32)
        channels = 2
        u = rng.normal(size=(2, 7, 7, channels)).astype(np.float32)
        got = student.probe("branch_input_grad", shape, 2, merge, (1, 3), seed, x, u)
        want = reference.probe("branch_input_grad", shape, 2, merge, (1, 3), seed, x, u)
        checks.assert_tensor(got, want, expect="array", rtol=1e-3, atol=1e-5,
                             name=f"gradient of the merge={merge!r} block output with respect to its input")

