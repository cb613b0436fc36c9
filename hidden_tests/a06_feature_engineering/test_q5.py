"""Hidden tests for A06 Q5: seeded augmentation layers and image preprocessing."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")


def _images(rng, n=4, size=16):
    return rng.uniform(0, 1, size=(n, size, size, 3)).astype(np.float32)


@pytest.mark.points(2)
def test_augmenter_is_identity_at_inference(student, rng):
    x = _images(rng)
    got = student.probe("augment", int(rng.integers(1000)), x, False, 1)
    checks.assert_tensor(got, x, atol=0, name="make_augmenter(seed)(x, training=False) (augmentation layers must "
                                              "pass images through unchanged at inference)")


@pytest.mark.points(3)
def test_augmenter_is_seeded_and_matches_reference(student, reference, rng):
    x = _images(rng)
    seed = int(rng.integers(1000))
    first = student.probe("augment", seed, x, True, 11)
    again = student.probe("augment", seed, x, True, 22)
    checks.assert_tensor(again, np.asarray(first), rtol=1e-6, atol=1e-6,
                         name="a fresh make_augmenter(seed) under another global seed (pass seed= to every layer)")
    assert not np.allclose(np.asarray(first), x), "make_augmenter(seed)(x, training=True) did not change the images"
    other = np.asarray(student.probe("augment", seed + 1, x, True, 11))
    assert not np.allclose(other, np.asarray(first)), "different seeds should give different augmentations"
    checks.assert_tensor(first, reference.probe("augment", seed, x, True, 11), dtype="float32", rtol=1e-4, atol=1e-4,
                         name="make_augmenter(seed)(x, training=True) (RandomFlip, RandomRotation, RandomZoom, "
                              "RandomContrast in this order, with the prompt's factors)")


def test_augmenter_layers(student, rng):
    info = student.probe("augmenter_layers", 5)
    types = [layer["type"] for layer in info]
    assert types == ["RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast"], (
        f"make_augmenter should stack RandomFlip, RandomRotation, RandomZoom, RandomContrast; got {types}")
    assert all(layer.get("seed") == 5 for layer in info), "every augmentation layer needs seed=seed"


@pytest.mark.points(2)
def test_preprocess_images(student, reference, rng):
    images = rng.integers(0, 256, size=(3, 20, 14, 3)).astype(np.uint8)
    images[0, :, :, :] = 255
    got = student.call("preprocess_images", images, 8)
    checks.assert_tensor(got, reference.call("preprocess_images", images, 8), expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-5,
                         name="preprocess_images(images, 8) (Resizing, then Rescaling to [-1, 1])")
    assert np.allclose(np.asarray(got)[0], 1.0, atol=1e-6), "white pixels (255) must map to 1.0"


@pytest.mark.points(2)
def test_imagenet_normalize(student, rng):
    x = rng.uniform(0, 1, size=(2, 5, 4, 3)).astype(np.float32)
    want = (x - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    checks.assert_tensor(student.call("imagenet_normalize", x), want, expect="tensor", dtype="float32", rtol=1e-5,
                         atol=1e-5, name="imagenet_normalize(x) (ImageNet mean and std per RGB channel)")


def _one_hot(rng, n, k=5):
    return np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]


def _check_permutation(perm, n, what):
    perm = np.asarray(perm)
    assert perm.shape == (n,) and sorted(perm.tolist()) == list(range(n)), (
        f"{what}: perm should be a permutation of range({n}), got {perm.tolist()[:12]}")
    return perm.astype(np.int64)


def _simulated_boxes(rng, n, height, width, sides_h, sides_w):
    """The documented box process in NumPy: uniform integer centre, size around it, clipped to the image."""
    cy, cx = rng.integers(0, height, n), rng.integers(0, width, n)
    y0, x0 = np.clip(cy - sides_h // 2, 0, height), np.clip(cx - sides_w // 2, 0, width)
    y1, x1 = np.clip(cy - sides_h // 2 + sides_h, 0, height), np.clip(cx - sides_w // 2 + sides_w, 0, width)
    return np.stack([y0, x0, y1, x1], axis=1)


def _box_mask(boxes, height, width):
    rows, cols = np.arange(height)[None, :, None], np.arange(width)[None, None, :]
    b = np.asarray(boxes)
    return ((rows >= b[:, 0, None, None]) & (rows < b[:, 2, None, None])
            & (cols >= b[:, 1, None, None]) & (cols < b[:, 3, None, None]))[..., None]


def _check_boxes(boxes, n, height, width, what):
    boxes = np.asarray(boxes).astype(np.int64)
    assert boxes.shape == (n, 4), f"{what}: boxes should have shape ({n}, 4), got {boxes.shape}"
    ok = ((0 <= boxes[:, 0]) & (boxes[:, 0] <= boxes[:, 2]) & (boxes[:, 2] <= height)
          & (0 <= boxes[:, 1]) & (boxes[:, 1] <= boxes[:, 3]) & (boxes[:, 3] <= width))
    assert ok.all(), f"{what}: boxes must be [y0, x0, y1, x1] inside the image, got {boxes[~ok][:3].tolist()}"
    return boxes


@pytest.mark.points(2)
def test_mixup_mixes_images_and_labels_with_one_lambda_per_example(student, rng):
    from scipy import stats

    x, y = _images(rng, n=8, size=6), _one_hot(rng, 8)
    seed = int(rng.integers(1, 10**5))
    mixed, mixed_labels, lam, perm = student.call("mixup", x, y, 0.4, seed)
    perm, lam = _check_permutation(perm, 8, "mixup"), np.asarray(lam, np.float64)
    assert lam.shape == (8,) and np.all((lam >= 0) & (lam <= 1)), f"mixup: lam should be 8 values in [0, 1]: {lam}"
    checks.assert_tensor(mixed, lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[perm],
                         expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name="mixup images (lam_i * x_i + (1 - lam_i) * x_perm[i], with your lam and perm)")
    checks.assert_tensor(mixed_labels, lam[:, None] * y + (1 - lam[:, None]) * y[perm], expect="tensor",
                         dtype="float32", rtol=1e-5, atol=1e-6, name="mixup labels (the same lam as the images)")
    again = student.call("mixup", x, y, 0.4, seed)
    checks.assert_tensor(again[0], np.asarray(mixed), rtol=0, atol=0, name="mixup with the same seed, again")
    for alpha in (0.4, 2.0):
        n = 3000
        _, _, lam, perm = student.call("mixup", np.zeros((n, 1, 1, 1), np.float32), np.zeros((n, 2), np.float32),
                                       alpha, seed + 1)
        perm = _check_permutation(perm, n, "mixup")
        p_value = stats.kstest(np.asarray(lam, np.float64), stats.beta(alpha, alpha).cdf).pvalue
        assert p_value > 1e-4, (f"mixup(alpha={alpha}): {n} values of lam do not look Beta({alpha}, {alpha}) "
                                f"(Kolmogorov-Smirnov p = {p_value:.2g})")
        assert np.mean(perm == np.arange(n)) < 0.05, "mixup: the partners should be a random permutation"


@pytest.mark.points(2)
def test_cutmix_pastes_a_box_and_weights_labels_by_its_area(student, rng):
    from scipy import stats

    x, y = _images(rng, n=8, size=12), _one_hot(rng, 8)
    mixed, mixed_labels, boxes, perm = student.call("cutmix", x, y, 1.0, int(rng.integers(1, 10**5)))
    perm, boxes = _check_permutation(perm, 8, "cutmix"), _check_boxes(boxes, 8, 12, 12, "cutmix")
    mask = _box_mask(boxes, 12, 12)
    checks.assert_tensor(mixed, np.where(mask, x[perm], x), expect="tensor", dtype="float32", rtol=0, atol=1e-6,
                         name="cutmix images (the partner's pixels inside the box, the image's own outside)")
    area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) / 144.0)[:, None]
    checks.assert_tensor(mixed_labels, (1 - area) * y + area * y[perm], expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-6,
                         name="cutmix labels (weighted by the pasted area after clipping, not by 1 - lam)")
    n, side = 2000, 32
    _, _, boxes, _ = student.call("cutmix", np.zeros((n, side, side, 1), np.float32), np.zeros((n, 2), np.float32),
                                  1.0, int(rng.integers(1, 10**5)))
    boxes = _check_boxes(boxes, n, side, side, "cutmix")
    sides = (side * np.sqrt(1 - rng.beta(1.0, 1.0, n))).astype(np.int64)
    want = _simulated_boxes(rng, n, side, side, sides, sides)
    got_area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    want_area = (want[:, 2] - want[:, 0]) * (want[:, 3] - want[:, 1])
    p_value = stats.ks_2samp(got_area, want_area).pvalue
    assert p_value > 1e-4, (f"cutmix(alpha=1): the pasted areas of {n} boxes do not follow the documented process "
                            f"(side int(H * sqrt(1 - lam)), uniform centre, clipped): two-sample KS p = {p_value:.2g}")


@pytest.mark.points(2)
def test_cutout_zeros_a_clipped_square_around_a_uniform_centre(student, rng):
    from scipy import stats

    x = _images(rng, n=6, size=10) + 0.5
    erased, boxes = student.call("cutout", x, 4, int(rng.integers(1, 10**5)))
    boxes = _check_boxes(boxes, 6, 10, 10, "cutout")
    assert np.all(boxes[:, 2] - boxes[:, 0] <= 4) and np.all(boxes[:, 3] - boxes[:, 1] <= 4)
    checks.assert_tensor(erased, np.where(_box_mask(boxes, 10, 10), 0.0, x), expect="tensor", dtype="float32",
                         rtol=0, atol=1e-6, name="cutout (zeros inside the box in every channel, unchanged outside)")
    n = 2000
    _, boxes = student.call("cutout", np.ones((n, 16, 16, 1), np.float32), 6, int(rng.integers(1, 10**5)))
    boxes = _check_boxes(boxes, n, 16, 16, "cutout")
    want = _simulated_boxes(rng, n, 16, 16, np.full(n, 6), np.full(n, 6))
    for axis, name in ((0, "top"), (1, "left")):
        p_value = stats.ks_2samp(boxes[:, axis], want[:, axis]).pvalue
        assert p_value > 1e-4, (f"cutout: the {name} edges of {n} boxes do not follow a uniform centre with the "
                                f"square clipped at the border (two-sample KS p = {p_value:.2g})")
