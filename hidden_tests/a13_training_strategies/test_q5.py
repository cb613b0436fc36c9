"""Hidden tests for A13 Q5: inverted dropout and batch normalisation by hand.

Dropout is checked for its statistics, its inverted scaling (kept values equal those of Keras's Dropout layer on the
same input, run in the reference worker) and its identity at inference. BatchNorm is given the same weights as
``tf.keras.layers.BatchNormalization(fused=False)`` (run in the reference worker) and driven through five training
calls and one inference call on 2-D and 4-D inputs: outputs, input/gamma/beta gradients, moving statistics.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

FORBIDDEN = ["tf.nn.dropout", "tf.keras.layers.Dropout.call", "tf.nn.batch_normalization",
             "tf.compat.v1.nn.fused_batch_norm", "tf.keras.layers.BatchNormalization.call"]


@pytest.mark.points(2)
def test_dropout_statistics_and_inverted_scaling(student, reference, rng):
    x = rng.uniform(0.5, 2.0, size=(400, 50)).astype(np.float32)
    for rate in (0.25, 0.6):
        seed = int(rng.integers(0, 2**20))
        got = np.asarray(student.call("dropout", x, rate, True, seed))
        if got.shape != x.shape:
            raise checks.CheckFailed("dropout should return a tensor of the input's shape")
        zero = float(np.mean(got == 0))
        if abs(zero - rate) > 0.02:
            raise checks.CheckFailed(f"dropout(rate={rate}) should zero about that fraction of elements",
                                     values=f"zeroed fraction {zero:.4f}")
        kept = got != 0
        keras = reference.probe("keras_dropout", x, rate)["train"]
        both = kept & (keras != 0)
        checks.assert_tensor(got[both], keras[both], expect="array", rtol=1e-6, atol=1e-6,
                             name=f"kept values of dropout(rate={rate}) vs those of tf.keras.layers.Dropout "
                                  "(inverted dropout scales kept values by 1/(1-rate) in training)")
        if abs(float(got.mean()) / float(x.mean()) - 1) > 0.03:
            raise checks.CheckFailed("the mean of dropout's training output should equal the input's mean")


@pytest.mark.points(2)
def test_dropout_is_identity_at_inference_and_seeded(student, reference, rng):
    x = rng.normal(size=(64, 32)).astype(np.float32)
    got = np.asarray(student.call("dropout", x, 0.5, False, 3))
    checks.assert_tensor(got, x, expect="array", rtol=0, atol=0, name="dropout(training=False) (identity)")
    got = np.asarray(student.call("dropout", x, 0.0, True, 3))
    checks.assert_tensor(got, x, expect="array", rtol=0, atol=0, name="dropout(rate=0, training=True) (identity)")
    a = student.call("dropout", x, 0.5, True, 11)
    checks.assert_tensor(a, reference.call("dropout", x, 0.5, True, 11), expect="tensor", dtype="float32", rtol=0,
                         atol=1e-7, name="dropout(rate=0.5, seed=11) (mask from tf.random.stateless_uniform(shape, "
                                         "seed=[seed, 0]) >= rate)")
    a = np.asarray(a)
    b = np.asarray(student.call("dropout", x, 0.5, True, 11))
    c = np.asarray(student.call("dropout", x, 0.5, True, 12))
    if abs(float(np.mean(a == 0)) - 0.5) > 0.05:
        raise checks.CheckFailed("dropout(rate=0.5, training=True) should zero about half the elements")
    checks.assert_tensor(a, b, expect="array", rtol=0, atol=0, name="dropout called twice with the same seed")
    if np.array_equal(a == 0, c == 0):
        raise checks.CheckFailed("dropout with another seed gave the same mask: draw it from the seed "
                                 "(tf.random.stateless_uniform(shape, seed=[seed, 0]))")


def _bn_case(rng, shape):
    c = shape[-1]
    batches = [rng.normal(rng.uniform(-2, 2, c), rng.uniform(0.5, 3, c), size=shape).astype(np.float32)
               for _ in range(5)]
    init = [rng.normal(1, 0.3, c), rng.normal(0, 0.3, c), rng.normal(0, 0.3, c), rng.uniform(0.5, 2, c)]
    return batches, rng.normal(size=shape).astype(np.float32), [np.asarray(w, np.float32) for w in init]


def _bn_compare(student, reference, rng, shape, parts):
    batches, x_test, init = _bn_case(rng, shape)
    momentum = float(rng.uniform(0.8, 0.95))
    got = student.probe("bn_run", "student", batches, x_test, init, momentum, 1e-3)
    want = reference.probe("bn_run", "keras", batches, x_test, init, momentum, 1e-3)
    label = f"BatchNorm on {len(shape)}-D input {shape} vs BatchNormalization(fused=False)"
    if "layout" in parts:
        checks.assert_value([got["n_trainable"], got["n_weights"]], [want["n_trainable"], want["n_weights"]],
                            name="numbers of trainable and of all weights (gamma, beta; moving_mean, "
                                 "moving_variance)")
    if "train" in parts:
        for i, (g, w) in enumerate(zip(got["train"], want["train"], strict=True)):
            checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-4,
                                 name=f"{label}: training output of call {i + 1} (batch mean and biased variance "
                                      "over every axis but the last)")
    if "grads" in parts:
        for what, g, w in zip(("input", "gamma", "beta"), got["grads"], want["grads"], strict=True):
            checks.assert_tensor(g, w, expect="array", rtol=1e-3, atol=1e-4,
                                 name=f"{label}: gradient with respect to {what} in training mode")
    if "moving" in parts:
        for what, g, w in zip(("gamma", "beta", "moving_mean", "moving_variance"), got["weights"], want["weights"],
                              strict=True):
            checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-5,
                                 name=f"{label}: {what} after five training calls (moving = moving*momentum + "
                                      "batch*(1-momentum))")
        checks.assert_tensor(got["infer"], want["infer"], expect="array", rtol=1e-4, atol=1e-4,
                             name=f"{label}: inference output (moving statistics)")


@pytest.mark.points(3)
def test_batchnorm_2d_matches_keras_in_training_and_inference(student, reference, rng):
    _bn_compare(student, reference, rng, (16, 5), ("layout", "train", "moving"))


@pytest.mark.points(3)
def test_batchnorm_4d_reduces_over_batch_and_space(student, reference, rng):
    _bn_compare(student, reference, rng, (4, 3, 3, 6), ("train", "moving"))


@pytest.mark.points(2)
def test_batchnorm_gradients_match_keras(student, reference, rng):
    _bn_compare(student, reference, rng, (12, 4), ("grads",))
    _bn_compare(student, reference, rng, (3, 2, 2, 3), ("grads",))
    x = rng.normal(2.0, 3.0, size=(10, 4)).astype(np.float32)
    got = student.probe("bn_fresh", "student", x)
    want = reference.probe("bn_fresh", "keras", x)
    for what in ("infer", "train"):
        checks.assert_tensor(got[what], want[what], expect="array", rtol=1e-4, atol=1e-4,
                             name=f"a freshly built BatchNorm's {what} output (initial gamma 1, beta 0, moving mean "
                                  "0, moving variance 1, as Keras)")


@pytest.mark.points(2)
def test_no_library_dropout_or_batchnorm(student, reference, rng):
    _bn_compare(student, reference, rng, (8, 3), ("train",))
    x = rng.normal(size=(32, 8)).astype(np.float32)
    got = np.asarray(student.call("dropout", x, 0.5, True, 5))
    if abs(float(np.mean(got == 0)) - 0.5) > 0.1:
        raise checks.CheckFailed("dropout(rate=0.5) should zero about half the elements")
    batches, x_test, init = _bn_case(rng, (8, 3))
    student.probe("import_batchnorm_ops")
    checks.assert_no_forbidden_calls(student, "dropout", [x, 0.5, True, 5], FORBIDDEN,
                                     why="draw the mask and scale the kept values yourself")
    checks.assert_no_forbidden_calls(student, "probes.bn_run", ["student", batches, x_test, init, 0.9, 1e-3],
                                     FORBIDDEN, why="compute the statistics and the normalisation yourself")
