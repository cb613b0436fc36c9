"""Hidden tests for A24 Q2: a hardware-efficient ansatz, a PQC model and ControlledPQC gradients.

Gradients of every TFQ differentiator are checked against a parameter-shift rule computed here from
states that cirq's simulator (not TFQ) produced in the worker at the shifted parameter values.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

_PAULI = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
          "Z": np.diag([1.0, -1.0])}


def _ry(t):
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.array([[c, -s], [s, c]])


def _rz(t):
    return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])


def _apply(psi, gate, i, n):
    psi = np.tensordot(gate, psi.reshape([2] * n), axes=([1], [i]))
    return np.moveaxis(psi, 0, i).reshape(-1)


def _cz(psi, a, b, n):
    psi = psi.reshape([2] * n).copy()
    index = [slice(None)] * n
    index[a] = index[b] = 1
    psi[tuple(index)] *= -1
    return psi.reshape(-1)


def ansatz_state(values, n, layers):
    psi = np.zeros(2**n, complex)
    psi[0] = 1
    k = 0
    for _ in range(layers):
        for i in range(n):
            psi = _apply(psi, _ry(values[k + i]), i, n)
        k += n
        for i in range(n):
            psi = _apply(psi, _rz(values[k + i]), i, n)
        k += n
        for i in range(n - 1):
            psi = _cz(psi, i, i + 1, n)
    return psi


def pauli_matrix(terms):
    total = 0
    for coefficient, word in terms:
        m = np.array([[1.0]])
        for c in word:
            m = np.kron(m, _PAULI[c])
        total = total + coefficient * m
    return total


@pytest.mark.points(3)
def test_ansatz_symbols_and_state(student, rng):
    n, layers = 3, 2
    values = rng.uniform(-np.pi, np.pi, size=2 * n * layers)
    got = student.probe("ansatz", n, layers, values)
    want_names = [f"theta_{k}" for k in range(2 * n * layers)]
    assert got["names"] == want_names, (
        f"hardware_efficient_ansatz(qubits, {layers}) should return the symbols {want_names[:3]}... in order of "
        f"appearance, got {got['names'][:6]}")
    assert got["circuit_symbols"] == sorted(want_names), "the circuit must use exactly the returned symbols"
    fidelity = abs(np.vdot(np.asarray(got["state"]), ansatz_state(values, n, layers))) ** 2
    assert fidelity > 1 - 1e-6, (
        f"the ansatz prepares a different state (fidelity {fidelity:.4f}); each layer is ry on every qubit, rz on "
        "every qubit, then CZ(q_i, q_i+1)")


@pytest.mark.points(3)
def test_qnn_outputs_match_cirq(student, rng):
    n, layers = 3, 2
    X = rng.uniform(0, np.pi, size=(4, n))
    got = student.probe("qnn", n, layers, X)
    assert got["n_pqc"] == 1, f"build_qnn should contain exactly one tfq.layers.PQC layer, found {got['n_pqc']}"
    assert got["trainable"] == 2 * n * layers, (
        f"the model should have {2 * n * layers} trainable weights (one per symbol), got {got['trainable']}")
    out = np.asarray(got["out"])
    assert out.shape == (4, n), f"expected outputs of shape (4, {n}) (one <Z_i> per qubit), got {out.shape}"
    assert np.all(np.abs(out) <= 1 + 1e-5), "expectation values of Z must lie in [-1, 1]"
    checks.assert_tensor(got["out"], np.asarray(got["cirq"]), rtol=0, atol=1e-4,
                         name="build_qnn outputs (compared with cirq's simulator on the same circuits and weights)")


SPEC_NAMES = ["phi", "alpha", "theta_10", "theta_2", "beta"]  # sorted order differs from this order
SPEC = [["ry", [0], "phi"], ["rx", [1], "alpha"], ["h", [2], 0], ["cnot", [0, 1], 0], ["rz", [1], "theta_10"],
        ["ry", [2], "theta_2"], ["cz", [1, 2], 0], ["rx", [0], "beta"], ["ry", [1], "phi"], ["cnot", [2, 0], 0]]
OPERATORS = [[[1.0, "ZII"]], [[0.5, "IXX"], [-0.7, "ZIZ"]]]


@pytest.mark.parametrize("differentiator, atol", [("adjoint", 1e-4), ("parameter_shift", 1e-4),
                                                  ("central_difference", 2e-3)])
@pytest.mark.points(2)
def test_gradient_agrees_with_parameter_shift(student, rng, differentiator, atol):
    values = rng.uniform(-np.pi, np.pi, size=(3, len(SPEC_NAMES)))
    got = student.probe("controlled", 3, SPEC, SPEC_NAMES, values, OPERATORS, differentiator)
    states = np.asarray(student.probe("shifted_states", 3, SPEC, SPEC_NAMES, values))
    observables = [pauli_matrix(terms) for terms in OPERATORS]
    expect = np.einsum("bpi,oij,bpj->bpo", states.conj(), np.stack(observables), states).real  # (B, 1+2S, M)
    checks.assert_tensor(got["expectations"], expect[:, 0, :], dtype="float32", rtol=0, atol=1e-4,
                         name=f"expectations from ControlledPQC ({differentiator}); the columns of values follow "
                              "`symbols`, while ControlledPQC orders symbols by name")
    total = expect.sum(axis=2)
    shift = 0.5 * (total[:, 1::2] - total[:, 2::2])  # the parameter-shift rule for exp(-i theta P / 2) gates
    checks.assert_tensor(got["gradient"], shift, dtype="float32", rtol=0, atol=atol,
                         name=f"gradient with the {differentiator} differentiator (vs the parameter-shift rule "
                              "(f(theta + pi/2) - f(theta - pi/2)) / 2 computed with cirq)")


BP_SIZES = (2, 4, 6)


@pytest.mark.points(2)
def test_barren_plateau_global_cost_decays_exponentially(student, reference, thresholds):
    got = {cost: [student.call("gradient_variance", n, n, cost, 80, 5) for n in BP_SIZES]
           for cost in ("global", "local")}
    want = [reference.call("gradient_variance", n, n, "global", 80, 5) for n in BP_SIZES]
    checks.assert_tensor(np.asarray(got["global"], np.float64), np.asarray(want, np.float64), rtol=0.02, atol=1e-5,
                         name=f"gradient_variance(n, n, 'global', 80, seed=5) for n in {BP_SIZES} (same parameter "
                              "draws as specified: default_rng(seed).uniform(0, 2 pi, (n_samples, n_symbols)))")
    slope = {cost: float(np.polyfit(BP_SIZES, np.log(np.asarray(v, np.float64)), 1)[0]) for cost, v in got.items()}
    assert slope["global"] <= thresholds["max_global_slope"], (
        f"ln Var[dC/dtheta_0] of the global cost should fall about ln 2 per qubit; the fitted slope is "
        f"{slope['global']:.3f} (must be <= {thresholds['max_global_slope']})")
    assert slope["local"] > slope["global"] + thresholds["min_slope_gap"], (
        f"the local cost Z_0 Z_1 should decay more slowly than the global one (slopes {slope['local']:.3f} vs "
        f"{slope['global']:.3f})")
