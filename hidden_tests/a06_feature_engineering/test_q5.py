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
