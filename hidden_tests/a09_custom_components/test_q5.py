"""Hidden tests for A09 Q5: MomentumSGD and AdaBound on the new tf.keras optimizer API.

Every trajectory is compared step by step with the judge's NumPy implementation of the update rule; the fit test
compares with the reference worker and scores held-out synthetic data whose labels stay in the judge.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

STEPS = 10


def _clipnorm(g, clip):
    return g * clip / max(float(np.sqrt(np.sum(np.square(g, dtype=np.float64)))), clip)


def _momentum_np(w0, grads, lr, momentum, nesterov, clipnorm=None):
    w = w0.astype(np.float64).copy()
    v = np.zeros_like(w)
    out = []
    for g in grads:
        g = g if clipnorm is None else _clipnorm(g, clipnorm)
        v = momentum * v - lr * g
        w = w + (momentum * v - lr * g if nesterov else v)
        out.append(w.copy())
    return out


def _adabound_np(w0, grads, lr, final_lr, gamma, b1, b2, eps, clipvalue=None):
    w = w0.astype(np.float64).copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        g = g if clipvalue is None else np.clip(g, -clipvalue, clipvalue)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        lower = final_lr * (1 - 1 / (gamma * t + 1))
        upper = final_lr * (1 + 1 / (gamma * t))
        w = w - np.clip(step / (np.sqrt(v) + eps), lower, upper) * m
        out.append(w.copy())
    return out


def _compare(got, want, what, rtol=1e-5, atol=1e-6):
    checks.assert_value(len(got), len(want), name=f"number of steps recorded for {what}")
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=rtol, atol=atol, name=f"{what}: variable after step {k + 1}")


def _grads(rng, shape):
    return [rng.normal(size=shape).astype(np.float32) for _ in range(STEPS)]


@pytest.mark.points(3)
def test_momentum_sgd_trajectory_matches_numpy(student, rng):
    w0 = rng.normal(size=(3, 4)).astype(np.float32)
    grads = _grads(rng, (3, 4))
    for nesterov in (False, True):
        kwargs = {"learning_rate": 0.05, "momentum": 0.8, "nesterov": nesterov}
        got = student.probe("opt_trajectory", "MomentumSGD", kwargs, w0, grads)
        _compare(got, _momentum_np(w0, grads, 0.05, 0.8, nesterov), f"MomentumSGD(nesterov={nesterov})")


@pytest.mark.points(3)
def test_adabound_trajectory_matches_numpy(student, rng):
    w0 = rng.normal(size=(5,)).astype(np.float32)
    grads = [g * scale for g, scale in zip(_grads(rng, (5,)), np.geomspace(1e-3, 10, STEPS), strict=True)]
    cases = [
        {"learning_rate": 0.01, "final_lr": 0.1, "gamma": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
        # a large gamma makes the bounds bite within ten steps
        {"learning_rate": 0.5, "final_lr": 0.05, "gamma": 0.5, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6},
    ]
    for kwargs in cases:
        got = student.probe("opt_trajectory", "AdaBound", kwargs, w0, grads)
        want = _adabound_np(w0, grads, kwargs["learning_rate"], kwargs["final_lr"], kwargs["gamma"],
                            kwargs["beta_1"], kwargs["beta_2"], kwargs["epsilon"])
        _compare(got, want, f"AdaBound(learning_rate={kwargs['learning_rate']}, gamma={kwargs['gamma']}) "
                            "(bias correction only in the step size; bounds from final_lr)", rtol=1e-4, atol=1e-5)


@pytest.mark.points(2)
def test_state_lives_in_slots_and_survives_checkpoint_and_config(student, rng):
    w0 = rng.normal(size=(4,)).astype(np.float32)
    grads = _grads(rng, (4,))
    kwargs = {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}
    got = student.probe("opt_trajectory", "MomentumSGD", kwargs, w0, grads, 4)
    _compare(got, _momentum_np(w0, grads, 0.1, 0.9, True),
             "MomentumSGD restored from a tf.train.Checkpoint after 4 steps into from_config(get_config()) (keep the "
             "velocity in add_variable_from_reference slots; get_config must return every hyperparameter)")
    ada = {"learning_rate": 0.2, "final_lr": 0.3, "gamma": 0.2, "beta_1": 0.7, "beta_2": 0.9, "epsilon": 1e-5}
    got = student.probe("opt_trajectory", "AdaBound", ada, w0, grads, 5)
    _compare(got, _adabound_np(w0, grads, 0.2, 0.3, 0.2, 0.7, 0.9, 1e-5),
             "AdaBound restored from a checkpoint after 5 steps into from_config(get_config())", rtol=1e-4, atol=1e-5)


@pytest.mark.points(2)
def test_sparse_embedding_gradients_follow_non_lazy_sgd(student, rng):
    vocab, dim = 6, 3
    rows = [[0], [1], [1, 3], [0, 0], [4]]
    values = [rng.normal(size=(len(r), dim)).astype(np.float32) for r in rows]
    dense = []
    for r, v in zip(rows, values, strict=True):
        g = np.zeros((vocab, dim))
        np.add.at(g, r, v)
        dense.append(g)
    for nesterov in (False, True):
        kwargs = {"learning_rate": 0.1, "momentum": 0.9, "nesterov": nesterov}
        got = student.probe("opt_sparse", kwargs, vocab, dim, rows, values)
        checks.assert_value(got["kinds"], ["IndexedSlices"] * len(rows), name="gradient types the probe produced")
        want = _momentum_np(np.zeros((vocab, dim), np.float32), dense, 0.1, 0.9, nesterov)
        _compare(got["trajectory"], want, f"embedding table under IndexedSlices gradients, nesterov={nesterov} "
                                          "(rows touched earlier keep moving with their momentum; untouched rows "
                                          "stay 0; repeated indices add up)")


@pytest.mark.points(1)
def test_base_class_options_reach_the_base_class(student, rng):
    w0 = rng.normal(size=(6,)).astype(np.float32)
    grads = [g * 3 for g in _grads(rng, (6,))]
    got = student.probe("opt_trajectory", "MomentumSGD", {"learning_rate": 0.1, "momentum": 0.7, "clipnorm": 1.0},
                        w0, grads)
    _compare(got, _momentum_np(w0, grads, 0.1, 0.7, False, clipnorm=1.0),
             "MomentumSGD(clipnorm=1.0) (pass **kwargs on to super().__init__)")
    ada = {"learning_rate": 0.05, "final_lr": 0.1, "gamma": 0.1, "clipvalue": 0.5}
    got = student.probe("opt_trajectory", "AdaBound", ada, w0, grads)
    _compare(got, _adabound_np(w0, grads, 0.05, 0.1, 0.1, 0.9, 0.999, 1e-8, clipvalue=0.5),
             "AdaBound(clipvalue=0.5) (pass **kwargs on to super().__init__)", rtol=1e-4, atol=1e-5)


@pytest.mark.points(2)
def test_optimizers_train_a_model_through_fit(student, reference, rng, thresholds):
    k, d = 3, 6
    centers = rng.normal(0, 1.5, size=(k, d))
    y = rng.integers(0, k, size=160)
    x = (centers[y] + rng.normal(size=(160, d))).astype(np.float32)
    y_test = rng.integers(0, k, size=300)
    x_test = (centers[y_test] + rng.normal(size=(300, d))).astype(np.float32)
    seed = int(rng.integers(0, 2**20))
    cases = (("MomentumSGD", {"learning_rate": 0.05, "momentum": 0.9}),
             ("AdaBound", {"learning_rate": 0.05, "final_lr": 0.1}))
    for cls, kwargs in cases:
        got = student.probe("opt_fit", cls, kwargs, seed, x, y, x_test, 4)
        want = reference.probe("opt_fit", cls, kwargs, seed, x, y, x_test, 4)
        for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
            checks.assert_tensor(g, w, expect="array", rtol=1e-3, atol=1e-4,
                                 name=f"weight {i} after 4 epochs of fit with {cls}")
        checks.assert_accuracy(np.asarray(got["predicted"]), y_test, thresholds["min_fit_accuracy"],
                               name=f"held-out accuracy after fit with {cls}")


@pytest.mark.points(1)
def test_built_on_the_new_optimizer_base_class(student, rng):
    w0 = rng.normal(size=(3,)).astype(np.float32)
    grads = _grads(rng, (3,))
    got = student.probe("opt_trajectory", "MomentumSGD", {"learning_rate": 0.02, "momentum": 0.5}, w0, grads)
    _compare(got, _momentum_np(w0, grads, 0.02, 0.5, False), "MomentumSGD")
    for cls in ("MomentumSGD", "AdaBound"):
        kind = student.probe("opt_kind", cls, {})
        if not kind["new_api"]:
            raise checks.CheckFailed(f"{cls} should subclass tf.keras.optimizers.Optimizer (the new API: build, "
                                     "update_step, add_variable_from_reference)")
        if kind["builtin"]:
            raise checks.CheckFailed(f"{cls} subclasses the built-in {', '.join(kind['builtin'])}: write the update "
                                     "rule yourself on tf.keras.optimizers.Optimizer")
    checks.assert_no_forbidden_calls(
        student, "probes.opt_trajectory", ["MomentumSGD", {"learning_rate": 0.1, "momentum": 0.9}, w0, grads[:2]],
        forbidden=["tf.keras.optimizers.SGD.update_step", "tf.keras.optimizers.Adam.update_step",
                   "tf.raw_ops.ResourceApplyKerasMomentum", "tf.raw_ops.ResourceApplyMomentum"],
        why="write the momentum update yourself")
