"""Hidden tests for A14 Q2: fine-tuning (gradual unfreezing, discriminative learning rates, BN in inference mode).

The pretrained base comes from ``probes.pretrain_base`` in the reference worker (see test_q1). The probes build
the transfer model themselves where a test is about the optimizer or the unfreezing alone.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q2")

# base.get_weights(): per block dense kernel, bias, BN gamma, beta, moving_mean, moving_variance
BN_INDEX = [6 * i + k for i in range(3) for k in (2, 3, 4, 5)]
MOVING_INDEX = [6 * i + k for i in range(3) for k in (4, 5)]


def _transfer(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    source, target = order[:900], order[900:]
    x = disguise(x, fit=x[source], seed=split_seed + 1414).astype(np.float32)
    x_t, y_t = x[target], y[target] % 3
    pick = np.random.default_rng(split_seed + 5)
    few = np.concatenate([pick.choice(np.flatnonzero(y_t == c), 10, replace=False) for c in range(3)])
    rest = np.setdiff1d(np.arange(len(y_t)), few)
    return x[source], y[source], x_t[few], y_t[few], x_t[rest], y_t[rest]


def _unchanged(got, want, indices, what):
    for i in indices:
        checks.assert_tensor(got[i], want[i], expect="array", rtol=0, atol=0, name=f"base weight {i} ({what})")


@pytest.mark.points(2)
def test_unfreeze_top_sets_the_schedule(student, reference):
    xs, ys, *_ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    sequence = [2, 0, 3, 1]
    got = student.probe("unfreeze_report", weights, sequence)
    weighted = [0, 1, 3, 4, 6, 7]  # dense_0, bn_0, dense_1, bn_1, dense_2, bn_2 in base.layers
    for n, state in zip(sequence, got, strict=True):
        want_layers = [i in (0, 3, 6)[3 - n:] if n else False for i in weighted]
        checks.assert_value([state["layers"][i] for i in weighted], want_layers,
                            name=f"trainable flags of dense_0, bn_0, dense_1, bn_1, dense_2, bn_2 after "
                                 f"unfreeze_top(base, {n}) (BatchNormalization always frozen)")
        want_vars = [b for block in range(3) for b in [block >= 3 - n] * 2 + [False] * 4]
        checks.assert_value(state["variables"], want_vars,
                            name=f"which base variables the model trains after unfreeze_top(base, {n})")


@pytest.mark.points(4)
def test_discriminative_learning_rates_with_adam(student, reference, rng):
    xs, ys, x, y, _, _ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    head = [rng.normal(0, 0.3, size=(32, 3)).astype(np.float32), np.zeros(3, np.float32)]
    for n_unfrozen in (2, 0):
        got = student.probe("tuner_report", weights, head, x, y, n_unfrozen, 2e-2, 3e-4, 3)
        want = reference.probe("tuner_report", weights, head, x, y, n_unfrozen, 2e-2, 3e-4, 3)
        what = f"after 3 DiscriminativeFineTuner steps with the top {n_unfrozen} Dense layers unfrozen"
        _unchanged(got["base"], weights, BN_INDEX + list(range(6 * (3 - n_unfrozen))),
                   f"frozen, {what}")
        for i, w in enumerate(want["head"]):
            checks.assert_tensor(got["head"][i], w, expect="array", rtol=1e-4, atol=1e-6,
                                 name=f"head weight {i} {what} (Adam with head_lr)")
        for i, w in enumerate(want["base"]):
            checks.assert_tensor(got["base"][i], w, expect="array", rtol=1e-4, atol=1e-6,
                                 name=f"base weight {i} {what} (a separate Adam with base_lr for the base: scaling "
                                      "the gradients does nothing with Adam)")
        checks.assert_tensor(np.asarray(got["losses"]), np.asarray(want["losses"]), rtol=1e-4, atol=1e-6,
                             name="losses returned by train_step (mean sparse cross-entropy from logits)")


@pytest.mark.points(3)
def test_batchnorm_stays_in_inference_mode_when_the_base_is_unfrozen(student, reference, rng):
    xs, ys, x, y, _, _ = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    head = [rng.normal(0, 0.3, size=(32, 3)).astype(np.float32), rng.normal(0, 0.1, size=3).astype(np.float32)]
    got = student.probe("bn_report", weights, head, x, y)
    checks.assert_value(got["trainable_shapes"], [[32, 3], [3]],
                        name="trainable weights of the new transfer model (the base starts frozen)")
    want = reference.probe("bn_report", weights, head, x, y)
    checks.assert_tensor(got["logits_before"], want["logits_before"], expect="array", rtol=1e-4, atol=1e-5,
                         name="the transfer model's logits")
    _unchanged(got["base_after"], weights, MOVING_INDEX,
               "BatchNormalization moving statistics after fit with the whole base unfrozen: call the base with "
               "training=False")
    checks.assert_tensor(got["training_call"], got["inference_call"], expect="array", rtol=1e-5, atol=1e-5,
                         name="the unfrozen model called with training=True vs training=False (BN must use its "
                              "moving statistics in both)")
    for i, w in enumerate(want["base_after"]):
        checks.assert_tensor(got["base_after"][i], w, expect="array", rtol=1e-4, atol=1e-5,
                             name=f"base weight {i} after one epoch of fit with the base unfrozen")


@pytest.mark.points(3)
def test_fine_tune_unfreezes_gradually_and_generalises(student, reference, thresholds):
    xs, ys, x, y, x_test, y_test = _transfer()
    weights = reference.probe("pretrain_base", xs, ys, 14)
    got = student.probe("fine_tune_report", weights, x, y, x_test)
    _unchanged(got["base_after"], weights, BN_INDEX,
               "BatchNormalization after fine_tune (BN layers stay frozen, in inference mode)")
    _unchanged(got["base_after"], weights, [0, 1],
               "dense_0 after fine_tune: the default schedule never unfreezes the bottom layer")
    for i, name in ((6, "dense_1"), (12, "dense_2")):
        assert np.any(np.asarray(got["base_after"][i]) != np.asarray(weights[i])), (
            f"{name}'s kernel did not change: the schedule unfreezes it in a later stage (a new train function "
            "per stage)")
    checks.assert_accuracy(np.asarray(got["pred"]), y_test, thresholds["min_accuracy"],
                           name="held-out accuracy of the fine-tuned model on the few-shot target task")
