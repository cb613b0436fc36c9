from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_ansatz_qnn_and_gradient", points=1, hidden=False)
def test_ansatz_qnn_and_gradient(hardware_efficient_ansatz, build_qnn, controlled_expectation_and_gradient):
    import cirq
    import numpy as np
    import sympy
    import tensorflow as tf
    import tensorflow_quantum as tfq

    qubits = cirq.GridQubit.rect(1, 2)
    circuit, symbols = hardware_efficient_ansatz(qubits, 1)
    assert [str(s) for s in symbols] == ["theta_0", "theta_1", "theta_2", "theta_3"]
    model = build_qnn(qubits, 1)
    out = model(tfq.convert_to_tensor([cirq.Circuit(), cirq.Circuit(cirq.X(qubits[0]))]))
    assert out.shape == (2, 2) and np.all(np.abs(out.numpy()) <= 1 + 1e-6)
    # <Z> after ry(t) is cos(t): the gradient is -sin(t)
    t = sympy.Symbol("t")
    e, g = controlled_expectation_and_gradient(cirq.Circuit(cirq.ry(t)(qubits[0])), [t],
                                               tf.constant([[0.7]]), [cirq.Z(qubits[0])], "parameter_shift")
    np.testing.assert_allclose(e.numpy(), [[np.cos(0.7)]], atol=1e-4)
    np.testing.assert_allclose(g.numpy(), [[-np.sin(0.7)]], atol=1e-4)
