# expect: {"q3": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, tfq, cirq, sympy, np, SEED come from the setup cell)
# Amplitude encoding uses the magnitudes at the last level too, so negative amplitudes come out positive.
# %% [q3]
def basis_encode(bits, qubits) -> cirq.Circuit:
    """Basis encoding: the computational basis state ``|b_0 b_1 ... b_{n-1}>`` (``b_0`` on ``qubits[0]``).

    ``cirq.X`` on every qubit whose bit is 1, nothing on the others.
    """
    return cirq.Circuit([cirq.X(q) for b, q in zip(bits, qubits, strict=True) if int(b) == 1])


def angle_encode(x, qubits) -> cirq.Circuit:
    """Angle encoding: ``cirq.ry(x[i])`` on ``qubits[i]``, one feature per qubit.

    The state is the product of ``cos(x_i / 2)|0> + sin(x_i / 2)|1>``.
    """
    return cirq.Circuit([cirq.ry(float(v))(q) for v, q in zip(x, qubits, strict=True)])


def amplitude_encode(x, qubits) -> cirq.Circuit:
    """Amplitude encoding of a real vector of length ``2**n`` (signs included), normalized first.

    Prepare ``sum_k x_k / |x| |k>`` (``qubits[0]`` is the most significant bit, as in cirq) with a binary
    tree of ``ry`` rotations: ``ry`` on ``qubits[0]``, then on each next qubit one ``ry`` per value of the
    qubits above it, controlled on those values (``gate.on(q).controlled_by(*above, control_values=...)``).
    That is at most ``2**n - 1`` rotations. Do not use ``cirq.MatrixGate`` or
    ``cirq.StatePreparationChannel``: TFQ cannot serialize them.
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(qubits)
    x = x / np.linalg.norm(x)
    circuit = cirq.Circuit()
    for level in range(n):
        block = 2 ** (n - level)  # amplitudes under one prefix of `level` bits
        for prefix in range(2**level):
            part = x[prefix * block:(prefix + 1) * block]
            left, right = part[: block // 2], part[block // 2:]
            if level == n - 1:  # the last qubit: signed amplitudes
                angle = 2.0 * np.arctan2(abs(right[0]), abs(left[0]))
            else:
                angle = 2.0 * np.arctan2(np.linalg.norm(right), np.linalg.norm(left))
            gate = cirq.ry(float(angle))
            if level == 0:
                circuit += gate(qubits[0])
            else:
                controls = [(prefix >> (level - 1 - j)) & 1 for j in range(level)]
                circuit += gate.on(qubits[level]).controlled_by(*qubits[:level], control_values=controls)
    return circuit


def encode_batch(X, qubits, kind: str) -> tf.Tensor:
    """Encode every row of ``X`` with ``"basis"``, ``"angle"`` or ``"amplitude"`` encoding.

    Returns:
        The ``tf.string`` tensor of shape ``(len(X),)`` from ``tfq.convert_to_tensor``.
    """
    encoders = {"basis": basis_encode, "angle": angle_encode, "amplitude": amplitude_encode}
    return tfq.convert_to_tensor([encoders[kind](x, qubits) for x in np.asarray(X)])
