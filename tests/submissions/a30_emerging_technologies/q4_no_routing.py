# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, cirq, ... come from the reference setup cell)
# Compiles to the CZ gate set but never routes onto the device graph.
# %% [q4]
def compile_for_device(circuit: cirq.Circuit, device_graph: nx.Graph):
    """Compiles a circuit to the CZ gate set and routes it onto a device's connectivity graph.

    Use ``cirq.optimize_for_target_gateset`` with ``cirq.CZTargetGateset()`` and ``cirq.RouteCQC``; the result must
    use only CZ and single-qubit gates, and every two-qubit gate must act on an edge of ``device_graph``.

    Returns:
        ``(compiled circuit, initial_mapping {logical qubit: device qubit}, final_mapping {device qubit: device
        qubit})``: the circuit equals the original placed by ``initial_mapping`` and followed by the qubit
        permutation ``final_mapping`` that the inserted swaps made.
    """
    compiled = cirq.optimize_for_target_gateset(circuit, gateset=cirq.CZTargetGateset())
    nodes = sorted(device_graph.nodes)
    initial_map = {q: nodes[i] for i, q in enumerate(sorted(compiled.all_qubits()))}
    swap_map = {p: p for p in initial_map.values()}
    routed = compiled.transform_qubits(initial_map)
    routed = cirq.optimize_for_target_gateset(routed, gateset=cirq.CZTargetGateset())
    return routed, initial_map, swap_map


def sample_expectation(circuit: cirq.Circuit, qubits, shots: int, seed: int):
    """Estimates ``<Z_q1 Z_q2 ...>`` over ``qubits`` from ``shots`` measurements (``cirq.Simulator(seed=seed)``).

    Returns:
        ``(mean, stderr)``: the mean of the per-shot parities ``prod(1 - 2 b_q)`` and its standard error
        ``std(parities, ddof=1) / sqrt(shots)``.
    """
    c = circuit + cirq.Circuit(cirq.measure(*qubits, key="m"))
    bits = cirq.Simulator(seed=seed).run(c, repetitions=shots).measurements["m"]
    parity = np.prod(1 - 2 * bits.astype(np.int64), axis=1).astype(np.float64)
    return float(parity.mean()), float(parity.std(ddof=1) / np.sqrt(shots))


def readout_confusion(p01: float, p10: float, n_qubits: int) -> np.ndarray:
    """Confusion matrix ``M[measured, true]`` of independent single-qubit readout errors.

    ``p01`` is the probability of reading 0 as 1, ``p10`` of reading 1 as 0. Bitstrings are indexed big-endian
    (qubit 0 is the most significant bit, as Cirq).
    """
    single = np.array([[1 - p01, p10], [p01, 1 - p10]])
    M = np.ones((1, 1))
    for _ in range(n_qubits):
        M = np.kron(M, single)
    return M


def mitigate_readout(counts: dict, confusion) -> np.ndarray:
    """Readout-error mitigation by least-squares inversion of the confusion matrix.

    ``counts`` maps bitstrings (``"010"``, big-endian) to counts. The measured distribution ``p_meas`` is solved from
    ``confusion @ p = p_meas`` in the least-squares sense, clipped at 0 and renormalised to sum to 1.
    """
    M = np.asarray(confusion, np.float64)
    p_meas = np.zeros(M.shape[0])
    for bits, c in counts.items():
        p_meas[int(bits, 2)] += c
    p_meas /= p_meas.sum()
    p = np.linalg.lstsq(M, p_meas, rcond=None)[0]
    p = np.clip(p, 0.0, None)
    return p / p.sum()


def majority_decode(bits) -> np.ndarray:
    """Majority vote of each row of a (shots, n) 0/1 array (n odd); ints."""
    bits = np.asarray(bits)
    return (2 * bits.sum(axis=1) > bits.shape[1]).astype(np.int64)


def repetition_code_logical_error(p: float, shots: int, seed: int) -> float:
    """Logical error rate of the 3-qubit bit-flip code storing |0>, simulated with Cirq.

    Encode with two CNOTs from qubit 0, apply ``cirq.bit_flip(p)`` to each qubit, measure all three, decode by
    ``majority_decode``; run with ``cirq.DensityMatrixSimulator(seed=seed)`` (it samples every shot from one
    density matrix; the state-vector simulator would simulate each noisy shot separately). Returns the fraction of
    shots decoded as 1.
    """
    q = cirq.LineQubit.range(3)
    c = cirq.Circuit(cirq.CNOT(q[0], q[1]), cirq.CNOT(q[0], q[2]), cirq.bit_flip(p).on_each(*q),
                     cirq.measure(*q, key="m"))
    bits = cirq.DensityMatrixSimulator(seed=seed).run(c, repetitions=shots).measurements["m"]
    return float(majority_decode(bits).mean())
