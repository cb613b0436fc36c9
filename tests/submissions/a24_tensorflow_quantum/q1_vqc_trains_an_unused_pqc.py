# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, tfq, cirq, sympy, np, SEED come from the setup cell)
# The PQC model is built and trained, but the labels returned are the quantum kernel SVM's: a construction
# count or a fit count sees a VQC; knocking the PQC out does not change the predictions.
# %% [q1]
def feature_map(x, qubits, reps: int = 2) -> cirq.Circuit:
    """An IQP-style ("ZZ") feature map that encodes the vector ``x`` into ``len(qubits)`` qubits.

    One repetition is: ``cirq.H`` on every qubit; ``cirq.rz(x[i])`` on qubit ``i``; then, for every
    neighbouring pair ``i = 0 .. n-2``: ``cirq.CNOT(q[i], q[i+1])``, ``cirq.rz(x[i] * x[i+1])`` on
    ``q[i+1]``, ``cirq.CNOT(q[i], q[i+1])``. The circuit is ``reps`` repetitions (numeric angles, no
    symbols), so it serializes with ``tfq.convert_to_tensor``.

    Args:
        x: a 1-D array of ``len(qubits)`` floats.
        qubits: a list of ``cirq.GridQubit``.
        reps: the number of repetitions.

    Returns:
        A ``cirq.Circuit``.
    """
    x = np.asarray(x, dtype=np.float64)
    circuit = cirq.Circuit()
    for _ in range(reps):
        circuit += [cirq.H(q) for q in qubits]
        circuit += [cirq.rz(float(x[i]))(q) for i, q in enumerate(qubits)]
        for i in range(len(qubits) - 1):
            circuit += cirq.CNOT(qubits[i], qubits[i + 1])
            circuit += cirq.rz(float(x[i] * x[i + 1]))(qubits[i + 1])
            circuit += cirq.CNOT(qubits[i], qubits[i + 1])
    return circuit


def quantum_kernel(XA, XB, qubits) -> np.ndarray:
    """The fidelity kernel ``K[i, j] = |<phi(XA[i]) | phi(XB[j])>|^2`` of ``feature_map``.

    Compute the states with TFQ (``tfq.layers.State()`` on ``tfq.convert_to_tensor`` of the
    feature-map circuits), not with ``cirq.Simulator``.

    Args:
        XA: a float array of shape ``(A, n)``.
        XB: a float array of shape ``(B, n)``.
        qubits: ``n`` qubits.

    Returns:
        A ``float64`` NumPy array of shape ``(A, B)``.
    """
    state_layer = tfq.layers.State()

    def states(X):
        circuits = tfq.convert_to_tensor([feature_map(x, qubits) for x in np.asarray(X)])
        return state_layer(circuits).to_tensor().numpy().astype(np.complex128)

    overlaps = states(XA).conj() @ states(XB).T
    return np.abs(overlaps) ** 2


def fit_predict_qsvm(X_train, y_train, X_test, qubits) -> np.ndarray:
    """A quantum-kernel support vector machine.

    Train ``sklearn.svm.SVC(kernel="precomputed", C=10.0)`` on ``quantum_kernel(X_train, X_train)`` and
    predict with ``quantum_kernel(X_test, X_train)``.

    Returns:
        An ``int64`` array of predicted labels in ``{0, 1}``, shape ``(len(X_test),)``.
    """
    from sklearn.svm import SVC

    svc = SVC(kernel="precomputed", C=10.0)
    svc.fit(quantum_kernel(X_train, X_train, qubits), np.asarray(y_train))
    return svc.predict(quantum_kernel(X_test, X_train, qubits)).astype(np.int64)


def fit_predict_vqc(X_train, y_train, X_test, qubits, n_layers: int = 2, epochs: int = 25) -> np.ndarray:
    """A variational quantum classifier: ``feature_map`` circuits fed to a trainable ``tfq.layers.PQC``.

    The model's input is a ``tf.string`` tensor of feature-map circuits; a ``tfq.layers.PQC`` with a
    trainable ansatz (``n_layers`` layers of ``rx``/``ry`` rotations on every qubit and a ``CZ`` chain)
    reads out ``<Z>`` of the first qubit, in ``[-1, 1]``. Train it with labels mapped to ``{-1, +1}`` (hinge
    or squared loss, Adam), seeded with ``tf.keras.utils.set_random_seed(SEED)``; predict class 1 where
    the output is positive. Keep training to a few seconds.

    Returns:
        An ``int64`` array of predicted labels in ``{0, 1}``.
    """
    tf.keras.utils.set_random_seed(SEED)
    symbols = sympy.symbols(f"w0:{2 * len(qubits) * n_layers}")
    ansatz, k = cirq.Circuit(), 0
    for _ in range(n_layers):
        for q in qubits:
            ansatz += [cirq.rx(symbols[k])(q), cirq.ry(symbols[k + 1])(q)]
            k += 2
        ansatz += [cirq.CZ(qubits[i], qubits[i + 1]) for i in range(len(qubits) - 1)]
    inputs = tf.keras.Input(shape=(), dtype=tf.string)
    outputs = tfq.layers.PQC(ansatz, cirq.Z(qubits[0]))(inputs)
    model = tf.keras.Model(inputs, outputs)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="mse")
    x_train = tfq.convert_to_tensor([feature_map(x, qubits) for x in np.asarray(X_train)])
    x_test = tfq.convert_to_tensor([feature_map(x, qubits) for x in np.asarray(X_test)])
    targets = 2.0 * np.asarray(y_train, np.float32) - 1.0
    model.fit(x_train, targets, epochs=epochs, batch_size=16, verbose=0)
    return fit_predict_qsvm(X_train, y_train, X_test, qubits)
