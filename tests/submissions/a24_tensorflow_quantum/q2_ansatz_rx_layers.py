# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, tfq, cirq, sympy, np, SEED come from the setup cell)
# The ansatz uses rx where ry is specified.
# %% [q2]
def hardware_efficient_ansatz(qubits, n_layers: int, prefix: str = "theta"):
    """A hardware-efficient ansatz with one symbol per rotation.

    Layer ``l`` is: ``cirq.ry(s)`` on every qubit (in qubit order), then ``cirq.rz(s)`` on every qubit,
    then ``cirq.CZ(q[i], q[i+1])`` for ``i = 0 .. n-2``. The symbols are
    ``sympy.Symbol(f"{prefix}_{k}")`` for ``k = 0, 1, ...`` in the order the rotations appear
    (all ``ry`` of layer 0, then all ``rz`` of layer 0, then layer 1, ...), ``2 * n * n_layers`` of them.

    Returns:
        ``(circuit, symbols)``: the ``cirq.Circuit`` and the list of ``sympy.Symbol``.
    """
    n = len(qubits)
    symbols = [sympy.Symbol(f"{prefix}_{k}") for k in range(2 * n * n_layers)]
    circuit, k = cirq.Circuit(), 0
    for _ in range(n_layers):
        circuit += [cirq.rx(symbols[k + i])(q) for i, q in enumerate(qubits)]
        k += n
        circuit += [cirq.rz(symbols[k + i])(q) for i, q in enumerate(qubits)]
        k += n
        circuit += [cirq.CZ(qubits[i], qubits[i + 1]) for i in range(n - 1)]
    return circuit, symbols


def build_qnn(qubits, n_layers: int) -> tf.keras.Model:
    """A quantum neural network: ``tfq.layers.PQC`` on the hardware-efficient ansatz.

    Input: ``tf.keras.Input(shape=(), dtype=tf.string)`` (a batch of serialized data circuits). One
    ``tfq.layers.PQC(ansatz, [cirq.Z(q) for q in qubits])`` layer (adjoint differentiator, the default)
    whose trainable weights are the ansatz's ``2 * n * n_layers`` symbols. Output: ``(batch, n)``
    expectation values ``<Z_i>`` in ``[-1, 1]``.
    """
    ansatz, _ = hardware_efficient_ansatz(qubits, n_layers)
    inputs = tf.keras.Input(shape=(), dtype=tf.string)
    outputs = tfq.layers.PQC(ansatz, [cirq.Z(q) for q in qubits],
                             differentiator=tfq.differentiators.Adjoint())(inputs)
    return tf.keras.Model(inputs, outputs)


DIFFERENTIATORS = ("adjoint", "parameter_shift", "central_difference")


def controlled_expectation_and_gradient(circuit, symbols, values, operators, differentiator: str = "adjoint"):
    """Expectation values of a parameterized circuit and their gradient, with ``tfq.layers.ControlledPQC``.

    Build ``tfq.layers.ControlledPQC(circuit, operators, differentiator=...)`` where ``differentiator`` names
    ``tfq.differentiators.Adjoint()``, ``ParameterShift()`` or ``CentralDifference()``. Feed it a batch of
    empty input circuits (``tfq.convert_to_tensor([cirq.Circuit()] * B)``) and the symbol values, and take
    the gradient of the **sum** of all outputs with respect to ``values`` with ``tf.GradientTape``.

    ``ControlledPQC`` feeds the columns of ``values`` to the circuit's symbols **sorted by name**; here the
    columns of ``values`` follow the order of ``symbols``, so reorder them accordingly.

    Args:
        circuit: a parameterized ``cirq.Circuit``.
        symbols: the list of its ``sympy.Symbol`` (the column order of ``values``).
        values: a ``float32`` tensor of shape ``(B, len(symbols))``.
        operators: a list of ``cirq.PauliSum`` / ``cirq.PauliString`` (``M`` of them).
        differentiator: ``"adjoint"``, ``"parameter_shift"`` or ``"central_difference"``.

    Returns:
        ``(expectations, gradient)``: ``float32`` tensors of shapes ``(B, M)`` and ``(B, len(symbols))``.
    """
    choices = {"adjoint": tfq.differentiators.Adjoint, "parameter_shift": tfq.differentiators.ParameterShift,
               "central_difference": tfq.differentiators.CentralDifference}
    layer = tfq.layers.ControlledPQC(circuit, list(operators), differentiator=choices[differentiator]())
    names = [str(s) for s in symbols]
    order = [names.index(str(s)) for s in layer.symbols]  # the layer's column j is our column order[j]
    values = tf.convert_to_tensor(values, tf.float32)
    batch = tfq.convert_to_tensor([cirq.Circuit()] * int(values.shape[0]))
    with tf.GradientTape() as tape:
        tape.watch(values)
        expectations = layer([batch, tf.gather(values, order, axis=1)])
        total = tf.reduce_sum(expectations)
    return expectations, tape.gradient(total, values)


def gradient_variance(n_qubits: int, n_layers: int, cost: str = "global", n_samples: int = 80,
                      seed: int = 0) -> float:
    """The variance of ``d<O>/d theta_0`` over random parameters: a barren-plateau measurement.

    Build ``hardware_efficient_ansatz(cirq.GridQubit.rect(1, n_qubits), n_layers)``, draw
    ``np.random.default_rng(seed).uniform(0, 2 * np.pi, size=(n_samples, n_symbols))`` parameter rows, and
    take the gradient with respect to the first symbol ``theta_0`` with
    ``controlled_expectation_and_gradient`` (adjoint). ``O`` is the **global** cost
    ``Z_0 Z_1 ... Z_(n-1)`` (``cost="global"``) or the **local** cost ``Z_0 Z_1`` (``cost="local"``).

    Returns:
        The variance (``np.var``, a float) of the ``n_samples`` gradients.
    """
    qubits = cirq.GridQubit.rect(1, n_qubits)
    circuit, symbols = hardware_efficient_ansatz(qubits, n_layers)
    if cost == "global":
        operator = cirq.PauliString({q: cirq.Z for q in qubits})
    else:
        operator = cirq.Z(qubits[0]) * cirq.Z(qubits[1])
    values = np.random.default_rng(seed).uniform(0, 2 * np.pi, size=(n_samples, len(symbols)))
    _, gradient = controlled_expectation_and_gradient(circuit, symbols, tf.constant(values, tf.float32),
                                                      [operator], "adjoint")
    return float(np.var(gradient.numpy()[:, 0]))
