"""Hidden tests for A04 Q2: map/filter text cleaning, windows, enumerate-based split, stateless augmentation."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

_WORDS = ["Hello", "WORLD", "tf.data", "42", "C'est", "déjà", "vu", "--", "x_y", "Ünïcode", "a1b2", "!!!", "  "]


def _strings(rng, n=30):
    out = []
    for _ in range(n):
        k = int(rng.integers(0, 6))
        seps = rng.choice([" ", "  ", ", ", "\t", "...", "-"], size=k)
        out.append("".join(str(w) + str(s) for w, s in zip(rng.choice(_WORDS, size=k), seps, strict=True)))
    out += ["", "?!", "   "]  # become empty and must be filtered out
    return out


@pytest.mark.points(3)
def test_clean_text_normalizes_and_filters(student, reference, rng):
    strings = _strings(rng)
    got = student.probe("q2_clean", strings)
    want = reference.probe("q2_clean", strings)
    assert "" not in got["texts"], "clean_text must filter out the strings that end up empty"
    checks.assert_value(got["texts"], want["texts"],
                        name="clean_text (lower, runs of [^a-z0-9] to one space, strip, drop empty)")


@pytest.mark.points(2)
def test_sliding_windows(student, reference, rng):
    for shape in ((int(rng.integers(8, 20)),), (int(rng.integers(8, 20)), 2)):
        values = rng.normal(size=shape).astype(np.float32)
        size, shift = int(rng.integers(2, 5)), int(rng.integers(1, 4))
        got = student.probe("q2_windows", values, size, shift)
        want = reference.probe("q2_windows", values, size, shift)
        checks.assert_value(got["spec"], want["spec"],
                            name=f"sliding_windows(size={size}, shift={shift}).element_spec (static window size)")
        checks.assert_value(got["windows"], want["windows"], name=f"sliding_windows(size={size}, shift={shift})")


@pytest.mark.points(2)
def test_split_every_is_disjoint_and_complete(student, reference, rng):
    values = rng.permutation(1000)[: int(rng.integers(20, 50))].astype(np.int64)
    k = int(rng.integers(3, 6))
    got = student.probe("q2_split", values, k)
    want = reference.probe("q2_split", values, k)
    assert sorted(got["train"] + got["val"]) == sorted(values.tolist()), (
        "train and val together must hold every element exactly once")
    checks.assert_value(got, want, name=f"split_every(ds, {k}) (val: element index i % k == 0)")


@pytest.mark.points(3)
def test_augment_is_seeded_and_stateless(student, reference, rng):
    image_seed, n, seed = int(rng.integers(1 << 30)), 16, int(rng.integers(1 << 20))
    got = student.probe("q2_augment", image_seed, n, seed)
    want = reference.probe("q2_augment", image_seed, n, seed)
    np.testing.assert_array_equal(got["labels"], want["labels"], err_msg="augment must pass the labels unchanged")
    checks.assert_tensor(got["images_again"], got["images"], rtol=0, atol=0,
                         name="augmented images on a second pass over the same dataset (stateful tf.image.random_* "
                              "ops change every pass: use tf.image.stateless_random_*)")
    checks.assert_tensor(got["images"], want["images"], rtol=1e-5, atol=1e-6,
                         name=f"augment(ds, seed={seed}) images (per-element seeds from tf.random.split of "
                              "[seed, index]; flip, then brightness 0.2, then clip)")
    other = student.probe("q2_augment", image_seed, n, seed + 1)
    assert not np.array_equal(other["images"], got["images"]), "a different seed must give different augmentations"
