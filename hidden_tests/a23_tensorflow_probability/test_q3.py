"""Hidden tests for A23 Q3: uncertainty quantification (ECE, temperature scaling on held-out data, decomposition)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _ece(probs, labels, n_bins):
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    bins = np.minimum(np.floor(confidence.astype(np.float32) * np.float32(n_bins)).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return total / len(labels)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _overconfident(rng, n, classes=4, sharpen=3.0):
    """Labels drawn judge-side from softmax(z); the model reports sharpen * z (overconfident by `sharpen`)."""
    z = 1.2 * rng.normal(size=(n, classes))
    p = _softmax(z)
    labels = (rng.uniform(size=(n, 1)) > np.cumsum(p, axis=1)).sum(axis=1)
    return (sharpen * z).astype(np.float32), labels.astype(np.int64)


@pytest.mark.points(2)
def test_ece_matches_the_binned_definition(student, rng):
    for n_bins in (10, 15):
        probs = rng.dirichlet(np.full(5, 0.4), size=300).astype(np.float32)
        probs[:20] = np.eye(5, dtype=np.float32)[rng.integers(0, 5, size=20)]   # confidence exactly 1: last bin
        labels = rng.integers(0, 5, size=300)
        labels[:150] = probs[:150].argmax(axis=1)
        got = student.call("expected_calibration_error", probs, labels, n_bins)
        checks.assert_value(got, _ece(probs.astype(np.float64), labels, n_bins), rtol=1e-4, atol=1e-5,
                            name=f"expected_calibration_error(probs, labels, n_bins={n_bins})")
    probs = np.full((8, 2), 0.5, np.float32)
    probs[:, 0] += 0.25
    probs[:, 1] -= 0.25
    got = student.call("expected_calibration_error", probs, np.array([0] * 6 + [1] * 2), 10)
    checks.assert_value(got, 0.0, atol=1e-6, name="ECE of a perfectly calibrated 75%-confident classifier")


@pytest.mark.points(4)
def test_temperature_scaling_lowers_held_out_ece(student, rng, thresholds):
    cal_logits, cal_labels = _overconfident(rng, 3000)
    temperature = student.call("fit_temperature", cal_logits, cal_labels)
    assert isinstance(temperature, float), f"fit_temperature should return a Python float, got {type(temperature)}"
    low, high = thresholds["temperature_range"]
    assert low <= temperature <= high, (
        f"the logits are 3x too sharp, so the fitted temperature should be near 3 (in [{low}, {high}]); got "
        f"{temperature:.3f}")
    # Held-out split: logits and labels are generated here and never enter the worker.
    test_logits, test_labels = _overconfident(rng, 6000)
    before = _ece(_softmax(test_logits.astype(np.float64)), test_labels, 15)
    after = _ece(_softmax(test_logits.astype(np.float64) / temperature), test_labels, 15)
    assert after <= thresholds["max_calibrated_ece"], (
        f"held-out ECE after temperature scaling is {after:.4f}, above {thresholds['max_calibrated_ece']}")
    assert after <= thresholds["max_ece_ratio"] * before, (
        f"temperature scaling should cut the held-out ECE by half or more: {before:.4f} -> {after:.4f}")


@pytest.mark.points(2)
def test_uncertainty_decomposition_matches_entropies(student, rng):
    member = rng.dirichlet(np.full(3, 0.7), size=(6, 12)).astype(np.float32)
    member[:, 0] = member[0, 0]                                   # example 0: all members agree
    got = student.probe("decomposition", member)
    assert isinstance(got, dict), "uncertainty_decomposition should return a dict"

    def entropy(p):
        return -(p * np.log(np.clip(p, 1e-30, None))).sum(axis=-1)

    m = member.astype(np.float64)
    total = entropy(m.mean(axis=0))
    aleatoric = entropy(m).mean(axis=0)
    for key, want in (("total", total), ("aleatoric", aleatoric), ("epistemic", total - aleatoric)):
        assert key in got, f"uncertainty_decomposition should have the key {key!r}"
        checks.assert_tensor(got[key], want.astype(np.float32), expect="tensor", dtype="float32", rtol=1e-4,
                             atol=1e-5, name=f"uncertainty_decomposition(member_probs)[{key!r}]")
    assert abs(float(np.asarray(got["epistemic"])[0])) < 1e-5, "epistemic uncertainty is 0 when all members agree"


def test_epistemic_part_grows_with_disagreement(student, rng):
    # The same mean prediction, from members that agree (left) or disagree (right): only the epistemic part differs.
    n = 10
    agree = np.tile(np.array([0.5, 0.5], np.float32), (4, n, 1))
    disagree = np.stack([np.tile([0.9, 0.1], (n, 1)), np.tile([0.1, 0.9], (n, 1))] * 2).astype(np.float32)
    a = student.probe("decomposition", agree)
    d = student.probe("decomposition", disagree)
    checks.assert_tensor(d["total"], np.asarray(a["total"]), rtol=1e-4, atol=1e-5,
                         name="total entropy of two ensembles with the same mean prediction")
    assert np.all(np.asarray(d["epistemic"]) > np.asarray(a["epistemic"]) + 0.3), (
        "members that disagree (0.9/0.1 vs 0.1/0.9) should have a larger epistemic part than members that agree")
    assert np.all(np.asarray(d["aleatoric"]) < np.asarray(a["aleatoric"])), (
        "confident members (0.9/0.1) have a smaller aleatoric part than members that say 0.5/0.5")
