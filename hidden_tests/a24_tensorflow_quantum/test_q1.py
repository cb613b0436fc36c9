"""Hidden tests for A24 Q1: a quantum feature map, its fidelity kernel, a QSVM and a variational classifier.

States of the student's circuits are simulated in the worker with cirq and compared here with a NumPy
state-vector simulation of the specified feature map. The labelled data are made here too: labels are
the sign of ``<Z_0>`` after a hidden random 2-layer ansatz applied to the feature-map state, so a kernel
method and a PQC of the specified family can both learn them, while an RBF SVM sits near chance.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

N_QUBITS = 3
_H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)


def _rz(t):
    return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])


def _rx(t):
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


def _ry(t):
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.array([[c, -s], [s, c]])


def _apply(psi, gate, i, n):
    psi = np.tensordot(gate, psi.reshape([2] * n), axes=([1], [i]))
    return np.moveaxis(psi, 0, i).reshape(-1)


def _cnot(psi, c, t, n):
    psi = psi.reshape([2] * n).copy()
    index = [slice(None)] * n
    index[c] = 1
    psi[tuple(index)] = np.flip(psi[tuple(index)], axis=t if t < c else t - 1)
    return psi.reshape(-1)


def _cz(psi, a, b, n):
    psi = psi.reshape([2] * n).copy()
    index = [slice(None)] * n
    index[a] = index[b] = 1
    psi[tuple(index)] *= -1
    return psi.reshape(-1)


def feature_state(x, reps=2):
    """The specified IQP feature map, simulated with NumPy (qubit 0 most significant)."""
    n = len(x)
    psi = np.zeros(2**n, complex)
    psi[0] = 1
    for _ in range(reps):
        for i in range(n):
            psi = _apply(psi, _H, i, n)
        for i in range(n):
            psi = _apply(psi, _rz(x[i]), i, n)
        for i in range(n - 1):
            psi = _cnot(psi, i, i + 1, n)
            psi = _apply(psi, _rz(x[i] * x[i + 1]), i + 1, n)
            psi = _cnot(psi, i, i + 1, n)
    return psi


def teacher_data(rng, n, n_qubits=N_QUBITS, layers=2, margin=0.2):
    """Labels = sign <Z_0> after a hidden rx/ry/CZ ansatz; points closer than ``margin`` to the boundary dropped."""
    weights = rng.uniform(0, 2 * np.pi, 2 * n_qubits * layers)
    z0 = np.array([1.0 if (k >> (n_qubits - 1)) & 1 == 0 else -1.0 for k in range(2**n_qubits)])
    X, y = [], []
    while len(X) < n:
        x = rng.uniform(0, 2 * np.pi, n_qubits)
        psi, k = feature_state(x), 0
        for _ in range(layers):
            for i in range(n_qubits):
                psi = _apply(_apply(psi, _rx(weights[k]), i, n_qubits), _ry(weights[k + 1]), i, n_qubits)
                k += 2
            for i in range(n_qubits - 1):
                psi = _cz(psi, i, i + 1, n_qubits)
        value = float(np.sum(z0 * np.abs(psi) ** 2))
        if abs(value) >= margin:
            X.append(x)
            y.append(int(value > 0))
    return np.array(X), np.array(y, np.int64)


def _fidelities(got, want):
    got, want = np.asarray(got, np.complex128), np.asarray(want, np.complex128)
    return np.abs(np.sum(got.conj() * want, axis=-1)) ** 2


@pytest.mark.points(3)
def test_feature_map_states_match_the_specification(student, rng):
    for reps in (1, 2):
        X = rng.uniform(0, 2 * np.pi, size=(4, N_QUBITS))
        got = student.probe("feature_states", X, reps)
        assert got["serialize_error"] == "", (
            f"tfq.convert_to_tensor failed on feature_map circuits: {got['serialize_error']}")
        assert got["symbols"] == 0, "feature_map must bind the numeric angles (no sympy symbols)"
        want = np.stack([feature_state(x, reps) for x in X])
        fidelity = _fidelities(got["states"], want)
        assert fidelity.min() > 1 - 1e-5, (
            f"feature_map(x, qubits, reps={reps}) prepares a different state (fidelity {fidelity.min():.4f} with "
            "the specified H, rz(x_i), CNOT-rz(x_i*x_(i+1))-CNOT repetition)")


@pytest.mark.points(3)
def test_kernel_is_the_state_fidelity(student, rng):
    XA = rng.uniform(0, 2 * np.pi, size=(5, N_QUBITS))
    XB = rng.uniform(0, 2 * np.pi, size=(7, N_QUBITS))
    states_a = np.stack([feature_state(x) for x in XA])
    states_b = np.stack([feature_state(x) for x in XB])
    want = np.abs(states_a.conj() @ states_b.T) ** 2
    checks.assert_tensor(student.probe("kernel", XA, XB), want, rtol=0, atol=1e-4,
                         name="quantum_kernel(XA, XB) with XA of 5 rows and XB of 7 rows")
    square = np.asarray(student.probe("kernel", XA, XA), np.float64)
    assert np.allclose(np.diag(square), 1.0, atol=1e-4), "K(x, x) must be 1 (normalized states)"
    assert np.allclose(square, square.T, atol=1e-5), "the kernel of a set with itself must be symmetric"
    assert np.linalg.eigvalsh((square + square.T) / 2).min() > -1e-4, "the kernel matrix must be positive semi-definite"


@pytest.mark.points(2)
def test_qsvm_accuracy_on_held_out_points(student, rng, thresholds):
    X, y = teacher_data(rng, 140)
    got = student.probe("classify", "fit_predict_qsvm", X[:80], y[:80], X[80:])
    checks.assert_accuracy(got["pred"], y[80:], thresholds["min_qsvm_accuracy"],
                           name="fit_predict_qsvm accuracy (precomputed quantum kernel)")


@pytest.mark.points(2)
def test_vqc_accuracy_with_a_pqc_layer(student, rng, thresholds):
    X, y = teacher_data(rng, 140)
    got = student.probe("classify", "fit_predict_vqc", X[:80], y[:80], X[80:])
    assert got["layers"]["PQC"] >= 1, "fit_predict_vqc must train a tfq.layers.PQC model"
    checks.assert_accuracy(got["pred"], y[80:], thresholds["min_vqc_accuracy"],
                           name="fit_predict_vqc accuracy")
    knocked_out = student.probe("classify", "fit_predict_vqc", X[:80], y[:80], X[80:], knockout=True)
    assert (knocked_out["pred"] == y[80:]).mean() <= thresholds["max_knocked_out_accuracy"], (
        "fit_predict_vqc stays accurate when every tfq.layers.PQC outputs zeros: its predictions must come from "
        "the PQC's expectation values, not from another model")
