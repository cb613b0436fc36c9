from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_hybrid_model", points=1, hidden=False)
def test_hybrid_model(hybrid_circuit, build_hybrid):
    import cirq
    import numpy as np
    import tensorflow as tf
    import tensorflow_quantum as tfq

    qubits = cirq.GridQubit.rect(1, 2)
    circuit, symbols = hybrid_circuit(qubits)
    assert len(symbols) == 6
    model = build_hybrid(2, qubits)
    assert any(isinstance(layer, tfq.layers.ControlledPQC) for layer in model.layers)
    x = tf.constant(np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32))
    with tf.GradientTape() as tape:
        out = model([tfq.convert_to_tensor([cirq.Circuit()] * 4), x])
        loss = tf.reduce_mean(out)
    assert out.shape == (4, 1)
    grads = tape.gradient(loss, model.trainable_variables)
    assert all(g is not None for g in grads), "every variable must get a gradient"
