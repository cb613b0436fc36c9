"""Hidden tests for A07 Q4: what validation_split really does, a stratified shuffled split, and a hand-written
loop with validation that matches fit (run in the reference worker) on the same model, seed and batches."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

EPOCHS, BATCH = 3, 16


@pytest.mark.points(2)
def test_keras_validation_split_takes_the_last_rows(student, rng):
    for n, fraction in ((50, 0.2), (37, 0.3), (11, 0.5), (64, 0.15), (23, 0.1)):
        x = rng.normal(size=(n, 3)).astype(np.float32)
        y = np.sort(rng.integers(0, 4, size=n))  # sorted by class, as datasets often are
        got = student.call("keras_validation_split", x, y, fraction)
        split_at = int(np.floor(n * (1.0 - fraction)))
        assert isinstance(got, (list, tuple)) and len(got) == 4, (
            "keras_validation_split should return (x_train, y_train, x_val, y_val)")
        for value, want, what in zip(got, (x[:split_at], y[:split_at], x[split_at:], y[split_at:]),
                                     ("x_train", "y_train", "x_val", "y_val"), strict=True):
            checks.assert_tensor(value, want, expect="array", rtol=0, atol=0,
                                 name=f"{what} of keras_validation_split(n={n}, validation_split={fraction}) "
                                      "(fit keeps the first floor(n * (1 - split)) rows for training, unshuffled)")


def _labels(rng, sorted_by_class=True):
    counts = rng.integers(5, 30, size=int(rng.integers(3, 6)))
    y = np.repeat(np.arange(len(counts)), counts)
    return y if sorted_by_class else rng.permutation(y)


@pytest.mark.points(3)
def test_stratified_split_counts_and_cover(student, rng):
    for sorted_by_class in (True, False):
        y = _labels(rng, sorted_by_class)
        fraction, seed = float(rng.choice([0.2, 0.25, 0.3])), int(rng.integers(1 << 20))
        train, val = student.call("stratified_split", y, fraction, seed)
        what = f"stratified_split(y with {len(y)} labels, {fraction}, seed)"
        for value, name in ((train, "train_idx"), (val, "val_idx")):
            assert isinstance(value, np.ndarray) and value.dtype == np.int64, (
                f"{what}: {name} should be an int64 NumPy array, got {type(value).__name__} "
                f"{getattr(value, 'dtype', '')}")
        train, val = np.asarray(train), np.asarray(val)
        assert np.array_equal(train, np.sort(train)) and np.array_equal(val, np.sort(val)), (
            f"{what}: return both index arrays sorted")
        assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(len(y))), (
            f"{what}: train and validation indices should be disjoint and cover every sample once")
        for c in np.unique(y):
            n_c = int(np.sum(y == c))
            want = int(np.floor(fraction * n_c + 0.5))
            assert int(np.sum(y[val] == c)) == want, (
                f"{what}: class {c} has {n_c} samples and {int(np.sum(y[val] == c))} in validation; expected "
                "floor(val_fraction * n_c + 0.5)")


@pytest.mark.points(2)
def test_stratified_split_is_shuffled_and_seeded(student, rng):
    y = _labels(rng)
    seed = int(rng.integers(1 << 20))
    first = [np.asarray(a) for a in student.call("stratified_split", y, 0.3, seed)]
    again = [np.asarray(a) for a in student.call("stratified_split", y, 0.3, seed)]
    other = [np.asarray(a) for a in student.call("stratified_split", y, 0.3, seed + 1)]
    assert len(first[1]) > 0 and all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)), (
        "stratified_split should give the same split for the same seed (draw with np.random.default_rng(seed))")
    assert not np.array_equal(first[1], other[1]), "stratified_split gives the same split for different seeds"
    blocks = set()
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        chosen = np.flatnonzero(np.isin(members, first[1]))
        blocks.add(bool(len(chosen) and (chosen[-1] - chosen[0] + 1 == len(chosen))))
    assert blocks != {True}, (
        "the validation indices of every class are one contiguous block: shuffle within each class before taking "
        "the validation share (validation_split's mistake)")


def _data(rng, n=77, n_val=29, features=5, classes=3):
    x = rng.normal(size=(n + n_val, features)).astype(np.float32)
    y = np.argmax(x @ rng.normal(size=(features, classes)), axis=1).astype(np.int32)
    return x[:n], y[:n], x[n:], y[n:]


def _assert_weights(got, want, what):
    assert len(got) == len(want), f"{what}: expected {len(want)} weight arrays, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=2e-5, name=f"{what}, weight {i} ({w.shape})")


@pytest.mark.points(3)
def test_train_loop_weights_match_fit(student, reference, rng):
    data = _data(rng)
    seed = int(rng.integers(1 << 20))
    got = student.probe("q4_loop", seed, *data, EPOCHS, BATCH)
    want = reference.probe("q4_fit", seed, *data, EPOCHS, BATCH)
    _assert_weights(got["weights"], want["weights"],
                    "weights (BatchNormalization moving statistics included) after train_loop vs after model.fit "
                    "(batches in order, the last one smaller; training=True; regularisation in the loss)")


@pytest.mark.points(3)
def test_train_loop_history_matches_fit(student, reference, rng):
    data = _data(rng, n=70, n_val=33)
    seed = int(rng.integers(1 << 20))
    got = student.probe("q4_loop", seed, *data, EPOCHS, BATCH)
    want = reference.probe("q4_fit", seed, *data, EPOCHS, BATCH)
    for key, how in (("loss", "mean over samples of the training loss, regularisation included"),
                     ("val_loss", "validation loss after each epoch in inference mode (training=False), "
                                  "regularisation included, weighted by batch size")):
        checks.assert_value(len(got[key]), EPOCHS, name=f"number of {key} values")
        checks.assert_tensor(np.asarray(got[key]), np.asarray(want[key]), rtol=2e-5, atol=2e-6,
                             name=f"history[{key!r}] vs fit's ({how})")
