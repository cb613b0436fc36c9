"""Hidden tests for A08 Q1: a small ResNet built with the functional API.

The probe sets every weight from the seed and the layer's name, so a model wired like the specification computes
what the reference computes; a missing or misplaced skip connection, a projection in the wrong place or a wrong
channel schedule changes the logits. Structure (parameter count, the Add layers' inputs) is checked only after the
values match.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _x(rng, n, shape):
    return rng.normal(size=(n, *shape)).astype(np.float32)


def _param_count(channels, width, blocks, num_classes, skip=True):
    total = 9 * channels * width + 4 * width
    c = width
    for i in range(blocks):
        f = width * 2 ** (i // 2)
        total += 9 * c * f + 9 * f * f + 8 * f
        if skip and c != f:
            total += c * f
        c = f
    return total + c * num_classes + num_classes


@pytest.mark.points(3)
def test_logits_match_the_specified_resnet_in_inference(student, reference, rng):
    kwargs = {"input_shape": [16, 16, 1], "num_classes": 10, "width": 8, "blocks": 2}
    seed, x = int(rng.integers(1 << 20)), _x(rng, 4, (16, 16, 1))
    got = student.probe("skip_forward", kwargs, seed, x, False)
    want = reference.probe("skip_forward", kwargs, seed, x, False)
    checks.assert_tensor(got["out"], want["out"], expect="array", rtol=1e-4, atol=1e-4,
                         name="logits of build_skip_model() with weights set by layer name (check the layer "
                              "order, the names and the skip connections)")


@pytest.mark.points(3)
def test_projection_shortcuts_in_training_mode(student, reference, rng):
    kwargs = {"input_shape": [10, 10, 3], "num_classes": 5, "width": 6, "blocks": 4}
    seed, x = int(rng.integers(1 << 20)), _x(rng, 5, (10, 10, 3))
    got = student.probe("skip_forward", kwargs, seed, x, True)
    want = reference.probe("skip_forward", kwargs, seed, x, True)
    checks.assert_tensor(got["out"], want["out"], expect="array", rtol=1e-4, atol=1e-4,
                         name="logits with training=True for 4 blocks (block 2 doubles the channels: it needs a "
                              "1x1 projection on its shortcut)")


@pytest.mark.points(3)
def test_parameter_count_and_add_inputs(student, reference, rng):
    kwargs = {"input_shape": [8, 8, 2], "num_classes": 3, "width": 4, "blocks": 3}
    seed, x = int(rng.integers(1 << 20)), _x(rng, 3, (8, 8, 2))
    got = student.probe("skip_forward", kwargs, seed, x, False)
    want = reference.probe("skip_forward", kwargs, seed, x, False)
    checks.assert_tensor(got["out"], want["out"], expect="array", rtol=1e-4, atol=1e-4, name="logits")
    shapes = [s for layer in got["shapes"].values() for s in layer]
    total = int(sum(np.prod(s) for s in shapes))
    assert total == _param_count(2, 4, 3, 3), (
        f"the model holds {total} weights (BatchNormalization's moving statistics included); that is not the "
        "count of the specified architecture")
    for i in range(3):
        f, c = 4 * 2 ** (i // 2), 4 * 2 ** ((i - 1) // 2) if i else 4
        block_input = "stem_relu" if i == 0 else f"block{i - 1}_out"
        shortcut = block_input if c == f else f"block{i}_proj"
        inbound = got["inbound"].get(f"block{i}_add")
        assert inbound is not None, f"no layer named block{i}_add in the model"
        assert sorted(inbound) == sorted([shortcut, f"block{i}_bn2"]), (
            f"block{i}_add adds {inbound}; it should add the shortcut ({shortcut}) and block{i}_bn2")


@pytest.mark.points(3)
def test_gradients_with_and_without_skips(student, reference, rng):
    for skip in (True, False):
        kwargs = {"input_shape": [8, 8, 1], "num_classes": 4, "width": 4, "blocks": 6, "skip": skip}
        seed, x = int(rng.integers(1 << 20)), _x(rng, 4, (8, 8, 1))
        u = rng.normal(size=(4, 4)).astype(np.float32)
        got = student.probe("skip_grads", kwargs, seed, x, u)
        want = reference.probe("skip_grads", kwargs, seed, x, u)
        assert sorted(got) == sorted(want), (
            f"skip={skip}: the trainable weights are named {sorted(got)[:12]}...; use exactly the layer names "
            "of the specification" + ("" if skip else " (no projection and no Add when skip=False)"))
        for name in want:
            checks.assert_tensor(got[name], want[name], expect="array", rtol=1e-3, atol=1e-4,
                                 name=f"skip={skip}: gradient of the logits with respect to {name}")
