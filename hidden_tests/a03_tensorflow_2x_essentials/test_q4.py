"""Hidden tests for A03 Q4: a custom GradientTape loop that reproduces model.fit exactly.

``fit`` runs in the reference worker, the student's loop in theirs, on the same model (built by the probe from
the same seed), the same batches and the same optimizer settings.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

EPOCHS, BATCH = 3, 32


def _data(rng, n=150, features=8, classes=3):
    # 150 samples in batches of 32: the last batch has 22, so an unweighted epoch mean is wrong.
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = np.argmax(x @ rng.normal(size=(features, classes)), axis=1).astype(np.int32)
    return x, y


def _assert_weights(got, want, what):
    assert len(got) == len(want), f"{what}: expected {len(want)} weight arrays, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=2e-5, name=f"{what}, weight {i} ({w.shape})")


@pytest.mark.points(3)
def test_custom_loop_matches_fit_with_batchnorm_and_l2(student, reference, rng):
    x, y = _data(rng)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("custom_run", "batchnorm_sgd", seed, x, y, EPOCHS, BATCH)
    want = reference.probe("fit_run", "batchnorm_sgd", seed, x, y, EPOCHS, BATCH)
    _assert_weights(got["weights"], want["weights"],
                    "weights after train_custom vs after model.fit (BatchNormalization needs training=True; "
                    "add sum(model.losses) for the L2 penalties)")


@pytest.mark.points(2)
def test_custom_loop_matches_fit_with_adam(student, reference, rng):
    x, y = _data(rng, n=120)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("custom_run", "adam", seed, x, y, EPOCHS, BATCH)
    want = reference.probe("fit_run", "adam", seed, x, y, EPOCHS, BATCH)
    _assert_weights(got["weights"], want["weights"], "weights after train_custom vs after model.fit with Adam")


@pytest.mark.points(3)
def test_epoch_losses_match_fit_history(student, reference, rng):
    x, y = _data(rng)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("custom_run", "batchnorm_sgd", seed, x, y, EPOCHS, BATCH)
    want = reference.probe("fit_run", "batchnorm_sgd", seed, x, y, EPOCHS, BATCH)
    checks.assert_value(len(got["losses"]), EPOCHS, name="number of epoch losses returned")
    checks.assert_tensor(np.asarray(got["losses"]), np.asarray(want["losses"]), rtol=2e-5, atol=2e-6,
                         name="epoch losses vs fit's history['loss'] (mean of the total loss, regularisation "
                              "included, weighted by batch size)")


@pytest.mark.points(2)
def test_train_step_is_compiled_once_not_run_eagerly(student, reference, rng, thresholds):
    x, y = _data(rng)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("custom_run", "adam", seed, x, y, EPOCHS, BATCH)
    # Few forward traces are only worth points for a loop that trains: a train_custom that never calls the model
    # traces nothing.
    want = reference.probe("fit_run", "adam", seed, x, y, EPOCHS, BATCH)
    _assert_weights(got["weights"], want["weights"], "weights after train_custom vs after model.fit with Adam")
    calls, limit = got["forward_python_calls"], thresholds["max_forward_traces"]
    assert calls <= limit, (
        f"the model's Python forward pass ran {calls} times for {EPOCHS} epochs of 5 batches; a tf.function train "
        f"step runs it only while tracing (at most {limit} times). Wrap the step in tf.function, define it once "
        "outside the loops, and pass tensors, not Python values")
