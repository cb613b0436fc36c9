"""Hidden tests for A24 Q4: VQE on a transverse-field Ising chain and QAOA for MaxCut.

Exact answers come from the judge: ``numpy.linalg.eigvalsh`` of the Hamiltonian and a brute-force
maximum cut. Reported energies and cuts are checked against the state of the returned circuit, which
cirq simulates in the worker.
"""

import itertools

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

_PAULI = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
          "Z": np.diag([1.0, -1.0])}


def pauli_matrix(terms):
    total = 0
    for coefficient, word in terms:
        m = np.array([[1.0]])
        for c in word:
            m = np.kron(m, _PAULI[c])
        total = total + coefficient * m
    return total


def tfim_terms(n, J, h):
    terms = [[-J, "I" * i + "ZZ" + "I" * (n - i - 2)] for i in range(n - 1)]
    return terms + [[-h, "I" * i + "X" + "I" * (n - i - 1)] for i in range(n)]


def cut_values(n, edges):
    """The cut size of every basis state k (qubit 0 = most significant bit)."""
    bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1
    return np.array([sum(int(b[i] != b[j]) for i, j in edges) for b in bits], np.float64)


def qaoa_state(n, edges, gammas, betas):
    """The judge's QAOA state: ``prod_l exp(-i beta_l sum X) exp(-i gamma_l C) |+>^n`` (qubit 0 most significant)."""
    cuts = cut_values(n, edges)
    state = np.full(2**n, 2 ** (-n / 2), np.complex128)
    for gamma, beta in zip(gammas, betas, strict=True):
        state = np.exp(-1j * gamma * cuts) * state
        mixer = np.array([[np.cos(beta), -1j * np.sin(beta)], [-1j * np.sin(beta), np.cos(beta)]])
        tensor = state.reshape([2] * n)
        for qubit in range(n):
            tensor = np.moveaxis(np.tensordot(mixer, tensor, axes=([1], [qubit])), 0, qubit)
        state = tensor.reshape(-1)
    return state


def random_graph(rng, n):
    while True:
        edges = [[i, j] for i, j in itertools.combinations(range(n), 2) if rng.random() < 0.6]
        if len(edges) >= n and len({v for e in edges for v in e}) == n:
            return edges


@pytest.mark.points(2)
def test_tfim_hamiltonian_matrix(student, rng):
    J, h = float(rng.uniform(0.5, 1.5)), float(rng.uniform(0.5, 1.5))
    got = student.probe("hamiltonian_matrix", 3, J, h)
    checks.assert_tensor(got["matrix"], pauli_matrix(tfim_terms(3, J, h)), rtol=0, atol=1e-5,
                         name=f"the matrix of tfim_hamiltonian(qubits, J={J:.3f}, h={h:.3f}) = -J sum Z_i Z_(i+1) "
                              "- h sum X_i (open chain)")


@pytest.mark.points(3)
def test_vqe_reaches_the_exact_ground_energy(student, rng, thresholds):
    n, J, h = 4, 1.0, float(rng.uniform(0.6, 1.4))
    terms = tfim_terms(n, J, h)
    matrix = pauli_matrix(terms)
    exact = float(np.linalg.eigvalsh(matrix)[0])
    got = student.probe("vqe", n, terms)
    state = np.asarray(got["state"])
    energy_of_state = float(np.real(state.conj() @ matrix @ state))
    assert abs(energy_of_state - got["energy"]) < 1e-3, (
        f"run_vqe reports energy {got['energy']:.5f}, but its circuit has <H> = {energy_of_state:.5f}: return the "
        "energy of the returned (resolved) circuit")
    assert got["history"] and got["history"][-1] < got["history"][0], "the energy history should decrease"
    error = energy_of_state - exact
    assert error < thresholds["max_vqe_error"], (
        f"VQE energy {energy_of_state:.5f} is {error:.4f} above the exact ground energy {exact:.5f} (allowed "
        f"{thresholds['max_vqe_error']}); use a more expressive ansatz, more steps or a better learning rate")


@pytest.mark.points(1)
def test_vqe_does_not_diagonalize(student):
    # Any eigen- or singular-value routine gives the ground energy directly (the largest singular value of H - cI,
    # for a large c, is c minus the smallest eigenvalue), in NumPy, SciPy or TensorFlow.
    forbidden = ["numpy.linalg.eigh", "numpy.linalg.eigvalsh", "numpy.linalg.eig", "numpy.linalg.eigvals",
                 "numpy.linalg.svd", "scipy.linalg.eigh", "scipy.linalg.eig", "scipy.linalg.eigvalsh",
                 "scipy.linalg.svd", "scipy.sparse.linalg.eigsh", "scipy.sparse.linalg.svds", "tensorflow.linalg.eigh",
                 "tensorflow.linalg.eigvalsh", "tensorflow.linalg.eig", "tensorflow.linalg.eigvals",
                 "tensorflow.linalg.svd"]
    n = 3
    checks.assert_no_forbidden_calls(student, "probes.vqe", [n, tfim_terms(n, 1.0, 1.0)], forbidden,
                                     kwargs={"steps": 5}, why="VQE must find the energy variationally with TFQ "
                                                              "expectations (the judge diagonalizes, not you)")


@pytest.mark.points(1)
def test_maxcut_hamiltonian_counts_cut_edges(student, rng):
    edges = random_graph(rng, 4)
    got = np.asarray(student.probe("maxcut_matrix", 4, edges))
    checks.assert_tensor(got, np.diag(cut_values(4, edges)), rtol=0, atol=1e-5,
                         name=f"maxcut_hamiltonian({edges}): diagonal, with the cut size of each basis state")


@pytest.mark.points(3)
def test_qaoa_finds_the_maximum_cut(student, rng, thresholds):
    n = 5
    edges = random_graph(rng, n)
    cuts = cut_values(n, edges)
    got = student.probe("qaoa", n, edges)
    probs = np.abs(np.asarray(got["state"])) ** 2
    expected = float(probs @ cuts)
    assert abs(expected - got["expected_cut"]) < 1e-3, (
        f"run_qaoa reports <C> = {got['expected_cut']:.4f}, but its circuit gives {expected:.4f}")
    assert got["n_hadamard"] >= n, "QAOA starts from |+>^n: a Hadamard on every qubit"
    gammas, betas = np.asarray(got["gammas"]), np.asarray(got["betas"])
    assert gammas.shape == betas.shape == (2,), "gammas and betas should hold p = 2 angles each"
    overlap = abs(np.vdot(qaoa_state(n, edges, gammas, betas), np.asarray(got["state"])))
    assert overlap > 1 - 1e-4, (
        f"your circuit's state is not the QAOA state of your gammas and betas (overlap {overlap:.4f}): the circuit "
        "must be H on every qubit, then per layer exp(-i gamma C) and exp(-i beta sum X), with the returned angles")
    ratio = expected / cuts.max()
    assert ratio >= thresholds["min_qaoa_ratio"], (
        f"QAOA approximation ratio <C>/maxcut = {ratio:.3f} < {thresholds['min_qaoa_ratio']} on edges {edges}")
    bits = got["best_bitstring"]
    assert len(bits) == n and set(bits) <= {"0", "1"}, f"best_bitstring should be {n} characters 0/1, got {bits!r}"
    assert cuts[int(bits, 2)] == cuts.max(), (
        f"best_bitstring {bits} cuts {int(cuts[int(bits, 2)])} edges; the maximum cut is {int(cuts.max())}")
