# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, tfq, cirq, sympy, np, SEED come from the setup cell)
# build_hybrid is right, and fit_predict_hybrid builds it, but trains and predicts with a classical MLP.
# %% [q5]
def hybrid_circuit(qubits):
    """The quantum part of the hybrid model: ``ry(a_i) rz(b_i)`` on every qubit, a ``CZ`` chain, then ``ry(c_i)``.

    Returns:
        ``(circuit, symbols)`` with ``3 * n`` symbols.
    """
    n = len(qubits)
    symbols = sympy.symbols(f"h0:{3 * n}")
    circuit = cirq.Circuit([cirq.ry(symbols[i])(q) for i, q in enumerate(qubits)])
    circuit += [cirq.rz(symbols[n + i])(q) for i, q in enumerate(qubits)]
    circuit += [cirq.CZ(qubits[i], qubits[i + 1]) for i in range(n - 1)]
    circuit += [cirq.ry(symbols[2 * n + i])(q) for i, q in enumerate(qubits)]
    return circuit, list(symbols)


def build_hybrid(n_features: int, qubits) -> tf.keras.Model:
    """A hybrid classical-quantum-classical classifier.

    Inputs, in this order: ``tf.keras.Input(shape=(), dtype=tf.string)`` (data circuits; empty circuits
    when there is no quantum input) and ``tf.keras.Input(shape=(n_features,))``. The features go through
    ``Dense(16, "tanh")`` and ``Dense(3 * n)`` (the circuit's angles), into
    ``tfq.layers.ControlledPQC(hybrid_circuit(qubits), [cirq.Z(q) for q in qubits])``, and the ``n``
    expectation values into ``Dense(1, "sigmoid")``: the probability of class 1. Gradients flow through the
    quantum layer into the classical layers before it.
    """
    circuit, _ = hybrid_circuit(qubits)
    circuits = tf.keras.Input(shape=(), dtype=tf.string)
    features = tf.keras.Input(shape=(n_features,), dtype=tf.float32)
    hidden = tf.keras.layers.Dense(16, activation="tanh")(features)
    angles = tf.keras.layers.Dense(3 * len(qubits))(hidden)
    expectations = tfq.layers.ControlledPQC(circuit, [cirq.Z(q) for q in qubits],
                                            differentiator=tfq.differentiators.Adjoint())([circuits, angles])
    outputs = tf.keras.layers.Dense(1, activation="sigmoid")(expectations)
    return tf.keras.Model([circuits, features], outputs)


def fit_predict_hybrid(X_train, y_train, X_test, qubits, epochs: int = 20) -> np.ndarray:
    """Train ``build_hybrid`` (seeded with ``SEED``, binary cross-entropy, Adam) and predict ``int64`` labels."""
    tf.keras.utils.set_random_seed(SEED)
    X_train, X_test = np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    build_hybrid(X_train.shape[1], qubits)
    mlp = tf.keras.Sequential([tf.keras.Input(shape=(X_train.shape[1],)),
                               tf.keras.layers.Dense(16, activation='relu'),
                               tf.keras.layers.Dense(1, activation='sigmoid')])
    mlp.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss='binary_crossentropy')
    mlp.fit((X_train - mean) / std, np.asarray(y_train, np.float32), epochs=60, verbose=0)
    return (mlp.predict((X_test - mean) / std, verbose=0)[:, 0] > 0.5).astype(np.int64)
    model = build_hybrid(X_train.shape[1], qubits)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss="binary_crossentropy")

    def empty(n):
        return tfq.convert_to_tensor([cirq.Circuit()] * n)

    model.fit([empty(len(X_train)), (X_train - mean) / std], np.asarray(y_train, np.float32),
              epochs=epochs, batch_size=16, verbose=0)
    probs = model.predict([empty(len(X_test)), (X_test - mean) / std], verbose=0)[:, 0]
    return (probs > 0.5).astype(np.int64)
