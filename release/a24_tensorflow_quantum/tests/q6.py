from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_resources_memory_and_verdict", points=1, hidden=False)
def test_resources_memory_and_verdict(resource_report, statevector_memory_bytes, paired_verdict):
    import cirq
    import sympy

    q = cirq.GridQubit.rect(1, 2)
    circuit = cirq.Circuit([cirq.H(q[0]), cirq.CNOT(q[0], q[1]), cirq.rz(sympy.Symbol("a"))(q[1])])
    assert resource_report(circuit) == {"n_qubits": 2, "depth": 3, "n_1q": 2, "n_2q": 1, "n_params": 1}
    assert statevector_memory_bytes(3) == 64
    assert paired_verdict([0.8, 0.8, 0.8], [0.8, 0.8, 0.8]) == "no evidence"
