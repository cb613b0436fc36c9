# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841, F401, E501  (a fragment: tf, tfq, cirq, sympy, np, SEED come from the setup cell)
# The QAOA mixer is rz instead of rx: it commutes with the cost, so the angles cannot change the cut
# distribution.
# %% [q4]
def tfim_hamiltonian(qubits, J: float = 1.0, h: float = 1.0) -> cirq.PauliSum:
    """The open transverse-field Ising chain ``H = -J sum_i Z_i Z_{i+1} - h sum_i X_i``."""
    terms = [-J * cirq.Z(qubits[i]) * cirq.Z(qubits[i + 1]) for i in range(len(qubits) - 1)]
    terms += [-h * cirq.X(q) for q in qubits]
    return cirq.PauliSum.from_pauli_strings(terms)


def run_vqe(hamiltonian, qubits, n_layers: int = 2, steps: int = 150, lr: float = 0.2) -> dict:
    """Variational quantum eigensolver: minimize ``<psi(theta)|H|psi(theta)>`` with TFQ and Adam.

    Use a real ansatz (``n_layers`` layers of ``ry`` on every qubit and a ``CNOT`` chain, plus a final
    ``ry`` layer), start from parameters drawn with ``np.random.default_rng(SEED)``, evaluate the energy with
    ``tfq.layers.Expectation`` (or ``ControlledPQC``) and optimize with ``tf.keras.optimizers.Adam``.
    Never diagonalize the Hamiltonian.

    Returns:
        A dict: ``"energy"`` (float, the final ``<H>``), ``"circuit"`` (the ansatz with the final
        parameters resolved: a ``cirq.Circuit`` without symbols) and ``"history"`` (the energy at each step).
    """
    symbols = sympy.symbols(f"v0:{len(qubits) * (n_layers + 1)}")
    ansatz, k = cirq.Circuit(), 0
    for layer in range(n_layers + 1):
        ansatz += [cirq.ry(symbols[k + i])(q) for i, q in enumerate(qubits)]
        k += len(qubits)
        if layer < n_layers:
            ansatz += [cirq.CNOT(qubits[i], qubits[i + 1]) for i in range(len(qubits) - 1)]
    rng = np.random.default_rng(SEED)
    theta = tf.Variable(rng.uniform(-0.1, 0.1, size=(1, len(symbols))).astype(np.float32))
    energy_of = tfq.layers.Expectation(differentiator=tfq.differentiators.Adjoint())
    optimizer = tf.keras.optimizers.Adam(lr)
    names = [str(s) for s in symbols]
    history = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            energy = energy_of(ansatz, symbol_names=names, symbol_values=theta, operators=hamiltonian)[0, 0]
        optimizer.apply_gradients([(tape.gradient(energy, theta), theta)])
        history.append(float(energy))
    final = energy_of(ansatz, symbol_names=names, symbol_values=theta, operators=hamiltonian)[0, 0]
    resolved = cirq.resolve_parameters(ansatz, dict(zip(names, theta.numpy()[0].astype(float), strict=True)))
    return {"energy": float(final), "circuit": resolved, "history": history}


def maxcut_hamiltonian(edges, qubits) -> cirq.PauliSum:
    """The cut-size observable ``C = sum_{(i, j) in edges} (1 - Z_i Z_j) / 2`` (its eigenvalues are cut sizes)."""
    terms = []
    for i, j in edges:
        terms += [0.5 * cirq.I(qubits[i]), -0.5 * cirq.Z(qubits[i]) * cirq.Z(qubits[j])]
    return cirq.PauliSum.from_pauli_strings(terms)


def run_qaoa(edges, qubits, p: int = 2, steps: int = 60, lr: float = 0.1) -> dict:
    """QAOA for MaxCut: maximize ``<C>`` over ``p`` layers of cost and mixer unitaries.

    The circuit is ``H`` on every qubit, then for each layer ``l``: ``exp(-i gamma_l C)`` (for every edge a
    ``cirq.ZZ ** (-gamma_l / pi)``-type gate, or ``CNOT``-``rz``-``CNOT``) and the mixer ``rx(2 beta_l)`` on every
    qubit. Optimize ``gamma``, ``beta`` with TFQ gradients (Adam), starting from a linear ramp. Then take the
    most likely bitstring of the final state (``tfq.layers.State`` or ``tfq.layers.Sample``).

    Returns:
        A dict: ``"expected_cut"`` (float, final ``<C>``), ``"circuit"`` (the QAOA circuit with the final
        parameters resolved) and ``"best_bitstring"`` (a str of ``'0'``/``'1'``, ``qubits[0]`` first).
    """
    gammas, betas = sympy.symbols(f"g0:{p}"), sympy.symbols(f"b0:{p}")
    circuit = cirq.Circuit(cirq.H(q) for q in qubits)
    for layer in range(p):
        for i, j in edges:
            # exp(-i gamma C) equals exp(+i gamma Z_i Z_j / 2) per edge, up to a global phase.
            circuit += cirq.CNOT(qubits[i], qubits[j])
            circuit += cirq.rz(-gammas[layer])(qubits[j])
            circuit += cirq.CNOT(qubits[i], qubits[j])
        circuit += [cirq.rz(2 * betas[layer])(q) for q in qubits]
    names = [str(s) for s in gammas] + [str(s) for s in betas]
    ramp = (np.arange(p) + 0.5) / p
    theta = tf.Variable(np.concatenate([0.8 * ramp, 0.8 * (1 - ramp)])[None, :].astype(np.float32))
    cost = maxcut_hamiltonian(edges, qubits)
    expectation = tfq.layers.Expectation(differentiator=tfq.differentiators.Adjoint())
    optimizer = tf.keras.optimizers.Adam(lr)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = -expectation(circuit, symbol_names=names, symbol_values=theta, operators=cost)[0, 0]
        optimizer.apply_gradients([(tape.gradient(loss, theta), theta)])
    value = float(expectation(circuit, symbol_names=names, symbol_values=theta, operators=cost)[0, 0])
    resolved = cirq.resolve_parameters(circuit, dict(zip(names, theta.numpy()[0].astype(float), strict=True)))
    state = tfq.layers.State()(tfq.convert_to_tensor([resolved])).to_tensor().numpy()[0]
    best = int(np.argmax(np.abs(state) ** 2))
    angles = theta.numpy()[0].astype(float)
    return {"expected_cut": value, "circuit": resolved, "best_bitstring": format(best, f"0{len(qubits)}b"),
            "gammas": angles[:p].tolist(), "betas": angles[p:].tolist()}
