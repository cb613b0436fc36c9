"""Hidden tests for A24 Q5: a Dense -> ControlledPQC -> Dense hybrid model on the two-moons data."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from graders import checks

pytestmark = pytest.mark.question("q5")


@pytest.mark.points(2)
def test_structure_classical_quantum_classical(student, rng):
    X = rng.normal(size=(6, 2)).astype(np.float32)
    got = student.probe("hybrid_structure", 2, 2, X)
    layers = got["layers"]
    assert got["n_inputs"] == 2, "build_hybrid takes two inputs: [circuits (tf.string), features]"
    quantum = [i for i, name in enumerate(layers) if name in ("ControlledPQC", "PQC")]
    assert quantum, f"no tfq.layers.ControlledPQC in the model (layers: {layers})"
    assert "Dense" in layers[: quantum[0]], "a Dense layer must compute the circuit's angles before the quantum layer"
    assert "Dense" in layers[quantum[-1] + 1:], "a Dense layer must read the expectation values after the quantum layer"
    out = np.asarray(got["out"])
    assert out.shape == (6, 1), f"expected output shape (6, 1), got {out.shape}"
    assert np.all((out >= 0) & (out <= 1)), "the output is a probability (sigmoid)"


@pytest.mark.points(3)
def test_gradients_reach_every_variable(student, rng):
    X, y = make_moons(32, noise=0.1, random_state=int(rng.integers(1 << 30)))
    got = student.probe("hybrid_gradients", 2, 2, X, y, [0], 0.05)
    missing = [name for name, norm in zip(got["names"], got["norms"], strict=True) if norm is None or norm == 0]
    assert len(got["names"]) >= 4, "expected trainable Dense kernels and biases before and after the quantum layer"
    assert not missing, (f"no gradient reaches {missing}: the loss must be differentiable through the quantum layer "
                         "(a differentiator on ControlledPQC, no .numpy() in between)")


@pytest.mark.points(2)
def test_gradient_through_the_quantum_layer_matches_finite_differences(student, rng):
    X, y = make_moons(32, noise=0.1, random_state=int(rng.integers(1 << 30)))
    entries = [0, 1, 2, 3, 5]
    got = student.probe("hybrid_gradients", 2, 2, X, y, entries, 0.02)
    analytic, numeric = np.asarray(got["analytic"]), np.asarray(got["numeric"])
    assert np.all(np.isfinite(analytic)), "the gradient of the first Dense kernel is missing"
    checks.assert_tensor(analytic, numeric, rtol=0.05, atol=2e-3,
                         name="dLoss/d(first Dense kernel) (tape gradient vs central finite differences of the loss)")


@pytest.mark.points(3)
def test_moons_accuracy(student, rng, thresholds):
    X, y = make_moons(260, noise=0.1, random_state=int(rng.integers(1 << 30)))
    got = student.probe("hybrid_predict", X[:160], y[:160], X[160:], 2)
    assert got["layers"]["ControlledPQC"] + got["layers"]["PQC"] >= 1, "fit_predict_hybrid must train the hybrid model"
    checks.assert_accuracy(got["pred"], y[160:], thresholds["min_moons_accuracy"], name="hybrid moons accuracy")
    knocked_out = student.probe("hybrid_predict", X[:160], y[:160], X[160:], 2, knockout=True)
    assert (knocked_out["pred"] == y[160:]).mean() <= thresholds["max_knocked_out_accuracy"], (
        "fit_predict_hybrid stays accurate when its ControlledPQC outputs zeros: the classical layers must feed "
        "the quantum layer and read its expectation values, not go around it")
