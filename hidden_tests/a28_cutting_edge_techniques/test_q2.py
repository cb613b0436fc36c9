"""Hidden tests for A28 Q2: the MAML meta-gradient against the analytic second- and first-order expressions on a
linear model and against central finite differences on an MLP (the grader's own float64 code in the reference
worker), a functional inner loop, and meta-training whose adaptation gain is measured by the grader's own adaptation
of the weights returned, on held-out sinusoid tasks."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")


def _init(rng, sizes, dtype=np.float64, bias=0.1, gain=1.0):
    params = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        params += [(rng.normal(size=(a, b)) * gain * np.sqrt(2 / a)).astype(dtype),
                   (rng.normal(size=b) * bias).astype(dtype)]
    return params


def _sin_tasks(rng, n, k=10, dtype=np.float64):
    tasks = []
    for _ in range(n):
        amp, phase = rng.uniform(0.1, 5.0), rng.uniform(0.0, np.pi)
        x_s, x_q = rng.uniform(-5, 5, size=(k, 1)), rng.uniform(-5, 5, size=(k, 1))
        tasks.append([a.astype(dtype) for a in (x_s, amp * np.sin(x_s + phase), x_q, amp * np.sin(x_q + phase))])
    return tasks


def _linear_meta_gradient(w, b, tasks, lr, first_order):
    grads = np.zeros(2)
    for x_s, y_s, x_q, y_q in tasks:
        x_s, y_s, x_q, y_q = (a.ravel() for a in (x_s, y_s, x_q, y_q))
        r = w * x_s + b - y_s
        g_s = np.array([2 * np.mean(r * x_s), 2 * np.mean(r)])
        h_s = 2 * np.array([[np.mean(x_s * x_s), np.mean(x_s)], [np.mean(x_s), 1.0]])
        w2, b2 = np.array([w, b]) - lr * g_s
        rq = w2 * x_q + b2 - y_q
        g_q = np.array([2 * np.mean(rq * x_q), 2 * np.mean(rq)])
        grads += g_q if first_order else (np.eye(2) - lr * h_s) @ g_q
    return grads / len(tasks)


@pytest.mark.points(3)
def test_meta_gradient_matches_the_analytic_second_and_first_order_expressions(student, rng):
    w, b = float(rng.normal()), float(rng.normal())
    tasks = _sin_tasks(rng, 4)
    params = [np.array([[w]]), np.array([b])]
    lr = 0.05
    for first_order in (False, True):
        got = student.call("maml_meta_gradient", params, tasks, lr, 1, first_order)
        assert isinstance(got, (list, tuple)) and len(got) == 2, "one gradient per parameter"
        flat = np.array([float(np.asarray(got[0]).ravel()[0]), float(np.asarray(got[1]).ravel()[0])])
        kind = "first-order (FOMAML)" if first_order else "second-order (MAML)"
        checks.assert_tensor(flat, _linear_meta_gradient(w, b, tasks, lr, first_order), expect="any", rtol=1e-6,
                             atol=1e-8, name=f"{kind} meta-gradient of a linear model [dw, db]")


@pytest.mark.points(3)
def test_mlp_meta_gradient_matches_finite_differences(student, reference, rng):
    params = _init(rng, (1, 8, 8, 1))
    tasks = _sin_tasks(rng, 3, k=6)
    lr, steps = 0.01, 2
    got = student.call("maml_meta_gradient", params, tasks, lr, steps, False)
    assert isinstance(got, (list, tuple)) and len(got) == len(params), "one gradient per parameter"
    coords = [(int(i), int(rng.integers(params[i].size))) for i in rng.integers(0, len(params), size=8)]
    fd = reference.probe("fd_meta_gradient", params, tasks, lr, steps, coords, 1e-6)
    mine = [float(np.asarray(got[i]).reshape(-1)[j]) for i, j in coords]
    checks.assert_tensor(np.array(mine), np.array(fd), expect="any", rtol=1e-4, atol=1e-6,
                         name="meta-gradient (2 inner steps, second order) vs central finite differences at 8 "
                              "coordinates")


@pytest.mark.points(2)
def test_adapt_is_functional(student, reference, rng):
    params = _init(rng, (1, 6, 1))
    x_s, y_s, _xq, _yq = _sin_tasks(rng, 1)[0]
    got = student.probe("adapt_with_variables", params, x_s, y_s, 0.02, 3)
    for k, (before, after) in enumerate(zip(params, got["after"], strict=True)):
        checks.assert_tensor(np.asarray(after), before, expect="any", atol=0, rtol=0,
                             name=f"parameter {k} after adapt (a tf.Variable must not be assigned to)")
    want = reference.call("adapt", params, x_s, y_s, 0.02, 3)
    for k, (g, w) in enumerate(zip(got["out"], want, strict=True)):
        checks.assert_tensor(np.asarray(g), np.asarray(w), expect="any", rtol=1e-6, atol=1e-9,
                             name=f"adapted parameter {k} after 3 inner steps")


@pytest.mark.points(2)
def test_meta_training_gives_an_adaptation_gain_on_held_out_tasks(student, reference, rng, thresholds):
    params = _init(rng, (1, 40, 40, 1), np.float32, bias=0.0, gain=0.6)
    meta_steps, meta_batch, inner_lr = 200, 5, 0.01
    got = student.probe("meta_train_run", params, int(rng.integers(1 << 30)), meta_steps, meta_batch, inner_lr, 0.01)
    assert got["calls"] == [meta_batch] * meta_steps, \
        "maml_train draws sample_tasks(meta_batch) once per meta-step"
    held_out = _sin_tasks(rng, 100, dtype=np.float32)
    before, after = reference.probe("adapted_mse", got["params"], held_out, inner_lr)
    _init_before, init_after = reference.probe("adapted_mse", params, held_out, inner_lr)
    assert after <= thresholds["max_adapted_mse_ratio"] * before, \
        (f"one adaptation step on held-out tasks took the query MSE from {before:.3f} to {after:.3f}: meta-training "
         "should make one step help")
    assert after <= 0.85 * init_after, \
        f"after one step the meta-trained weights reach {after:.3f}, the initial weights {init_after:.3f}"
