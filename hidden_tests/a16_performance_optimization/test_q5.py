"""Hidden tests for A16 Q5: hyperparameter optimization with keras-tuner 1.3.5, Hyperband and successive halving."""

import math

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q5")


def _digits(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    o = np.random.default_rng(split_seed).permutation(len(y))
    x = disguise(x, fit=x[o[:1000]], seed=split_seed + 1607)  # no held-out row can be looked up in the dataset
    return x[o[:1000]], y[o[:1000]], x[o[1000:1400]], y[o[1000:1400]], x[o[1400:]], y[o[1400:]]


@pytest.mark.points(3)
def test_search_space_names_ranges_and_conditions(student, reference):
    values = {"num_layers": 3, "units_0": 32, "units_1": 64, "units_2": 128, "activation": "tanh", "dropout": True,
              "dropout_rate": 0.3, "learning_rate": 0.002}
    got = student.probe("hp_space", values)
    want = reference.probe("hp_space", values)
    checks.assert_value(got["space"], want["space"], rtol=1e-9,
                        name="the hyperparameters build_model registers on a fresh kt.HyperParameters()")
    checks.assert_value(got["space_after"], want["space_after"], rtol=1e-9,
                        name="the hyperparameters after building with num_layers=3 and dropout=True")
    checks.assert_value(got["model"], want["model"], rtol=1e-6,
                        name="the model built with num_layers=3, units 32/64/128, tanh, dropout 0.3, lr 0.002")
    checks.assert_value(got["default_model"]["out_shape"], [1, 10], name="output shape (10 logits)")


@pytest.mark.points(1)
def test_dropout_rate_is_conditional_on_dropout(student):
    got = student.probe("hp_space", {"dropout": True, "dropout_rate": 0.2})
    assert got["rate_active_when_on"], "dropout_rate should be active when dropout is True"
    assert not got["rate_active_when_off"], (
        "dropout_rate should be inactive when dropout is False: register it inside "
        "hp.conditional_scope('dropout', [True])")


@pytest.mark.points(3)
def test_random_search_finds_a_good_model(student, thresholds):
    x, y, x_val, y_val, x_test, y_test = _digits()
    report = student.probe("tuner_report", x, y, x_val, y_val, x_test, "random", 3, 3)
    assert report["type"] == "RandomSearch", f"algorithm='random' should use kt.RandomSearch, got {report['type']}"
    assert report["objective"] == "val_accuracy", f"the objective is {report['objective']}, expected val_accuracy"
    assert report["trials"] == 3 and report["completed"] == 3, (
        f"max_trials=3 should run 3 trials, got {report['trials']} ({report['completed']} completed)")
    assert report["directory_used"], "the tuner should write its trials into the given directory"
    checks.assert_accuracy(np.asarray(report["pred"]), y_test, thresholds["min_tuned_accuracy"],
                           name=f"held-out accuracy of the tuner's best model {report['best_values']}")


@pytest.mark.points(1)
def test_bayesian_optimization_runs(student):
    x, y, x_val, y_val, x_test, _ = _digits()
    report = student.probe("tuner_report", x[:300], y[:300], x_val[:100], y_val[:100], x_test[:10], "bayesian", 2, 1)
    assert report["type"] == "BayesianOptimization", f"algorithm='bayesian' gave a {report['type']}"
    assert report["trials"] == 2, f"max_trials=2 ran {report['trials']} trials"


def _hyperband(R, eta):
    s_max = 0
    while eta ** (s_max + 1) <= R:
        s_max += 1
    out = []
    for s in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) / (s + 1) * eta ** s)
        out.append([[int(n // eta ** i), float(R / eta ** s * eta ** i)] for i in range(s + 1)])
    return out


@pytest.mark.points(1)
def test_hyperband_brackets(student):
    canonical = [[[81, 1.0], [27, 3.0], [9, 9.0], [3, 27.0], [1, 81.0]], [[34, 3.0], [11, 9.0], [3, 27.0], [1, 81.0]],
                 [[15, 9.0], [5, 27.0], [1, 81.0]], [[8, 27.0], [2, 81.0]], [[5, 81.0]]]  # Li et al. (2018), Table 1
    assert _hyperband(81, 3) == canonical
    for R, eta in ((81, 3), (27, 3), (16, 2), (100, 4)):
        got = student.call("hyperband_brackets", R, eta)
        got = [[list(pair) for pair in bracket] for bracket in got] if isinstance(got, list) else got
        checks.assert_value(got, _hyperband(R, eta), rtol=1e-9, name=f"hyperband_brackets({R}, {eta})")


@pytest.mark.points(1)
def test_successive_halving(student, reference, rng):
    for n, eta in ((27, 3), (10, 2), (7, 3)):
        scores = [float(v) for v in rng.permutation(n)]
        got = student.probe("halving", scores, 1.0, eta)
        want = reference.probe("halving", scores, 1.0, eta)
        assert got["best"] == int(np.argmax(scores)), f"successive halving over {n} configs picked {got['best']}"
        checks.assert_value(got["log"], want["log"], name=f"the (config, budget) evaluations for n={n}, eta={eta}")
        checks.assert_value(got["total"], want["total"], rtol=1e-9, name="the total budget used")
