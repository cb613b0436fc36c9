from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_feature_map_and_kernel", points=1, hidden=False)
def test_feature_map_and_kernel(feature_map, quantum_kernel):
    import cirq
    import numpy as np

    qubits = cirq.GridQubit.rect(1, 2)
    circuit = feature_map(np.array([0.3, 1.2]), qubits, reps=1)
    assert isinstance(circuit, cirq.Circuit) and not cirq.is_parameterized(circuit)
    # one repetition: H H, rz rz, CNOT rz CNOT -> 4 moments' worth of operations
    assert sum(1 for _ in circuit.all_operations()) == 7
    X = np.array([[0.1, 0.2], [1.0, 2.0], [2.5, 0.4]])
    K = quantum_kernel(X, X, qubits)
    assert K.shape == (3, 3)
    np.testing.assert_allclose(np.diag(K), 1.0, atol=1e-4)
    np.testing.assert_allclose(K, K.T, atol=1e-5)
    assert np.all(K <= 1 + 1e-5) and np.all(K >= -1e-6)
