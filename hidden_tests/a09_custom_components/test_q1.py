"""Hidden tests for A09 Q1: custom layers (MyDense, L2Normalize, MaskedMeanPool).

Every expected value is the judge's NumPy computation on weights and inputs the judge drew; the probes only load
those weights into the student's layers and call them.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _weights(rng, d, units):
    return (rng.normal(0, 0.5, size=(d, units)).astype(np.float32),
            rng.normal(0, 0.5, size=(units,)).astype(np.float32))


def _relu(z):
    return np.maximum(z, 0.0)


@pytest.mark.points(3)
def test_mydense_matches_numpy_and_creates_weights_in_build(student, rng):
    w, b = _weights(rng, 7, 5)
    x = rng.normal(size=(9, 7)).astype(np.float32)
    got = student.probe("dense_forward", {"units": 5, "activation": "relu"}, w, b, x)
    checks.assert_tensor(got["out"], _relu(x @ w + b), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name="MyDense(5, activation='relu') output with the given kernel and bias")
    checks.assert_value(got["before"], 0, name="number of weights before build (create them in build, not __init__)")
    checks.assert_value(got["shapes"], [[7, 5], [5]], name="weight shapes after build: [kernel, bias]")
    checks.assert_value(got["trainable"], 2, name="number of trainable weights")
    lin = student.probe("dense_forward", {"units": 5}, w, b, x)
    checks.assert_tensor(lin["out"], x @ w + b, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name="MyDense(5) output with activation=None (linear)")


@pytest.mark.points(3)
def test_mydense_layer_contract(student, rng):
    w, b = _weights(rng, 6, 4)
    x = rng.normal(size=(5, 6)).astype(np.float32)
    x3 = rng.normal(size=(2, 3, 6)).astype(np.float32)
    got = student.probe("dense_contract", {"units": 4, "activation": "tanh", "dropout": 0.25}, w, b, x, x3)
    want = np.tanh(x @ w + b)
    checks.assert_value(got["symbolic_shape"], [None, 4], name="shape of MyDense's output on a symbolic Input")
    checks.assert_value(got["output_shape"], [None, 4], name="compute_output_shape((None, 6))")
    checks.assert_tensor(got["model"], want, rtol=1e-5, atol=1e-5, name="output inside a functional Model")
    checks.assert_tensor(got["clone"], want, rtol=1e-5, atol=1e-5,
                         name="output of MyDense.from_config(get_config()) (get_config must hold units, activation, "
                              "dropout, regulariser and constraint, JSON-serialisable)")
    checks.assert_tensor(got["graph"], want, rtol=1e-5, atol=1e-5,
                         name="output under tf.function with an unknown batch dimension")
    checks.assert_tensor(got["rank3"], np.tanh(x3 @ w + b), rtol=1e-5, atol=1e-5,
                         name="output for a rank-3 input (contract over the last axis)")
    checks.assert_tensor(got["loaded"], want, rtol=1e-5, atol=1e-5,
                         name="output after model.save('.keras') and load_model without custom_objects "
                              "(register the class)")
    checks.assert_value(got["loaded_type"], "MyDense", name="class of the reloaded layer")


@pytest.mark.points(2)
def test_kernel_regulariser_in_model_losses(student, rng):
    w, b = _weights(rng, 5, 3)
    x = rng.normal(size=(4, 5)).astype(np.float32)
    got = student.probe("dense_regularizer", 0.03, w, b, x)
    checks.assert_value(len(got), 1, name="number of entries in model.losses (the kernel's L2 penalty only)")
    checks.assert_value(got[0], float(0.03 * np.sum(w.astype(np.float64) ** 2)), rtol=1e-5,
                        name="model.losses[0]: l2 * sum(kernel**2) (regularise the kernel, not the bias)")


@pytest.mark.points(2)
def test_kernel_constraint_applies_after_each_step(student, reference, rng):
    w, b = _weights(rng, 5, 2)
    w[0, 0], w[1, 1] = -0.8, -0.3
    x = rng.normal(size=(32, 5)).astype(np.float32)
    y = (x @ rng.normal(size=(5, 2))).astype(np.float32) - 2.0
    got = student.probe("dense_constraint_fit", w, b, x, y)
    want = reference.probe("dense_constraint_fit", w, b, x, y)
    checks.assert_value(len(got), 2, name="number of weights")
    kernel = np.asarray(got[0])
    if kernel.shape != (5, 2) or np.min(kernel) < 0:
        raise checks.CheckFailed("after fit with kernel_constraint='non_neg' the kernel still has negative entries: "
                                 "pass constraint= to add_weight for the kernel")
    for i, name in enumerate(("kernel", "bias")):
        checks.assert_tensor(got[i], want[i], expect="array", rtol=1e-4, atol=1e-5,
                             name=f"{name} after one epoch of SGD with the constraint")


@pytest.mark.points(2)
def test_dropout_only_in_training_and_unbiased(student, rng):
    w, b = _weights(rng, 8, 3)
    x = rng.normal(size=(4, 8)).astype(np.float32)
    got = student.probe("dense_dropout", w, b, x, 0.4, 3000)
    want = x @ w + b
    checks.assert_tensor(got["infer"], want, expect="array", rtol=1e-5, atol=1e-5,
                         name="output with training=False (no dropout at inference)")
    checks.assert_tensor(got["default"], want, expect="array", rtol=1e-5, atol=1e-5,
                         name="output of model(x) with no training argument (inference)")
    if got["differ"] < 0.9:
        raise checks.CheckFailed("with training=True and dropout=0.4 almost every repeat of an input should differ "
                                 "from the inference output: apply dropout to the inputs when training is true",
                                 values=f"share of repeats that differ: {got['differ']:.3f}")
    checks.assert_tensor(got["train_mean"], want, expect="array", rtol=0, atol=0.1,
                         name="mean training output over 3000 repeats (inverted dropout keeps the expectation: "
                              "scale kept inputs by 1/(1-rate))")


@pytest.mark.points(3)
def test_masked_mean_pool_ignores_poisoned_padding(student, rng):
    x = rng.normal(size=(5, 6, 3)).astype(np.float32)
    mask = rng.random((5, 6)) < 0.6
    mask[0] = True
    mask[1] = False
    mask[2, 0] = True
    poisoned = x.copy()
    poisoned[~mask] = np.nan
    poisoned[3, ~mask[3]] = 1e30
    plain = rng.normal(size=(3, 4, 2)).astype(np.float32)
    got = student.probe("masked_pool", poisoned, mask, plain)
    keep = mask[:, :, None].astype(np.float64)
    want = np.where(keep > 0, x, 0).sum(axis=1) / np.maximum(keep.sum(axis=1), 1)
    checks.assert_tensor(got["out"], want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name="masked mean (padded steps hold NaN: select with tf.where, do not multiply; an "
                              "all-padded row gives zeros)")
    checks.assert_value(got["out_mask_is_none"], True, name="MaskedMeanPool.compute_mask(...) is None")
    checks.assert_tensor(got["unmasked"], plain.mean(axis=1), expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-5,
                         name="output without a mask (plain mean over time)")


@pytest.mark.points(2)
def test_mask_flows_from_embedding_through_l2normalize(student, rng):
    table = rng.normal(size=(12, 4)).astype(np.float32)
    tokens = rng.integers(1, 12, size=(6, 7))
    lengths = rng.integers(1, 8, size=6)
    for i, n in enumerate(lengths):
        tokens[i, n:] = 0
    got = student.probe("embedding_pipeline", table, tokens)
    emb = table[tokens].astype(np.float64)
    unit = emb / np.sqrt(np.maximum((emb ** 2).sum(-1, keepdims=True), 1e-12))
    keep = (tokens != 0)[:, :, None]
    want = (unit * keep).sum(1) / keep.sum(1)
    checks.assert_tensor(got["normalized"], unit, rtol=1e-5, atol=1e-5, name="L2Normalize output")
    if got["mask_passed"] is None:
        raise checks.CheckFailed("L2Normalize.compute_mask returned None: set supports_masking = True so the "
                                 "Embedding's mask reaches MaskedMeanPool")
    checks.assert_tensor(got["mask_passed"], (tokens != 0).astype(np.int32), rtol=0, atol=0,
                         name="mask passed on by L2Normalize")
    checks.assert_tensor(got["out"], want, rtol=1e-5, atol=1e-5,
                         name="Embedding(mask_zero=True) -> L2Normalize -> MaskedMeanPool output")


@pytest.mark.points(1)
def test_l2normalize_axis_epsilon_and_config(student, rng):
    x = rng.normal(size=(4, 5, 3)).astype(np.float32)
    x[0, :, 1] = 1e-3
    got = student.probe("l2_round_trip", x, 1, 1e-4)
    x64 = x.astype(np.float64)
    want = (x64 / np.sqrt(np.maximum((x64 ** 2).sum(axis=1, keepdims=True), 1e-4))).astype(np.float32)
    checks.assert_tensor(got["layer"], want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="L2Normalize(axis=1, epsilon=1e-4) output (epsilon bounds the squared norm)")
    checks.assert_tensor(got["clone"], want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="L2Normalize.from_config(get_config()) output (get_config must hold axis and epsilon)")
