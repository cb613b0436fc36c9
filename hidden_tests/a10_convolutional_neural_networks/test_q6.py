"""Hidden tests for A10 Q6: a U-Net with skip connections, Dice and cross-entropy losses, mean IoU, training.

The U-Net is built in each worker with weights drawn from the judge's seed; the losses are compared with the
reference's values and gradients; mean IoU with the judge's NumPy; the trained segmenter is scored here.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")


@pytest.mark.points(3)
def test_unet_structure_has_depth_skips_and_full_resolution_logits(student, rng):
    for shape, classes, depth, base in (((32, 32, 1), 3, 2, 4), ((16, 24, 2), 4, 3, 2), ((16, 16, 1), 2, 1, 4)):
        x = rng.normal(size=(2, *shape)).astype(np.float32)
        got = student.probe("unet_probe", shape, classes, depth, base, 1, x)
        checks.assert_value(list(np.shape(got["output"])), [2, shape[0], shape[1], classes],
                            name=f"output shape of build_unet({shape}, {classes}, depth={depth}) (per-pixel logits)")
        checks.assert_value(got["layers"].count("Concatenate"), depth,
                            name=f"Concatenate (skip connection) layers of a depth-{depth} U-Net")
        checks.assert_value(got["layers"].count("MaxPooling2D"), depth, name=f"MaxPooling2D layers at depth {depth}")


@pytest.mark.points(2)
def test_unet_forward_pass_with_fixed_weights_matches(student, reference, rng):
    for shape, classes, depth, base in (((16, 16, 1), 3, 2, 4), ((8, 16, 3), 2, 1, 3)):
        x = rng.normal(size=(2, *shape)).astype(np.float32)
        seed = int(rng.integers(0, 2**20))
        got = student.probe("unet_probe", shape, classes, depth, base, seed, x)
        want = reference.probe("unet_probe", shape, classes, depth, base, seed, x)
        checks.assert_value(got["weight_shapes"], want["weight_shapes"],
                            name=f"weight shapes of build_unet depth {depth}, base {base}, in creation order")
        checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                             name=f"logits of build_unet depth {depth} with the judge's weights (decoder wiring: "
                                  "transpose conv, then concatenate [upsampled, skip])")


def _loss_inputs(rng, classes=3):
    labels = rng.integers(0, classes, (2, 6, 5)).astype(np.int32)
    labels[..., 0] = 0  # unbalanced classes make a mean over pixels and a mean over classes differ
    logits = rng.normal(0, 2, (2, 6, 5, classes)).astype(np.float32)
    return Tensor(labels), Tensor(logits)


@pytest.mark.points(3)
def test_dice_and_segmentation_losses_and_gradients(student, reference, rng):
    for classes, eps in ((3, 1.0), (4, 1e-3)):
        labels, logits = _loss_inputs(rng, classes)
        checks.assert_tensor(student.call("dice_loss", labels, logits, classes, eps),
                             reference.call("dice_loss", labels, logits, classes, eps), rtol=1e-5, atol=1e-6,
                             name=f"dice_loss ({classes} classes, eps {eps})")
        checks.assert_tensor(student.call("segmentation_loss", labels, logits, classes),
                             reference.call("segmentation_loss", labels, logits, classes), rtol=1e-5, atol=1e-6,
                             name=f"segmentation_loss ({classes} classes): cross-entropy + Dice")
        for fn, args in (("dice_loss", [labels, logits, classes, eps]),
                         ("segmentation_loss", [labels, logits, classes])):
            checks.assert_gradients(student, reference, fn, args, wrt=(1,), rtol=1e-4, atol=1e-6)


def _miou(labels, logits, classes):
    pred = np.argmax(logits, axis=-1).ravel()
    true = np.asarray(labels).ravel()
    ious = [np.sum((pred == c) & (true == c)) / np.sum((pred == c) | (true == c)) for c in range(classes)
            if np.sum((pred == c) | (true == c))]
    return float(np.mean(ious))


@pytest.mark.points(2)
def test_mean_iou_matches_the_judge(student, rng):
    for classes in (3, 5):
        labels = rng.integers(0, classes - 1, (3, 8, 8)).astype(np.int32)  # the last class never occurs
        logits = rng.normal(size=(3, 8, 8, classes)).astype(np.float32)
        logits[..., -1] -= 10.0
        logits[0, :4, :4, 0] += 5.0
        got = student.call("mean_iou", labels, logits, classes)
        checks.assert_value(float(got) if isinstance(got, (int, float, np.number, np.ndarray)) and np.size(got) == 1
                            and not isinstance(got, bool) else got,
                            _miou(labels, logits, classes), rtol=1e-6,
                            name=f"mean_iou with {classes} classes, one absent from both (it is left out of the mean)")


def segscenes32(rng, n):
    """Masks: 0 background, 1 rectangle (dimmer), 2 disc (brighter); 1-2 objects, the later on top; noise."""
    x = np.zeros((n, 32, 32), np.float32)
    m = np.zeros((n, 32, 32), np.int32)
    yy, xx = np.mgrid[0:32, 0:32] + 0.5
    for i in range(n):
        for _ in range(int(rng.integers(1, 3))):
            k = int(rng.integers(1, 3))
            v = rng.uniform(0.4, 0.65) if k == 1 else rng.uniform(0.75, 1.0)
            if k == 1:
                h, w = rng.integers(6, 16, 2)
                r0, c0 = rng.integers(0, 32 - h), rng.integers(0, 32 - w)
                sel = (yy > r0) & (yy < r0 + h) & (xx > c0) & (xx < c0 + w)
            else:
                rad = rng.uniform(3.5, 8)
                cy, cx = rng.uniform(rad, 32 - rad, 2)
                sel = (yy - cy) ** 2 + (xx - cx) ** 2 <= rad ** 2
            x[i][sel] = v
            m[i][sel] = k
    x += rng.normal(0, 0.1, x.shape).astype(np.float32)
    return x[..., None], m


@pytest.mark.points(5)
def test_segmenter_mean_iou_on_held_out_scenes(student, rng, thresholds):
    x, masks = segscenes32(rng, 400)
    x_test, masks_test = segscenes32(rng, 150)
    got = student.probe("segment", x, masks, 3, int(rng.integers(0, 2**20)), x_test)
    logits = np.asarray(got["logits"])
    if logits.shape != (*masks_test.shape, 3):
        raise checks.CheckFailed(f"the segmenter returns shape {logits.shape}; expected (N, 32, 32, 3) logits")
    if "Concatenate" not in got["layers"]:
        raise checks.CheckFailed("the trained model has no Concatenate layer: train your U-Net")
    score = _miou(masks_test, logits, 3)
    if score < thresholds["min_mean_iou"]:
        raise checks.CheckFailed(f"mean IoU on held-out scenes is {score:.3f}, below {thresholds['min_mean_iou']}")
