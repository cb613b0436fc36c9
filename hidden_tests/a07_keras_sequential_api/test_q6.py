"""Hidden tests for A07 Q6: saving and loading. The student's worker trains and saves; every artefact is loaded in
the inspector, a sandboxed worker where no student code ran, and must predict what the reference's trained model
predicts on inputs drawn here."""

import numpy as np
import pytest

from graders import checks
from graders.judge.inspector import copy_artefact
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")

STEPS = 3


def _case(rng):
    d, h, k = int(rng.integers(3, 7)), int(rng.integers(4, 9)), int(rng.integers(2, 5))
    weights = [rng.normal(0, 0.6, size=(d, h)), rng.normal(0, 0.2, size=h), rng.normal(0, 0.6, size=(h, k)),
               rng.normal(0, 0.2, size=k)]
    weights = [w.astype(np.float32) for w in weights]
    x = rng.normal(size=(32, d)).astype(np.float32)
    y = rng.integers(0, k, size=32)
    x_test = rng.normal(size=(9, d)).astype(np.float32)
    return weights, x, y, x_test


def _saved(student, reference, rng):
    weights, x, y, x_test = _case(rng)
    got = student.probe("q6_train", weights, x, y, STEPS, x_test)
    want = reference.probe("q6_train", weights, x, y, STEPS, x_test, save=False)
    assert isinstance(got.get("paths"), dict), "save_all should return a dict of paths"
    return got, want, weights, x_test


def _path(got, key, suffix):
    paths = got["paths"]
    assert key in paths, f"save_all returned the keys {sorted(paths)}, with no {key!r}"
    path = paths[key]
    assert path.startswith(got["outdir"] + "/") and path.endswith(suffix), (
        f"save_all's {key!r} path should be <outdir>/...{suffix}, got {path!r}")
    return path


@pytest.mark.points(2)
def test_scaled_tanh_values_gradients_and_registration(student, rng):
    z = rng.normal(0, 2, size=(4, 5))
    checks.assert_tensor(student.call("scaled_tanh", Tensor(z)), 1.7159 * np.tanh(2 * z / 3), expect="tensor",
                         rtol=1e-10, atol=1e-12, name="scaled_tanh(z)")
    (grad,) = student.harness("gradient", "scaled_tanh", [Tensor(z)])
    checks.assert_tensor(grad, 1.7159 * (2 / 3) * (1 - np.tanh(2 * z / 3) ** 2), rtol=1e-10, atol=1e-12,
                         name="gradient of scaled_tanh")


@pytest.mark.points(4)
def test_keras_file_loads_in_a_fresh_worker_with_its_optimizer(student, reference, inspector, rng):
    got, want, _, x_test = _saved(student, reference, rng)
    path = copy_artefact(student, _path(got, "keras", ".keras"), inspector)
    try:
        loaded = inspector.probe("inspect_keras", path, x_test)
    except Exception as exc:  # noqa: BLE001 - the artefact is the student's, not their code
        raise checks.CheckFailed(
            "the .keras file does not load in a fresh Python with tf.keras.models.load_model(path, safe_mode=True) "
            "and no custom_objects (register scaled_tanh with "
            f"@tf.keras.utils.register_keras_serializable(package='course')): {str(exc)[:300]}") from None
    checks.assert_tensor(loaded["predictions"], want["predictions"], rtol=1e-5, atol=1e-6,
                         name="predictions of the reloaded .keras model vs the trained model")
    assert loaded["optimizer"] == "Adam" and loaded["iterations"] == STEPS, (
        f"the reloaded .keras model has optimizer {loaded['optimizer']} at step {loaded['iterations']}, "
        f"expected the trained Adam at step {STEPS}: save the whole model (model.save), not only its architecture")


@pytest.mark.points(4)
def test_savedmodel_serves_the_same_predictions(student, reference, inspector, rng):
    got, want, _, x_test = _saved(student, reference, rng)
    path = copy_artefact(student, _path(got, "savedmodel", "savedmodel"), inspector)
    files = inspector.probe("inspect_listing", path)
    assert "saved_model.pb" in files, (
        f"the 'savedmodel' path holds {files[:10]}, with no saved_model.pb: save with save_format='tf'")
    outside = inspector.harness("artefact_outside_ops", path)
    assert not outside, f"the SavedModel's graph holds ops that reach files or Python: {outside}"
    served = inspector.probe("inspect_savedmodel", path, x_test)
    assert "serving_default" in served["signatures"], (
        f"the SavedModel has signatures {served['signatures']}, with no serving_default")
    checks.assert_tensor(served["predictions"], want["predictions"], rtol=1e-5, atol=1e-6,
                         name="serving_default outputs of the SavedModel vs the trained model")


@pytest.mark.points(3)
def test_weights_only_file_restores_into_the_architecture(student, reference, inspector, rng):
    got, want, weights, x_test = _saved(student, reference, rng)
    path = copy_artefact(student, _path(got, "weights", ".weights.h5"), inspector)
    d, h = weights[0].shape
    k = weights[2].shape[1]
    try:
        loaded = inspector.probe("inspect_weights", path, d, h, k, x_test)
    except Exception as exc:  # noqa: BLE001 - the artefact is the student's
        raise checks.CheckFailed(f"the weights file does not load into a fresh copy of the architecture with "
                                 f"model.load_weights(path): {str(exc)[:300]}") from None
    checks.assert_tensor(loaded["predictions"], want["predictions"], rtol=1e-5, atol=1e-6,
                         name="predictions after load_weights vs the trained model")
