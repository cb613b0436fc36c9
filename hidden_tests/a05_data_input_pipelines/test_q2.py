"""Hidden tests for A05 Q2: an image pipeline (decode, resize, augment, batch) and its throughput."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")


def _compare(got, want, what, atol):
    checks.assert_value(got["spec"], want["spec"], name=f"{what}: element_spec ([shape, dtype])")
    checks.assert_value(got["batch_sizes"], want["batch_sizes"], name=f"{what}: batch sizes")
    checks.assert_tensor(got["values"]["1"], want["values"]["1"], expect="array", name=f"{what}: labels (in file "
                         "order)")
    checks.assert_tensor(got["values"]["0"], want["values"]["0"], expect="array", rtol=0, atol=atol,
                         name=f"{what}: images")


@pytest.mark.points(3)
def test_eval_pipeline_decodes_png_and_jpeg_and_resizes(student, reference, rng):
    seed, count, size, batch = int(rng.integers(10**6)), int(rng.integers(13, 20)), int(rng.choice([20, 24, 36])), 4
    got = student.probe("image_probe", seed, count, size, batch, False, 0)
    want = reference.probe("image_probe", seed, count, size, batch, False, 0)
    _compare(got, want, f"image_pipeline({count} PNG/JPEG files, image_size={size}, training=False)", atol=1e-5)


@pytest.mark.points(2)
def test_training_augmentation_is_seeded_and_stateless(student, reference, rng):
    seed, count, size, aug = int(rng.integers(10**6)), 12, 16, int(rng.integers(1, 10**4))
    got = student.probe("image_probe", seed, count, size, 5, True, aug)
    want = reference.probe("image_probe", seed, count, size, 5, True, aug)
    _compare(got, want, f"image_pipeline(training=True, seed={aug}) (flip seed [seed, 2i], brightness seed "
                        "[seed, 2i + 1], then clip)", atol=1e-5)
    again = student.probe("image_probe", seed, count, size, 5, True, aug)
    checks.assert_tensor(again["values"]["0"], got["values"]["0"], expect="array", rtol=0, atol=0,
                         name="a second run with the same seed (stateless augmentation must repeat exactly)")
    other = student.probe("image_probe", seed, count, size, 5, True, aug + 1)
    assert not np.allclose(np.asarray(other["values"]["0"]), np.asarray(got["values"]["0"])), (
        "image_pipeline(training=True) gives the same images for two different seeds: use the seed argument")


@pytest.mark.points(3)
def test_parallel_pipeline_beats_the_sequential_baseline(student, reference, rng, thresholds):
    seed = int(rng.integers(10**6))
    folder = student.probe("prepare_image_pool", seed)
    try:
        def make_args(r):
            return [seed, r.choice(64, size=32, replace=False).tolist(), int(r.choice([24, 28, 32]))]

        # The baseline runs in the reference worker, on the same images (the pool depends on the seed alone), while
        # the student's sandbox is frozen: nothing in the student's worker can slow it down.
        # The trusted sequential baseline first: the student's pixel sums are checked against it every trial.
        checks.assert_speed(
            {"sequential baseline": (reference, "probes.time_baseline_images"),
             "image_pipeline": (student, "probes.time_student_images")},
            make_args, rng, fast="image_pipeline", slow="sequential baseline",
            min_ratio=thresholds["min_parallel_speedup"], trials=3, calls=2, rtol=1e-4, atol=1e-3)
    finally:
        student.probe("remove_folder", folder)


@pytest.mark.points(3)
def test_crop_keeps_the_aspect_ratio_and_symmetric_scales_to_minus_one_one(student, reference, rng):
    # Ground truth the judge knows: a 30x40 image whose 4 leftmost columns are red. Resizing the shorter side to 15
    # gives 15x20 with red in output columns 0-1 only, and the central 15 columns (offset 2) are pure blue.
    # Stretching keeps red at the left edge; fitting the longer side and then cropping pads with black.
    cropped = np.asarray(student.probe("banded_image_probe", 30, 40, 4, 15, True, True))
    checks.assert_tensor(cropped, np.broadcast_to(np.array([-1.0, -1.0, 1.0], np.float32), (1, 15, 15, 3)),
                         expect="array", rtol=0, atol=1e-5,
                         name="image_pipeline(crop=True, symmetric=True) on a 30x40 image, red in the 4 leftmost "
                              "columns, blue elsewhere (expected: all blue, pixels in [-1, 1])")
    stretched = np.asarray(student.probe("banded_image_probe", 30, 40, 4, 15, False, False))
    assert stretched.shape == (1, 15, 15, 3) and stretched[0, :, 0, 0].min() > 0.5, (
        "image_pipeline(crop=False) must stretch the whole image to image_size x image_size (the red band at the "
        "left edge stays visible) and keep pixels in [0, 1]")
    seed, count, size, aug = int(rng.integers(10**6)), int(rng.integers(9, 14)), int(rng.choice([16, 20])), 7
    for training in (False, True):
        got = student.probe("image_probe", seed, count, size, 4, training, aug, True, True)
        want = reference.probe("image_probe", seed, count, size, 4, training, aug, True, True)
        _compare(got, want, f"image_pipeline({count} files of random aspect ratios, image_size={size}, "
                            f"training={training}, crop=True, symmetric=True)", atol=1e-5)
