from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_encodings", points=1, hidden=False)
def test_encodings(basis_encode, angle_encode, amplitude_encode, encode_batch):
    import cirq
    import numpy as np

    qubits = cirq.GridQubit.rect(1, 2)
    sim = cirq.Simulator()

    def state(circuit):
        return sim.simulate(circuit, qubit_order=qubits).final_state_vector

    np.testing.assert_allclose(np.abs(state(basis_encode([1, 0], qubits))), [0, 0, 1, 0], atol=1e-6)
    np.testing.assert_allclose(state(angle_encode([np.pi, 0.0], qubits)).real, [0, 0, 1, 0], atol=1e-6)
    x = np.array([0.5, -0.5, 0.5, 0.5])
    psi = state(amplitude_encode(x, qubits))
    assert abs(np.vdot(psi, x)) ** 2 > 0.9999
    assert encode_batch([[0.1, 0.2], [0.3, 0.4]], qubits, "angle").shape == (2,)
