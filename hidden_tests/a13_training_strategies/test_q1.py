"""Hidden tests for A13 Q1: hand-written gradient descent rules against TensorFlow's optimisers.

The probe builds one problem (an ill-conditioned quadratic plus a log-cosh term) from judge-drawn arrays; the
student's ``optimize`` runs on it in the student's worker and ``tf.keras.optimizers`` run on it in the reference
worker, from the same start. Whole trajectories are compared, so an error in any step shows.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

STEPS = 25
FORBIDDEN = [
    "tf.keras.optimizers.Optimizer.apply_gradients",
    "tf.keras.optimizers.SGD.update_step",
    "tf.keras.optimizers.RMSprop.update_step",
    "tf.keras.optimizers.Adam.update_step",
    "tf.keras.optimizers.AdamW.update_step",
    "tf.raw_ops.ResourceApplyAdam",
    "tf.raw_ops.ResourceApplyKerasMomentum",
    "tf.raw_ops.ResourceApplyRMSProp",
]


def _problem(rng, n=5):
    q = np.linalg.qr(rng.normal(size=(n, n)))[0]
    a = (q @ np.diag(np.geomspace(1.0, 30.0, n)) @ q.T).astype(np.float32)
    return a, rng.normal(size=n).astype(np.float32), rng.normal(size=n).astype(np.float32)


def _match(student, reference, rng, rule, lr, hp, what):
    a, c, w0 = _problem(rng)
    got = student.probe("run_optimize", rule, a, c, w0, STEPS, lr, hp)
    want = reference.probe("keras_optimize", rule, a, c, w0, STEPS, lr, hp)
    checks.assert_tensor(got, want, expect="array", rtol=1e-4, atol=5e-5,
                         name=f"trajectory of optimize({rule!r}) (row t = w after t steps) vs {what} on the same "
                              "problem")
    return got, want


@pytest.mark.points(3)
def test_sgd_momentum_and_nesterov_match_keras_sgd(student, reference, rng):
    _match(student, reference, rng, "sgd", 0.03, {}, "tf.keras.optimizers.SGD")
    _match(student, reference, rng, "momentum", 0.02, {"momentum": 0.9}, "SGD(momentum=0.9)")
    _match(student, reference, rng, "nesterov", 0.02, {"momentum": 0.8},
           "SGD(momentum=0.8, nesterov=True): after v = m*v - lr*g, Nesterov steps by m*v - lr*g")


@pytest.mark.points(2)
def test_rmsprop_matches_keras_with_epsilon_inside_the_root(student, reference, rng):
    _match(student, reference, rng, "rmsprop", 0.05, {"rho": 0.8}, "tf.keras.optimizers.RMSprop")
    _match(student, reference, rng, "rmsprop", 0.05, {"rho": 0.9, "epsilon": 0.1},
           "RMSprop(epsilon=0.1): Keras divides by sqrt(s + epsilon)")


@pytest.mark.points(3)
def test_adam_matches_keras_including_the_epsilon_hat_form(student, reference, rng):
    _match(student, reference, rng, "adam", 0.1, {}, "tf.keras.optimizers.Adam")
    _match(student, reference, rng, "adam", 0.1, {"epsilon": 0.1, "beta_1": 0.8, "beta_2": 0.99},
           "Adam(epsilon=0.1): Keras's epsilon-hat form, alpha = lr*sqrt(1-b2^t)/(1-b1^t), "
           "w -= alpha*m/(sqrt(v)+eps)")


@pytest.mark.points(3)
def test_adamw_decouples_weight_decay_from_l2(student, reference, rng):
    got_w, _ = _match(student, reference, rng, "adamw", 0.1, {"weight_decay": 0.5},
                      "tf.keras.optimizers.AdamW(weight_decay=0.5): decay w -= w*wd*lr first, gradient taken before")
    got_l2, _ = _match(student, reference, rng, "adam_l2", 0.1, {"weight_decay": 0.5},
                       "Adam on loss + wd/2 * sum(w**2) (L2 in the loss, rescaled by Adam)")
    a, c, w0 = _problem(rng)
    w_dec = student.probe("run_optimize", "adamw", a, c, w0, STEPS, 0.1, {"weight_decay": 0.5})
    w_l2 = student.probe("run_optimize", "adam_l2", a, c, w0, STEPS, 0.1, {"weight_decay": 0.5})
    if np.abs(w_dec - w_l2).max() < 1e-3:
        raise checks.CheckFailed("optimize('adamw') and optimize('adam_l2') give the same trajectory: decoupled "
                                 "weight decay acts on w directly, L2 goes through Adam's normalisation")


@pytest.mark.points(2)
def test_rules_are_hand_written_not_keras_optimizers(student, reference, rng):
    a, c, w0 = _problem(rng)
    hp = {"epsilon": 0.1, "weight_decay": 0.2}
    got = student.probe("run_optimize", "adamw", a, c, w0, 6, 0.05, hp)
    want = reference.probe("keras_optimize", "adamw", a, c, w0, 6, 0.05, hp)
    checks.assert_tensor(got, want, expect="array", rtol=1e-4, atol=5e-5, name="trajectory of optimize('adamw')")
    for rule in ("momentum", "adamw"):
        checks.assert_no_forbidden_calls(student, "probes.run_optimize", [rule, a, c, w0, 3, 0.05, hp], FORBIDDEN,
                                         why="write the update rule with tensor arithmetic on w and your own state")


@pytest.mark.points(2)
def test_trajectory_shape_and_start(student, rng):
    a, c, w0 = _problem(rng, n=3)
    got = student.probe("run_optimize", "sgd", a, c, w0, 4, 0.01, {}, raw=True)
    if not isinstance(got, np.ndarray) or got.dtype != np.float32:
        raise checks.CheckFailed("optimize should return the trajectory as a float32 NumPy array")
    if got.shape != (5, 3):
        raise checks.CheckFailed("optimize(..., steps=4) on a 3-vector should return shape (5, 3): w0 and then w "
                                 "after each step", values=f"got shape {got.shape}")
    checks.assert_tensor(got[0], w0, expect="array", rtol=0, atol=0, name="row 0 of the trajectory (w0 itself)")
    if np.abs(got[-1] - got[0]).max() < 1e-4:
        raise checks.CheckFailed("optimize('sgd') did not move w: apply w -= lr * gradient at every step")
