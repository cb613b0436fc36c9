"""Hidden tests for A07 Q3: compile_for_task, judged by what the compiled model computes and how it trains.

The probe builds a fixed two-layer model with the judge's weights; the judge recomputes losses and metrics in NumPy
and scikit-learn from the same weights and inputs, and compares a short training run against the reference's.
"""

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from graders import checks

pytestmark = pytest.mark.question("q3")

def _case(rng, task, n=64, d=6, h=8):
    out = {"binary": 1, "regression": 1}.get(task, int(rng.integers(5, 8)))
    weights = [rng.normal(0, 0.7, size=(d, h)), rng.normal(0, 0.3, size=h), rng.normal(0, 0.9, size=(h, out)),
               rng.normal(0, 0.3, size=out)]
    weights = [w.astype(np.float32) for w in weights]
    x = rng.normal(size=(n, d)).astype(np.float32)
    if task == "binary":
        y = (rng.random((n, 1)) < 0.45).astype(np.float32)
    elif task == "regression":
        y = rng.normal(size=(n, 1)).astype(np.float32)
    else:
        y = rng.integers(0, out, size=n)
        if task == "multiclass_onehot":
            y = np.eye(out, dtype=np.float32)[y]
    return weights, x, y


def _logits(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    return np.maximum(x.astype(np.float64) @ w1 + b1, 0.0) @ w2 + b2


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _expected(task, weights, x, y):
    z = _logits(weights, x)
    if task == "binary":
        p = 1.0 / (1.0 + np.exp(-z))
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        return {"loss": loss, "accuracy": np.mean((p > 0.5) == (y > 0.5)), "auc": roc_auc_score(y.ravel(), p.ravel())}
    if task == "regression":
        err = z - y
        return {"loss": np.mean(err ** 2), "mae": np.mean(np.abs(err)), "rmse": np.sqrt(np.mean(err ** 2))}
    labels = y.argmax(axis=1) if task == "multiclass_onehot" else y
    p = _softmax(z)
    top3 = np.argsort(-z, axis=1)[:, :3]
    return {"loss": -np.mean(np.log(p[np.arange(len(labels)), labels])),
            "accuracy": np.mean(z.argmax(axis=1) == labels),
            "top3": np.mean([label in row for label, row in zip(labels, top3, strict=True)])}


def _check_metrics(got, want, task, head, keys, atol):
    what = f"compile_for_task(model with a {head or 'linear'} output, {task!r})"
    assert isinstance(got, dict), f"{what}: evaluate(return_dict=True) did not give a dict"
    for key in keys:
        assert key in got, f"{what}: evaluate reports {sorted(got)}, with no {key!r} (name the metric {key!r})"
        checks.assert_tensor(np.float64(got[key]), np.float64(want[key]), rtol=0, atol=atol[key],
                             name=f"{what}: {key} after one full-batch evaluate")


@pytest.mark.points(4)
def test_loss_matches_numpy_for_probability_and_logit_heads(student, rng):
    for task, head in (("binary", "sigmoid"), ("binary", None), ("multiclass_sparse", None),
                       ("multiclass_onehot", "softmax"), ("multiclass_onehot", None), ("regression", "linear")):
        weights, x, y = _case(rng, task)
        got = student.probe("q3_evaluate", task, weights, head, x, y)
        _check_metrics(got, _expected(task, weights, x, y), task, head, ["loss"], {"loss": 2e-5})


@pytest.mark.points(4)
def test_metrics_match_numpy_and_sklearn(student, rng):
    atol = {"accuracy": 1e-6, "top3": 1e-6, "auc": 5e-3, "mae": 1e-5, "rmse": 1e-5}
    for task, head, keys in (("multiclass_sparse", "softmax", ["accuracy", "top3"]),
                             ("multiclass_sparse", None, ["accuracy", "top3"]),
                             ("multiclass_onehot", None, ["accuracy", "top3"]),
                             ("binary", None, ["accuracy", "auc"]), ("binary", "sigmoid", ["accuracy", "auc"]),
                             ("regression", "linear", ["mae", "rmse"])):
        weights, x, y = _case(rng, task, n=200)
        got = student.probe("q3_evaluate", task, weights, head, x, y)
        _check_metrics(got, _expected(task, weights, x, y), task, head, keys, atol)


@pytest.mark.points(1)
def test_unknown_task_is_rejected(student, rng):
    weights, x, y = _case(rng, "multiclass_sparse")
    got = student.probe("q3_evaluate", "multiclass_sparse", weights, None, x, y)
    _check_metrics(got, _expected("multiclass_sparse", weights, x, y), "multiclass_sparse", None, ["loss"],
                   {"loss": 2e-5})
    checks.assert_raises(student.probe, "q3_evaluate", "multilabel", weights, None, x, y, exc_type="ValueError")


@pytest.mark.points(4)
def test_training_follows_the_reference(student, reference, rng):
    for task, head in (("multiclass_sparse", None), ("binary", "sigmoid"), ("multiclass_onehot", "softmax"),
                       ("regression", "linear")):
        weights, x, y = _case(rng, task, n=48)
        lr = float(rng.choice([0.003, 0.01, 0.03]))
        got = student.probe("q3_train", task, weights, head, x, y, 3, 16, lr)
        want = reference.probe("q3_train", task, weights, head, x, y, 3, 16, lr)
        what = f"after 3 epochs of fit on compile_for_task(model with a {head or 'linear'} output, {task!r}, lr={lr})"
        for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
            checks.assert_tensor(g, w, rtol=1e-4, atol=2e-5, name=f"{what}: weight {i}")
        checks.assert_tensor(np.asarray(got["loss"]), np.asarray(want["loss"]), rtol=1e-4, atol=1e-5,
                             name=f"{what}: the training losses")


@pytest.mark.points(3)
def test_binary_f1_against_sklearn_and_as_a_keras_metric(student, rng):
    for n in (40, 77):
        y = (rng.random(n) < 0.4).astype(np.float32)
        p = rng.random(n).astype(np.float32)
        p[rng.random(n) < 0.2] = 0.5  # exactly at the threshold: not a positive prediction
        for shape in ((n,), (n, 1)):
            got = student.call("binary_f1", y.reshape(shape), p.reshape(shape))
            checks.assert_tensor(np.asarray(got, np.float64).reshape(()), np.float64(f1_score(y, p > 0.5)),
                                 rtol=1e-5, atol=1e-6, name=f"binary_f1 for labels and probabilities of shape {shape}")
    y = (rng.random(30) < 0.5).astype(np.float32)
    got = student.call("binary_f1", y, np.full(30, 0.2, np.float32))
    checks.assert_tensor(np.asarray(got, np.float64).reshape(()), np.float64(0.0), atol=0,
                         name="binary_f1 when nothing is predicted positive (0, not NaN)")
    weights, x, y = _case(rng, "binary", n=90)
    got = student.probe("q3_f1_metric", weights, x, y)
    p = 1.0 / (1.0 + np.exp(-_logits(weights, x)))
    assert "binary_f1" in got, f"evaluate with metrics=[binary_f1] reported {sorted(got)}"
    checks.assert_tensor(np.float64(got["binary_f1"]), np.float64(f1_score(y.ravel(), p.ravel() > 0.5)),
                         rtol=1e-5, atol=1e-6, name="binary_f1 used as a Keras metric, over one full batch")
