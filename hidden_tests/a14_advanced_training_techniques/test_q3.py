"""Hidden tests for A14 Q3: multi-task learning (hard sharing, per-task losses, uncertainty weighting).

Outputs, losses and gradients are compared with the judge's NumPy or with the reference on the same weights;
the accuracy test trains on disguised digits and keeps the held-out labels here.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q3")

TASKS = ("digit", "parity", "ink")
SHAPES = [(64, 64), (64,), (64, 32), (32,), (32, 10), (10,), (32, 1), (1,), (32, 1), (1,)]


def _weights(rng):
    return [rng.normal(0, 0.3 if len(s) == 2 else 0.1, size=s).astype(np.float32) for s in SHAPES]


def _forward(w, x):
    h = np.maximum(x @ w[0] + w[1], 0)
    h = np.maximum(h @ w[2] + w[3], 0)
    return {"digit": h @ w[4] + w[5], "ink": h @ w[6] + w[7], "parity": h @ w[8] + w[9]}


def _targets(rng, n):
    return {"digit": rng.integers(0, 10, n), "parity": rng.integers(0, 2, n).astype(np.float32),
            "ink": rng.normal(size=n).astype(np.float32)}


def _losses(y, pred):
    z = pred["digit"] - pred["digit"].max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    digit = -np.mean(logp[np.arange(len(z)), y["digit"]])
    s = pred["parity"][:, 0]
    parity = np.mean(np.maximum(s, 0) - s * y["parity"] + np.log1p(np.exp(-np.abs(s))))
    ink = np.mean((pred["ink"][:, 0] - y["ink"]) ** 2)
    return {"digit": digit, "parity": parity, "ink": ink}


@pytest.mark.points(2)
def test_multitask_model_shares_one_trunk(student, rng):
    w = _weights(rng)
    x = rng.normal(size=(9, 64)).astype(np.float32)
    got = student.probe("mt_forward", w, x)
    checks.assert_value(got["shapes"], [list(s) for s in SHAPES],
                        name="shapes of build_multitask_model(64, (64, 32), 10).get_weights() (trunk 64-32, then "
                             "the digit, ink and parity heads, all on the trunk's output)")
    assert "outputs" in got, f"the model should return a dict of outputs, got {got.get('type')}"
    checks.assert_value(sorted(got["outputs"]), sorted(TASKS), name="output keys")
    want = _forward([a.astype(np.float64) for a in w], x.astype(np.float64))
    for task in TASKS:
        checks.assert_tensor(got["outputs"][task], want[task].astype(np.float32), expect="array", rtol=1e-4,
                             atol=1e-4, name=f"output '{task}' (logits / value, no activation on the heads)")


@pytest.mark.points(2)
def test_task_losses_and_static_weighting(student, rng):
    n = 12
    y = _targets(rng, n)
    pred = {"digit": rng.normal(0, 2, size=(n, 10)).astype(np.float32),
            "parity": rng.normal(0, 2, size=(n, 1)).astype(np.float32),
            "ink": rng.normal(size=(n, 1)).astype(np.float32)}
    got = student.probe("task_losses_probe", y, pred)
    want = _losses(y, {k: v.astype(np.float64) for k, v in pred.items()})
    for task in TASKS:
        checks.assert_tensor(np.asarray(got[task]), np.float32(want[task]), rtol=1e-5, atol=1e-6,
                             name=f"task_losses(...)['{task}'] (a batch mean; parity and ink predictions are (B, 1))")
    weights = {"digit": 1.0, "parity": 0.5, "ink": 2.0}
    total = student.probe("weighted_total_probe", {k: float(v) for k, v in want.items()}, weights)
    checks.assert_tensor(np.asarray(total), np.float32(sum(weights[k] * want[k] for k in TASKS)), rtol=1e-5,
                         atol=1e-6, name="weighted_total(losses, weights)")


@pytest.mark.points(3)
def test_uncertainty_weighting_value_gradient_and_optimum(student, rng):
    losses = [2.0, 0.5, 0.1]
    s = rng.normal(0, 0.5, size=3).astype(np.float32)
    got = student.probe("uncertainty_report", losses, s, 200, 0.1)
    checks.assert_value(len(got["initial"]), 1, name="number of trainable weights of UncertaintyWeighting (one "
                                                      "log-variance vector)")
    checks.assert_tensor(got["initial"][0], np.zeros(3, np.float32), expect="array", atol=0,
                         name="initial log_vars")
    L = np.asarray(losses)
    checks.assert_tensor(np.asarray(got["value"]), np.float32(np.sum(np.exp(-s) * L + s)), rtol=1e-5, atol=1e-5,
                         name="UncertaintyWeighting()(losses) = sum_i exp(-s_i) * L_i + s_i")
    if got["grad"] is None:
        raise checks.CheckFailed("the weighted total has no gradient with respect to log_vars")
    checks.assert_tensor(got["grad"], (1 - np.exp(-s) * L).astype(np.float32), expect="array", rtol=1e-4, atol=1e-5,
                         name="gradient of the weighted total with respect to log_vars")
    checks.assert_tensor(got["converged"], np.log(L).astype(np.float32), expect="array", atol=0.02,
                         name="log_vars after minimising the weighted total (should reach log L_i)")


@pytest.mark.points(2)
def test_per_task_gradients_reach_only_their_head(student, reference, rng):
    w = _weights(rng)
    x = rng.normal(size=(16, 64)).astype(np.float32)
    y = _targets(rng, 16)
    got = student.probe("per_task_report", w, x, y)
    want = reference.probe("per_task_report", w, x, y)
    for task in TASKS:
        checks.assert_value(len(got["grads"][task]), len(want["grads"][task]),
                            name=f"number of gradients for task '{task}' (one per trainable variable)")
        for i, (g, r) in enumerate(zip(got["grads"][task], want["grads"][task], strict=True)):
            what = f"gradient of the '{task}' loss for variable {i} ({want['names'][i]})"
            if r is None:
                if g is not None:
                    checks.assert_tensor(g, np.zeros_like(np.asarray(g)), expect="array", atol=0,
                                         name=what + ": another task's head, should be None or zero")
                continue
            if g is None:
                raise checks.CheckFailed(f"{what} is None: the trunk and the task's own head reach its loss")
            checks.assert_tensor(g, r, expect="array", rtol=1e-4, atol=1e-6, name=what)


@pytest.mark.points(2)
def test_multitask_train_step_updates_model_and_log_vars(student, reference, rng):
    w = _weights(rng)
    x = rng.normal(size=(16, 64)).astype(np.float32)
    y = _targets(rng, 16)
    got = student.probe("mt_step_report", w, x, y, 3)
    want = reference.probe("mt_step_report", w, x, y, 3)
    checks.assert_tensor(np.asarray(got["totals"]), np.asarray(want["totals"]), rtol=1e-4, atol=1e-5,
                         name="uncertainty-weighted totals returned by 3 multitask_train_step calls")
    checks.assert_tensor(got["log_vars"][0], want["log_vars"][0], expect="array", rtol=1e-4, atol=1e-5,
                         name="log_vars after 3 steps (trained together with the model)")
    for i, r in enumerate(want["weights"]):
        checks.assert_tensor(got["weights"][i], r, expect="array", rtol=1e-4, atol=1e-5,
                             name=f"model weight {i} after 3 steps")


@pytest.mark.points(1)
def test_multitask_training_learns_all_three_tasks(student, thresholds):
    data = load_digits()
    x, digit = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    ink = x.mean(axis=1)
    ink = ((ink - ink.mean()) / ink.std()).astype(np.float32)
    order = np.random.default_rng(3).permutation(len(x))
    tr, te = order[:1000], order[1000:]
    x = disguise(x, fit=x[tr], seed=1403).astype(np.float32)
    y = {"digit": digit[tr], "parity": (digit[tr] % 2).astype(np.float32), "ink": ink[tr]}
    got = student.probe("mt_train_report", x[tr], y, x[te], 12, 7)
    checks.assert_accuracy(np.asarray(got["digit"]), digit[te], thresholds["min_digit_accuracy"],
                           name="held-out digit accuracy")
    checks.assert_accuracy(np.asarray(got["parity"]), digit[te] % 2, thresholds["min_parity_accuracy"],
                           name="held-out parity accuracy")
    rmse = float(np.sqrt(np.mean((np.asarray(got["ink"], np.float64) - ink[te]) ** 2)))
    assert rmse <= thresholds["max_ink_rmse"], (
        f"held-out ink RMSE {rmse:.3f} is above {thresholds['max_ink_rmse']} (standardised units)")
