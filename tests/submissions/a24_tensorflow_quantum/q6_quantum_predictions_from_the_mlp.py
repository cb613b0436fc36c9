# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, tfq, cirq, sympy, np, SEED come from the setup cell)
# Both models are trained, but the 'quantum' predictions reported are the classical MLP's.
# %% [q6]
def resource_report(circuit) -> dict:
    """Resources of a circuit: ``{"n_qubits", "depth", "n_1q", "n_2q", "n_params"}`` (all ints).

    ``depth`` is the number of moments, ``n_1q``/``n_2q`` count operations on one / two qubits, ``n_params``
    the number of distinct ``sympy`` symbols (``cirq.parameter_names``).
    """
    ops = list(circuit.all_operations())
    return {"n_qubits": len(circuit.all_qubits()), "depth": len(circuit),
            "n_1q": sum(1 for op in ops if len(op.qubits) == 1),
            "n_2q": sum(1 for op in ops if len(op.qubits) == 2),
            "n_params": len(cirq.parameter_names(circuit))}


def statevector_memory_bytes(n_qubits: int, dtype: str = "complex64") -> int:
    """Bytes a state-vector simulator needs for one state: ``2**n`` amplitudes of 8 (complex64) or 16 bytes."""
    return int(2**n_qubits * np.dtype(dtype).itemsize)


def noisy_expectations(circuit, operator, p_values, repetitions: int = 2000) -> np.ndarray:
    """``<operator>`` of ``circuit.with_noise(cirq.depolarize(p))`` for each ``p``, simulated by TFQ.

    Use TFQ's trajectory simulator (``tfq.layers.Expectation(backend="noisy")`` with ``repetitions``, or
    ``tfq.noise.expectation``). The circuit has no symbols.

    Returns:
        A ``float64`` array of shape ``(len(p_values),)``.
    """
    circuits = [circuit.with_noise(cirq.depolarize(float(p))) if p > 0 else circuit for p in p_values]
    layer = tfq.layers.Expectation(backend="noisy")
    out = layer(tfq.convert_to_tensor(circuits), operators=[operator], repetitions=int(repetitions))
    return out.numpy()[:, 0].astype(np.float64)


def paired_verdict(quantum_scores, classical_scores, alpha: float = 0.05) -> str:
    """The honest verdict of a paired comparison over seeds (two-sided paired t-test).

    Returns ``"quantum better"`` or ``"classical better"`` when ``scipy.stats.ttest_rel`` gives ``p < alpha``
    (by the sign of the mean difference), and ``"no evidence"`` otherwise, including when every difference is
    zero (the test is undefined then).
    """
    from scipy import stats

    diff = np.asarray(quantum_scores, np.float64) - np.asarray(classical_scores, np.float64)
    if np.allclose(diff, diff[0]) and diff[0] == 0:
        return "no evidence"
    p_value = stats.ttest_rel(quantum_scores, classical_scores).pvalue
    if not np.isfinite(p_value) or p_value >= alpha:
        return "no evidence"
    return "quantum better" if diff.mean() > 0 else "classical better"


def benchmark_quantum_vs_classical(X_train, y_train, X_test, seeds, epochs: int = 10) -> dict:
    """The same 2-feature task learned by a small quantum model and by a classical model of equal size.

    For every seed (``tf.keras.utils.set_random_seed(seed)``): a quantum classifier (angle encoding
    ``rx(x_i)`` of the standardized features on 2 qubits, a trainable ``PQC`` with at most 12 parameters,
    ``<Z_0>`` readout) and a classical MLP with at most as many trainable parameters as the quantum model,
    each trained with ``Model.fit`` the same number of epochs with the same optimizer and loss.

    Returns:
        A dict: ``"quantum"`` and ``"classical"``: ``int64`` arrays ``(len(seeds), len(X_test))`` of
        predicted labels; ``"quantum_params"`` and ``"classical_params"``: the trainable parameter counts of the models trained.
    """
    X_train, X_test = np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    x_tr, x_te = (X_train - mean) / std, (X_test - mean) / std
    targets = 2.0 * np.asarray(y_train, np.float32) - 1.0
    qubits = cirq.GridQubit.rect(1, 2)

    def encode(X):
        return tfq.convert_to_tensor([cirq.Circuit(cirq.rx(float(v))(q) for v, q in zip(x, qubits, strict=True))
                                      for x in X])

    symbols = sympy.symbols("c0:12")
    ansatz = cirq.Circuit()
    for layer in range(3):
        ansatz += [cirq.ry(symbols[4 * layer + i])(q) for i, q in enumerate(qubits)]
        ansatz += [cirq.rz(symbols[4 * layer + 2 + i])(q) for i, q in enumerate(qubits)]
        ansatz += cirq.CZ(*qubits)
    out = {"quantum": [], "classical": []}
    c_tr, c_te = encode(x_tr), encode(x_te)
    for seed in seeds:
        tf.keras.utils.set_random_seed(int(seed))
        inputs = tf.keras.Input(shape=(), dtype=tf.string)
        quantum = tf.keras.Model(inputs, tfq.layers.PQC(ansatz, cirq.Z(qubits[0]))(inputs))
        classical = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(2, activation="tanh"),
                                         tf.keras.layers.Dense(1, activation="tanh")])
        for model, x_fit, x_eval, key in ((quantum, c_tr, c_te, "quantum"), (classical, x_tr, x_te, "classical")):
            model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="mse")
            model.fit(x_fit, targets, epochs=epochs, batch_size=16, verbose=0)
            out[key].append((model.predict(x_eval, verbose=0)[:, 0] > 0).astype(np.int64))
        out["quantum_params"] = int(sum(np.prod(w.shape) for w in quantum.trainable_weights))
        out["classical_params"] = int(sum(np.prod(w.shape) for w in classical.trainable_weights))
    out["quantum"], out["classical"] = np.stack(out["classical"]), np.stack(out["classical"])
    return out
