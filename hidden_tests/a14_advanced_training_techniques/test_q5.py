"""Hidden tests for A14 Q5: self-supervised learning (rotation data, patch masking, masked-reconstruction pretext).

The representation test pretrains on perturbed digits (scaled and noisy, so no row is the dataset's) and fits the
linear probe here, with labels that never reach the worker.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")


@pytest.mark.points(3)
def test_rotation_pretext_matches_numpy(student, rng):
    for shape in ((5, 6, 6, 2), (3, 8, 8, 1)):
        images = rng.normal(size=shape).astype(np.float32)
        got = student.call("rotation_pretext", Tensor(images))
        assert isinstance(got, (list, tuple)) and len(got) == 2, "return (rotated_images, labels)"
        rotated, labels = got
        n = shape[0]
        want = np.concatenate([np.rot90(images, k, axes=(1, 2)) for k in range(4)])
        checks.assert_tensor(rotated, want, expect="tensor", dtype="float32", atol=0,
                             name=f"rotated images for input {shape} (block k turned k quarter-turns "
                                  "counter-clockwise)")
        checks.assert_tensor(labels, np.repeat(np.arange(4, dtype=np.int32), n), expect="tensor", dtype="int32",
                             atol=0, name="rotation labels")


@pytest.mark.points(3)
def test_patch_mask_masks_whole_patches_exactly(student):
    for batch, hw, patch, ratio, seed in ((6, (8, 8), 2, 0.5, (1, 2)), (4, (8, 8), 2, 0.75, (3, 4)),
                                          (5, (12, 12), 4, 0.33, (7, 7))):
        got = np.asarray(student.call("patch_mask", batch, hw, patch, ratio, seed))
        what = f"patch_mask({batch}, {hw}, patch={patch}, mask_ratio={ratio})"
        checks.assert_value(list(got.shape), [batch, hw[0], hw[1], 1], name=f"shape of {what}")
        assert set(np.unique(got).tolist()) <= {0.0, 1.0}, f"{what} should hold only 0 and 1"
        grid = got[..., 0].reshape(batch, hw[0] // patch, patch, hw[1] // patch, patch)
        assert np.all(grid.min(axis=(2, 4)) == grid.max(axis=(2, 4))), f"{what}: a patch is partly masked"
        per_image = grid[:, :, 0, :, 0].reshape(batch, -1).sum(axis=1)
        k = round(ratio * (hw[0] // patch) * (hw[1] // patch))
        checks.assert_value(per_image.tolist(), [float(k)] * batch, name=f"masked patches per image in {what}")
        assert len({row.tobytes() for row in grid[:, :, 0, :, 0]}) > 1, f"{what}: every image has the same mask"
        again = np.asarray(student.call("patch_mask", batch, hw, patch, ratio, seed))
        assert np.array_equal(got, again), f"{what}: the same seed should give the same mask (stateless RNG)"
        other = np.asarray(student.call("patch_mask", batch, hw, patch, ratio, (seed[0] + 10, seed[1])))
        assert not np.array_equal(got, other), f"{what}: a different seed should give a different mask"


@pytest.mark.points(2)
def test_masked_reconstruction_loss_value_and_gradient(student, rng):
    x = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    x_hat = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    mask = (rng.uniform(size=(3, 4, 4, 1)) < 0.4).astype(np.float32)
    want = ((x_hat - x) ** 2 * mask).sum() / mask.sum()
    got = student.call("masked_reconstruction_loss", Tensor(x), Tensor(x_hat), Tensor(mask))
    checks.assert_tensor(got, np.float32(want), rtol=1e-5, atol=1e-6,
                         name="masked_reconstruction_loss (mean squared error over the masked entries only)")
    (grad,) = student.harness("gradient", "masked_reconstruction_loss", [Tensor(x), Tensor(x_hat), Tensor(mask)],
                              wrt=(1,))
    if grad is None:
        raise checks.CheckFailed("masked_reconstruction_loss has no gradient with respect to x_hat")
    checks.assert_tensor(grad, (2 * mask * (x_hat - x) / mask.sum()).astype(np.float32), rtol=1e-4, atol=1e-6,
                         name="gradient of masked_reconstruction_loss with respect to x_hat (0 on visible pixels)")


@pytest.mark.points(4)
def test_masked_pretext_beats_random_init_in_a_linear_probe(student, thresholds):
    data = load_digits()
    gen = np.random.default_rng(1405)
    x = data.images[..., None] / 16.0 * gen.uniform(0.8, 1.2, size=(len(data.target), 1, 1, 1))
    x = (x + gen.normal(0, 0.05, size=x.shape)).astype(np.float32)
    y = data.target
    order = gen.permutation(len(y))
    unlabeled, held = order[:1200], order[1200:]
    got = student.probe("ssl_report", x[unlabeled], x[held], 5, 15)
    features, random_features = np.asarray(got["features"]), np.asarray(got["random_features"])
    few = np.concatenate([gen.choice(np.flatnonzero(y[held] == c), 10, replace=False) for c in range(10)])
    rest = np.setdiff1d(np.arange(len(held)), few)

    def probe(f):
        return LogisticRegression(max_iter=3000).fit(f[few], y[held][few]).score(f[rest], y[held][rest])

    masked = np.asarray(got["mask"]) > 0
    err = np.mean((np.asarray(got["reconstruction"]) - x[held])[masked] ** 2)
    baseline = np.mean((x[held] - x[unlabeled].mean(axis=0))[masked] ** 2)
    assert err < 0.92 * baseline, (
        f"the pretrained encoder and decoder reconstruct the masked half of held-out images with MSE {err:.4f}, "
        f"not clearly better than the mean image ({baseline:.4f})")
    ssl, rnd = probe(features), probe(random_features)
    assert ssl >= thresholds["min_probe_accuracy"], (
        f"linear-probe accuracy on the pretrained codes is {ssl:.3f}, below {thresholds['min_probe_accuracy']}")
    assert ssl >= rnd + thresholds["min_gain_over_random"], (
        f"the pretrained codes ({ssl:.3f}) should beat the encoder's random initialisation ({rnd:.3f}) by at least "
        f"{thresholds['min_gain_over_random']}")
