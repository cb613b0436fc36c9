"""Hidden tests for A03 Q6: TensorFlow Hub offline, with local SavedModel "hub modules".

Each worker saves the same seeded feature extractor as a SavedModel in its own temporary space and passes the
folder as the hub handle. Held-out labels never enter a worker.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")

DIM, WIDTH, EPOCHS, LR = 8, 16, 6, 0.02


def _modules(student, reference, rng):
    seed = int(rng.integers(0, 2**20))
    return student.probe("make_hub_module", seed, DIM, WIDTH), reference.probe("make_hub_module", seed, DIM, WIDTH)


def _blobs(rng, n, centers):
    y = rng.integers(0, len(centers), size=n)
    return (centers[y] + rng.normal(0, 1.0, size=(n, DIM))).astype(np.float32), y.astype(np.int32)


def _runs(student, reference, rng, trainable, with_reference=True):
    handle_s, handle_r = _modules(student, reference, rng)
    centers = rng.normal(0, 1.6, size=(3, DIM))
    (x, y), (x_test, y_test) = _blobs(rng, 160, centers), _blobs(rng, 300, centers)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("hub_run", handle_s, trainable, x, y, x_test, EPOCHS, LR, seed)
    want = reference.probe("hub_run", handle_r, trainable, x, y, x_test, EPOCHS, LR, seed) if with_reference else None
    return got, want, y_test


def _assert_weights(got, want, what):
    assert len(got["weights"]) == len(want["weights"]), (
        f"{what}: the model has {len(got['weights'])} weights, expected {len(want['weights'])} (hub layer + head)")
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=2e-5, name=f"{what}, weight {i}")


@pytest.mark.points(2)
def test_hub_features_match_the_saved_model(student, reference, rng):
    handle_s, handle_r = _modules(student, reference, rng)
    x = rng.normal(size=(9, DIM)).astype(np.float32)
    checks.assert_tensor(student.call("hub_features", handle_s, x), reference.call("hub_features", handle_r, x),
                         expect="tensor", dtype="float32", rtol=1e-6, atol=1e-6,
                         name="hub_features(handle, x) (the hub module's output, loaded with hub.load)")


@pytest.mark.points(3)
def test_frozen_hub_layer_trains_only_the_head(student, reference, rng):
    got, want, _ = _runs(student, reference, rng, trainable=False)
    assert got["n_hub_layers"] == 1, "build_hub_classifier must start with one hub.KerasLayer(handle, ...)"
    assert got["n_trainable_before_fit"] == 2, (
        f"with trainable=False the model has {got['n_trainable_before_fit']} trainable variables; only the head's "
        "kernel and bias (2) should train")
    assert got["hub_change"] == 0.0, "the frozen hub weights changed during fine_tune; pass trainable=False"
    _assert_weights(got, want, "weights after fine_tune with a frozen hub layer")


@pytest.mark.points(3)
def test_fine_tuning_updates_the_hub_weights(student, reference, rng):
    got, want, _ = _runs(student, reference, rng, trainable=True)
    assert got["n_hub_layers"] == 1, "build_hub_classifier must start with one hub.KerasLayer(handle, ...)"
    assert got["n_trainable_before_fit"] == 6, (
        f"with trainable=True the model has {got['n_trainable_before_fit']} trainable variables; expected the hub "
        "module's 4 plus the head's 2 (pass trainable=trainable to hub.KerasLayer)")
    assert got["hub_change"] > 0.0, "with trainable=True fine_tune must change the hub weights"
    _assert_weights(got, want, "weights after fine_tune with a trainable hub layer")
    checks.assert_tensor(np.asarray(got["losses"]), np.asarray(want["losses"]), rtol=1e-4, atol=1e-5,
                         name="fine_tune's loss history")


@pytest.mark.points(2)
def test_frozen_features_classify_held_out_data(student, reference, rng, thresholds):
    got, _, y_test = _runs(student, reference, rng, trainable=False, with_reference=False)
    checks.assert_accuracy(got["predicted"], y_test, thresholds["min_frozen_accuracy"],
                           name="accuracy of the frozen-hub classifier")
