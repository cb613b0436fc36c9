"""Hidden tests for A16 Q1: gradual magnitude pruning with tfmot, sparsity, compression, structured pruning."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q1")

_REPORTS = {}


def _digits(split_seed=0):
    """Digits scaled to [0, 1]: 1400 training rows for the worker, 397 held-out rows whose labels stay here."""
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    x = disguise(x, fit=x[order[:1400]], seed=split_seed + 1607)  # no held-out row can be looked up in the dataset
    return x[order[:1400]], y[order[:1400]], x[order[1400:]], y[order[1400:]]


def _prune_report(student):
    """One pruning run per grading (it trains): a fresh copy of the probe's trained baseline, 90% sparsity, 6 epochs."""
    key = id(student)
    if key not in _REPORTS:
        x, y, x_test, y_test = _digits()
        _REPORTS[key] = (student.probe("prune_report", x, y, x_test, 0.9, 6), y_test)
    report, y_test = _REPORTS[key]
    if not report["is_model"]:
        raise checks.CheckFailed(f"gradual_prune should return a tf.keras.Model, got a {report['type']}")
    return report, y_test


@pytest.mark.points(3)
def test_gradual_prune_reaches_target_sparsity_and_strips_wrappers(student):
    report, _ = _prune_report(student)
    wrapped = [name for name in report["layers"] if "Prune" in name]
    assert not wrapped, (f"the returned model still has pruning wrappers {wrapped}: return "
                         "tfmot.sparsity.keras.strip_pruning(pruned_model)")
    assert len(report["sparsity"]) == 3, (
        f"expected the 3 Dense layers of the baseline, got kernels {report['kernel_shapes']}")
    for shape, sparsity in zip(report["kernel_shapes"], report["sparsity"], strict=True):
        assert sparsity >= 0.89, (
            f"the Dense kernel of shape {shape} is only {sparsity:.1%} zeros after gradual_prune(..., "
            "target_sparsity=0.9, epochs=6): derive the PolynomialDecay end_step from ceil(len(x) / batch_size) * "
            "epochs (begin_step=1000, end_step=5000 never starts on a small data set) and pass UpdatePruningStep()")


@pytest.mark.points(4)
def test_pruned_model_keeps_accuracy_at_90_percent_sparsity(student, thresholds):
    report, y_test = _prune_report(student)
    # Keeping the accuracy is only worth points at the sparsity: the dense baseline itself (gradual_prune returning
    # its input, or never pruning) keeps it trivially.
    sparsity = report["sparsity"]
    assert len(sparsity) == 3 and min(sparsity) >= 0.85, (
        f"the returned model's Dense kernels are {', '.join(f'{s:.1%}' for s in sparsity) or 'missing'} zeros: "
        "its accuracy counts only once gradual_prune(..., target_sparsity=0.9) has pruned every Dense kernel")
    base = float(np.mean(np.asarray(report["base_pred"]) == y_test))
    checks.assert_accuracy(np.asarray(report["pred"]), y_test, thresholds["min_pruned_accuracy"],
                           name=f"held-out accuracy of the 90%-sparse model (the dense baseline has {base:.3f}; "
                                "prune gradually while fine-tuning, not in one shot)")


@pytest.mark.points(1)
def test_pruned_weights_compress(student, thresholds):
    report, _ = _prune_report(student)
    ratio = report["gzip"] / report["base_gzip"]
    assert ratio <= thresholds["max_gzip_ratio"], (
        f"gzip of the pruned weights is {ratio:.2f} of the dense weights' (at most {thresholds['max_gzip_ratio']} "
        "expected): the zeros must really be in the kernels you return")


@pytest.mark.points(1)
def test_kernel_sparsity_matches_numpy(student, rng):
    hidden = [12, 7]
    shapes = [(64, 12), (12,), (12, 7), (7,), (7, 10), (10,)]
    weights = [rng.normal(size=s).astype(np.float32) for s in shapes]
    for i in (0, 2, 4):
        weights[i][rng.random(shapes[i]) < rng.uniform(0.1, 0.9)] = 0.0
    weights[1][:] = 0.0  # a zero bias must not count
    got = student.probe("sparsity_of", hidden, weights)
    want = {name: float(np.mean(weights[2 * k] == 0)) for k, name in enumerate(got["names"])}
    checks.assert_value(got["result"], want, rtol=1e-9, atol=1e-9,
                        name="kernel_sparsity(model) (fraction of exact zeros of each Dense kernel, biases excluded)")


@pytest.mark.points(1)
def test_prune_dense_units_removes_the_weakest_units(student, rng):
    hidden = [12, 8]
    shapes = [(64, 12), (12,), (12, 8), (8,), (8, 10), (10,)]
    weights = [rng.normal(size=s).astype(np.float32) for s in shapes]
    weak = np.sort(rng.choice(12, size=6, replace=False))
    weights[0][:, weak] *= 0.01  # the 6 least important units of the first hidden layer (smallest L1 norm)...
    weights[2][weak, :] = 0.0    # ...have no effect downstream, so removing them must not change the outputs
    keep = np.setdiff1d(np.arange(12), weak)
    x = rng.normal(size=(16, 64)).astype(np.float32)
    got = student.probe("structured_prune", hidden, weights, 0, 0.5, x)
    assert got["units"] == [6, 8, 10], (
        f"prune_dense_units(model, first hidden layer, 0.5): Dense units {got['units']}, expected [6, 8, 10]")
    assert got["activations"][:2] == ["relu", "relu"], f"activations changed: {got['activations']}"
    assert got["params"] == 64 * 6 + 6 + 6 * 8 + 8 + 8 * 10 + 10, f"parameter count {got['params']} is wrong"
    checks.assert_tensor(got["kernels"][0], weights[0][:, keep], atol=0,
                         name="the pruned layer's kernel (the kept columns, in their original order)")
    checks.assert_tensor(got["out"], got["original"], rtol=1e-5, atol=1e-5,
                         name="outputs after removing units whose outgoing weights are zero (should not change)")
    assert got["input_unchanged"], "prune_dense_units must not modify the model it is given"
