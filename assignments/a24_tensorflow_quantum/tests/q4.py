from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_hamiltonians_and_vqe", points=1, hidden=False)
def test_hamiltonians_and_vqe(tfim_hamiltonian, maxcut_hamiltonian, run_vqe):
    import cirq
    import numpy as np

    qubits = cirq.GridQubit.rect(1, 2)
    H = tfim_hamiltonian(qubits, 1.0, 0.5)
    exact = np.linalg.eigvalsh(H.matrix(qubits))[0]
    np.testing.assert_allclose(np.diag(maxcut_hamiltonian([(0, 1)], qubits).matrix(qubits)).real, [0, 1, 1, 0],
                               atol=1e-6)
    out = run_vqe(H, qubits)
    assert set(out) >= {"energy", "circuit", "history"}
    assert out["energy"] - exact < 0.05, f"VQE energy {out['energy']:.4f}, exact {exact:.4f}"
