"""Hidden tests for A10 Q4: residual blocks and a CNN classifier on shapes the judge draws.

``resnet_block`` is wired into a model in each worker with weights drawn from the judge's seed and compared with
the reference's; the classifier is trained by the student's ``train_classifier`` and scored here on images whose
labels never leave the judge.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _block(student, reference, rng, shape, filters, stride):
    x = rng.normal(size=(2, *shape)).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("resnet_block_probe", shape, filters, stride, seed, x)
    want = reference.probe("resnet_block_probe", shape, filters, stride, seed, x)
    what = f"resnet_block on {shape} with {filters} filters, stride {stride}"
    checks.assert_value(got["weight_shapes"], want["weight_shapes"],
                        name=f"weight shapes of {what} in order (main path, then the shortcut's projection)")
    checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                         name=f"output of {what} with the judge's weights, inference mode")
    return got


@pytest.mark.points(3)
def test_block_projects_when_channels_change_at_stride_one(student, reference, rng):
    # The course's block projects only when stride != 1: 32 -> 64 channels at stride 1 then fails to Add.
    _block(student, reference, rng, (8, 8, 32), 64, 1)
    _block(student, reference, rng, (6, 6, 3), 8, 1)


@pytest.mark.points(2)
def test_block_with_stride_two(student, reference, rng):
    got = _block(student, reference, rng, (8, 9, 8), 16, 2)
    checks.assert_value(list(np.shape(got["output"])), [2, 4, 5, 16], name="output shape of a stride-2 block")
    _block(student, reference, rng, (8, 8, 8), 8, 2)


@pytest.mark.points(2)
def test_identity_block_has_no_projection(student, reference, rng):
    got = _block(student, reference, rng, (6, 6, 8), 8, 1)
    checks.assert_value(got["layers"].count("Conv2D"), 2,
                        name="Conv2D layers of a block that keeps stride 1 and the channel count (the shortcut is "
                             "the input itself)")
    checks.assert_value(got["layers"].count("Add"), 1, name="Add layers of a residual block")
    got = _block(student, reference, rng, (6, 6, 4), 8, 2)
    checks.assert_value(got["bn_momentum"], [0.9] * 3,
                        name="momentum of the block's BatchNormalization layers (main path twice, projection once)")


def shapes16(rng, n):
    """Four classes of 16x16 images: filled square, hollow square, plus, X; random size, place, brightness."""
    x = np.zeros((n, 16, 16), np.float32)
    y = rng.integers(0, 4, n)
    for i in range(n):
        s = int(rng.integers(5, 10))
        r0, c0 = int(rng.integers(0, 17 - s)), int(rng.integers(0, 17 - s))
        v, img, c = rng.uniform(0.6, 1.0), x[i], s // 2
        if y[i] == 0:
            img[r0:r0 + s, c0:c0 + s] = v
        elif y[i] == 1:
            img[r0:r0 + s, c0:c0 + s] = v
            img[r0 + 1:r0 + s - 1, c0 + 1:c0 + s - 1] = 0
        elif y[i] == 2:
            img[r0 + c, c0:c0 + s] = v
            img[r0:r0 + s, c0 + c] = v
        else:
            for t in range(s):
                img[r0 + t, c0 + t] = v
                img[r0 + t, c0 + s - 1 - t] = v
    x += rng.normal(0, 0.15, x.shape).astype(np.float32)
    return np.clip(x, 0, 1)[..., None].astype(np.float32), y.astype(np.int32)


@pytest.mark.points(5)
def test_classifier_accuracy_on_held_out_shapes(student, rng, thresholds):
    x, y = shapes16(rng, 800)
    x_test, y_test = shapes16(rng, 300)
    shifted = np.roll(x_test, 1, axis=2)
    got = student.probe("classify", x, y, 4, int(rng.integers(0, 2**20)), [x_test, shifted])
    if "Add" not in got["layers"]:
        raise checks.CheckFailed("the model train_classifier returns has no Add layer: build it with resnet_block")
    params = int(sum(int(np.prod(s)) for s in got["weight_shapes"]))
    if params > 200_000:
        raise checks.CheckFailed(f"the classifier has {params} weights; keep it under 200000 (it must train in "
                                 "seconds)")
    for logits, name, key in ((got["logits"][0], "held-out accuracy", "min_accuracy"),
                              (got["logits"][1], "accuracy on held-out images shifted one pixel right",
                               "min_shifted_accuracy")):
        checks.assert_accuracy(np.argmax(np.asarray(logits), axis=-1), y_test, thresholds[key], name=name)
