"""Reference solution for A24, TensorFlow Quantum.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro): TFQ's differentiators (``Adjoint``,
``ParameterShift``, ``LinearCombination``, ``ForwardDifference``, ``CentralDifference``) give first-order
gradients only, so "second-order methods" are not what TFQ provides; TFQ 0.7.6 runs on its qsim-based
simulators (a ``cirq.Sampler`` can be plugged in, but no hardware is reachable here); TFQ serializes only
its supported gate set (``cirq.MatrixGate`` and ``cirq.StatePreparationChannel`` fail), so amplitude
encoding must be built from rotations; ``tfq.datasets.tfi_chain``/``xxz_chain`` download their data;
TFQ layers are ``tf_keras`` layers, so ``TF_USE_LEGACY_KERAS=1`` must be set before TensorFlow is
imported; and "quantum advantage" for these small models is not shown by anything in this course:
a 2-4 qubit circuit is simulated classically in microseconds.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import cirq
import numpy as np
import sympy
import tensorflow as tf
import tensorflow_quantum as tfq

SEED = 0


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    state_layer = tfq.layers.State()

    def states(X):
        circuits = tfq.convert_to_tensor([feature_map(x, qubits) for x in np.asarray(X)])
        return state_layer(circuits).to_tensor().numpy().astype(np.complex128)

    overlaps = states(XA).conj() @ states(XB).T
    return np.abs(overlaps) ** 2
    ### END SOLUTION


def fit_predict_qsvm(X_train, y_train, X_test, qubits) -> np.ndarray:
    """A quantum-kernel support vector machine.

    Train ``sklearn.svm.SVC(kernel="precomputed", C=10.0)`` on ``quantum_kernel(X_train, X_train)`` and
    predict with ``quantum_kernel(X_test, X_train)``.

    Returns:
        An ``int64`` array of predicted labels in ``{0, 1}``, shape ``(len(X_test),)``.
    """
    ### BEGIN SOLUTION
    from sklearn.svm import SVC

    svc = SVC(kernel="precomputed", C=10.0)
    svc.fit(quantum_kernel(X_train, X_train, qubits), np.asarray(y_train))
    return svc.predict(quantum_kernel(X_test, X_train, qubits)).astype(np.int64)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    return (model.predict(x_test, verbose=0)[:, 0] > 0).astype(np.int64)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    n = len(qubits)
    symbols = [sympy.Symbol(f"{prefix}_{k}") for k in range(2 * n * n_layers)]
    circuit, k = cirq.Circuit(), 0
    for _ in range(n_layers):
        circuit += [cirq.ry(symbols[k + i])(q) for i, q in enumerate(qubits)]
        k += n
        circuit += [cirq.rz(symbols[k + i])(q) for i, q in enumerate(qubits)]
        k += n
        circuit += [cirq.CZ(qubits[i], qubits[i + 1]) for i in range(n - 1)]
    return circuit, symbols
    ### END SOLUTION


def build_qnn(qubits, n_layers: int) -> tf.keras.Model:
    """A quantum neural network: ``tfq.layers.PQC`` on the hardware-efficient ansatz.

    Input: ``tf.keras.Input(shape=(), dtype=tf.string)`` (a batch of serialized data circuits). One
    ``tfq.layers.PQC(ansatz, [cirq.Z(q) for q in qubits])`` layer (adjoint differentiator, the default)
    whose trainable weights are the ansatz's ``2 * n * n_layers`` symbols. Output: ``(batch, n)``
    expectation values ``<Z_i>`` in ``[-1, 1]``.
    """
    ### BEGIN SOLUTION
    ansatz, _ = hardware_efficient_ansatz(qubits, n_layers)
    inputs = tf.keras.Input(shape=(), dtype=tf.string)
    outputs = tfq.layers.PQC(ansatz, [cirq.Z(q) for q in qubits],
                             differentiator=tfq.differentiators.Adjoint())(inputs)
    return tf.keras.Model(inputs, outputs)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q3]
def basis_encode(bits, qubits) -> cirq.Circuit:
    """Basis encoding: the computational basis state ``|b_0 b_1 ... b_{n-1}>`` (``b_0`` on ``qubits[0]``).

    ``cirq.X`` on every qubit whose bit is 1, nothing on the others.
    """
    ### BEGIN SOLUTION
    return cirq.Circuit([cirq.X(q) for b, q in zip(bits, qubits, strict=True) if int(b) == 1])
    ### END SOLUTION


def angle_encode(x, qubits) -> cirq.Circuit:
    """Angle encoding: ``cirq.ry(x[i])`` on ``qubits[i]``, one feature per qubit.

    The state is the product of ``cos(x_i / 2)|0> + sin(x_i / 2)|1>``.
    """
    ### BEGIN SOLUTION
    return cirq.Circuit([cirq.ry(float(v))(q) for v, q in zip(x, qubits, strict=True)])
    ### END SOLUTION


def amplitude_encode(x, qubits) -> cirq.Circuit:
    """Amplitude encoding of a real vector of length ``2**n`` (signs included), normalized first.

    Prepare ``sum_k x_k / |x| |k>`` (``qubits[0]`` is the most significant bit, as in cirq) with a binary
    tree of ``ry`` rotations: ``ry`` on ``qubits[0]``, then on each next qubit one ``ry`` per value of the
    qubits above it, controlled on those values (``gate.on(q).controlled_by(*above, control_values=...)``).
    That is at most ``2**n - 1`` rotations. Do not use ``cirq.MatrixGate`` or
    ``cirq.StatePreparationChannel``: TFQ cannot serialize them.
    """
    ### BEGIN SOLUTION
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
                angle = 2.0 * np.arctan2(right[0], left[0])
            else:
                angle = 2.0 * np.arctan2(np.linalg.norm(right), np.linalg.norm(left))
            gate = cirq.ry(float(angle))
            if level == 0:
                circuit += gate(qubits[0])
            else:
                controls = [(prefix >> (level - 1 - j)) & 1 for j in range(level)]
                circuit += gate.on(qubits[level]).controlled_by(*qubits[:level], control_values=controls)
    return circuit
    ### END SOLUTION


def encode_batch(X, qubits, kind: str) -> tf.Tensor:
    """Encode every row of ``X`` with ``"basis"``, ``"angle"`` or ``"amplitude"`` encoding.

    Returns:
        The ``tf.string`` tensor of shape ``(len(X),)`` from ``tfq.convert_to_tensor``.
    """
    ### BEGIN SOLUTION
    encoders = {"basis": basis_encode, "angle": angle_encode, "amplitude": amplitude_encode}
    return tfq.convert_to_tensor([encoders[kind](x, qubits) for x in np.asarray(X)])
    ### END SOLUTION


# %% [q4]
def tfim_hamiltonian(qubits, J: float = 1.0, h: float = 1.0) -> cirq.PauliSum:
    """The open transverse-field Ising chain ``H = -J sum_i Z_i Z_{i+1} - h sum_i X_i``."""
    ### BEGIN SOLUTION
    terms = [-J * cirq.Z(qubits[i]) * cirq.Z(qubits[i + 1]) for i in range(len(qubits) - 1)]
    terms += [-h * cirq.X(q) for q in qubits]
    return cirq.PauliSum.from_pauli_strings(terms)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def maxcut_hamiltonian(edges, qubits) -> cirq.PauliSum:
    """The cut-size observable ``C = sum_{(i, j) in edges} (1 - Z_i Z_j) / 2`` (its eigenvalues are cut sizes)."""
    ### BEGIN SOLUTION
    terms = []
    for i, j in edges:
        terms += [0.5 * cirq.I(qubits[i]), -0.5 * cirq.Z(qubits[i]) * cirq.Z(qubits[j])]
    return cirq.PauliSum.from_pauli_strings(terms)
    ### END SOLUTION


def run_qaoa(edges, qubits, p: int = 2, steps: int = 60, lr: float = 0.1) -> dict:
    """QAOA for MaxCut: maximize ``<C>`` over ``p`` layers of cost and mixer unitaries.

    The circuit is ``H`` on every qubit, then for each layer ``l``: ``exp(-i gamma_l C)`` (for every edge a
    ``cirq.ZZ ** (-gamma_l / pi)``-type gate, or ``CNOT``-``rz``-``CNOT``) and the mixer ``rx(2 beta_l)`` on every
    qubit. Optimize ``gamma``, ``beta`` with TFQ gradients (Adam), starting from a linear ramp. Then take the
    most likely bitstring of the final state (``tfq.layers.State`` or ``tfq.layers.Sample``).

    Returns:
        A dict: ``"expected_cut"`` (float, final ``<C>``), ``"circuit"`` (the QAOA circuit with the final
        parameters resolved), ``"best_bitstring"`` (a str of ``'0'``/``'1'``, ``qubits[0]`` first) and
        ``"gammas"``, ``"betas"`` (the final angles, ``p`` floats each, in the convention above: the cost layer is
        ``exp(-i gamma_l C)`` and the mixer ``exp(-i beta_l sum_k X_k)``; the hidden tests rebuild the QAOA state
        from them and compare it with your circuit's).
    """
    ### BEGIN SOLUTION
    gammas, betas = sympy.symbols(f"g0:{p}"), sympy.symbols(f"b0:{p}")
    circuit = cirq.Circuit(cirq.H(q) for q in qubits)
    for layer in range(p):
        for i, j in edges:
            # exp(-i gamma C) equals exp(+i gamma Z_i Z_j / 2) per edge, up to a global phase.
            circuit += cirq.CNOT(qubits[i], qubits[j])
            circuit += cirq.rz(-gammas[layer])(qubits[j])
            circuit += cirq.CNOT(qubits[i], qubits[j])
        circuit += [cirq.rx(2 * betas[layer])(q) for q in qubits]
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
    ### END SOLUTION


# %% [q5]
def hybrid_circuit(qubits):
    """The quantum part of the hybrid model: ``ry(a_i) rz(b_i)`` on every qubit, a ``CZ`` chain, then ``ry(c_i)``.

    Returns:
        ``(circuit, symbols)`` with ``3 * n`` symbols.
    """
    ### BEGIN SOLUTION
    n = len(qubits)
    symbols = sympy.symbols(f"h0:{3 * n}")
    circuit = cirq.Circuit([cirq.ry(symbols[i])(q) for i, q in enumerate(qubits)])
    circuit += [cirq.rz(symbols[n + i])(q) for i, q in enumerate(qubits)]
    circuit += [cirq.CZ(qubits[i], qubits[i + 1]) for i in range(n - 1)]
    circuit += [cirq.ry(symbols[2 * n + i])(q) for i, q in enumerate(qubits)]
    return circuit, list(symbols)
    ### END SOLUTION


def build_hybrid(n_features: int, qubits) -> tf.keras.Model:
    """A hybrid classical-quantum-classical classifier.

    Inputs, in this order: ``tf.keras.Input(shape=(), dtype=tf.string)`` (data circuits; empty circuits
    when there is no quantum input) and ``tf.keras.Input(shape=(n_features,))``. The features go through
    ``Dense(16, "tanh")`` and ``Dense(3 * n)`` (the circuit's angles), into
    ``tfq.layers.ControlledPQC(hybrid_circuit(qubits), [cirq.Z(q) for q in qubits])``, and the ``n``
    expectation values into ``Dense(1, "sigmoid")``: the probability of class 1. Gradients flow through the
    quantum layer into the classical layers before it.
    """
    ### BEGIN SOLUTION
    circuit, _ = hybrid_circuit(qubits)
    circuits = tf.keras.Input(shape=(), dtype=tf.string)
    features = tf.keras.Input(shape=(n_features,), dtype=tf.float32)
    hidden = tf.keras.layers.Dense(16, activation="tanh")(features)
    angles = tf.keras.layers.Dense(3 * len(qubits))(hidden)
    expectations = tfq.layers.ControlledPQC(circuit, [cirq.Z(q) for q in qubits],
                                            differentiator=tfq.differentiators.Adjoint())([circuits, angles])
    outputs = tf.keras.layers.Dense(1, activation="sigmoid")(expectations)
    return tf.keras.Model([circuits, features], outputs)
    ### END SOLUTION


def fit_predict_hybrid(X_train, y_train, X_test, qubits, epochs: int = 20) -> np.ndarray:
    """Train ``build_hybrid`` (seeded with ``SEED``, binary cross-entropy, Adam) and predict ``int64`` labels."""
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(SEED)
    X_train, X_test = np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    model = build_hybrid(X_train.shape[1], qubits)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss="binary_crossentropy")

    def empty(n):
        return tfq.convert_to_tensor([cirq.Circuit()] * n)

    model.fit([empty(len(X_train)), (X_train - mean) / std], np.asarray(y_train, np.float32),
              epochs=epochs, batch_size=16, verbose=0)
    probs = model.predict([empty(len(X_test)), (X_test - mean) / std], verbose=0)[:, 0]
    return (probs > 0.5).astype(np.int64)
    ### END SOLUTION


# %% [q6]
def resource_report(circuit) -> dict:
    """Resources of a circuit: ``{"n_qubits", "depth", "n_1q", "n_2q", "n_params"}`` (all ints).

    ``depth`` is the number of moments, ``n_1q``/``n_2q`` count operations on one / two qubits, ``n_params``
    the number of distinct ``sympy`` symbols (``cirq.parameter_names``).
    """
    ### BEGIN SOLUTION
    ops = list(circuit.all_operations())
    return {"n_qubits": len(circuit.all_qubits()), "depth": len(circuit),
            "n_1q": sum(1 for op in ops if len(op.qubits) == 1),
            "n_2q": sum(1 for op in ops if len(op.qubits) == 2),
            "n_params": len(cirq.parameter_names(circuit))}
    ### END SOLUTION


def statevector_memory_bytes(n_qubits: int, dtype: str = "complex64") -> int:
    """Bytes a state-vector simulator needs for one state: ``2**n`` amplitudes of 8 (complex64) or 16 bytes."""
    ### BEGIN SOLUTION
    return int(2**n_qubits * np.dtype(dtype).itemsize)
    ### END SOLUTION


def noisy_expectations(circuit, operator, p_values, repetitions: int = 2000) -> np.ndarray:
    """``<operator>`` of ``circuit.with_noise(cirq.depolarize(p))`` for each ``p``, simulated by TFQ.

    Use TFQ's trajectory simulator (``tfq.layers.Expectation(backend="noisy")`` with ``repetitions``, or
    ``tfq.noise.expectation``). The circuit has no symbols.

    Returns:
        A ``float64`` array of shape ``(len(p_values),)``.
    """
    ### BEGIN SOLUTION
    circuits = [circuit.with_noise(cirq.depolarize(float(p))) if p > 0 else circuit for p in p_values]
    layer = tfq.layers.Expectation(backend="noisy")
    out = layer(tfq.convert_to_tensor(circuits), operators=[operator], repetitions=int(repetitions))
    return out.numpy()[:, 0].astype(np.float64)
    ### END SOLUTION


def paired_verdict(quantum_scores, classical_scores, alpha: float = 0.05) -> str:
    """The honest verdict of a paired comparison over seeds (two-sided paired t-test).

    Returns ``"quantum better"`` or ``"classical better"`` when ``scipy.stats.ttest_rel`` gives ``p < alpha``
    (by the sign of the mean difference), and ``"no evidence"`` otherwise, including when every difference is
    zero (the test is undefined then).
    """
    ### BEGIN SOLUTION
    from scipy import stats

    diff = np.asarray(quantum_scores, np.float64) - np.asarray(classical_scores, np.float64)
    if np.allclose(diff, diff[0]) and diff[0] == 0:
        return "no evidence"
    p_value = stats.ttest_rel(quantum_scores, classical_scores).pvalue
    if not np.isfinite(p_value) or p_value >= alpha:
        return "no evidence"
    return "quantum better" if diff.mean() > 0 else "classical better"
    ### END SOLUTION


def benchmark_quantum_vs_classical(X_train, y_train, X_test, seeds, epochs: int = 10) -> dict:
    """The same 2-feature task learned by a small quantum model and by a classical model of equal size.

    For every seed (``tf.keras.utils.set_random_seed(seed)``): a quantum classifier (angle encoding
    ``rx(x_i)`` of the standardized features on 2 qubits, a trainable ``PQC`` with at most 12 parameters,
    ``<Z_0>`` readout) and a classical MLP with at most as many trainable parameters as the quantum model,
    each trained with ``Model.fit`` the same number of epochs with the same optimizer and loss.

    Returns:
        A dict: ``"quantum"`` and ``"classical"``: ``int64`` arrays ``(len(seeds), len(X_test))`` of
        predicted labels; ``"quantum_params"`` and ``"classical_params"``: the trainable parameter counts of the
        models trained.
    """
    ### BEGIN SOLUTION
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
    out["quantum"], out["classical"] = np.stack(out["quantum"]), np.stack(out["classical"])
    return out
    ### END SOLUTION
