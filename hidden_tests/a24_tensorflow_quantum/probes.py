"""Worker-side probes for A24, TensorFlow Quantum.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker and hold no expected
answers: they build qubits and circuits from plain specifications the judge sent, call the namespace's
functions, and return plain data. Circuits the student builds are simulated here with
``cirq.Simulator`` (an independent simulator, not TFQ's), and returned as complex state vectors, so the
judge compares them with its own NumPy linear algebra.
"""

import math

import cirq
import numpy as np
import sympy
import tensorflow as tf
import tensorflow_quantum as tfq

_GATES = {"rx": cirq.rx, "ry": cirq.ry, "rz": cirq.rz}


def _qubits(n):
    return cirq.GridQubit.rect(1, int(n))


def _state(circuit, qubits):
    """The final state of ``circuit`` on ``qubits`` (qubits[0] most significant), by cirq's simulator."""
    if not isinstance(circuit, cirq.AbstractCircuit):
        raise TypeError(f"expected a cirq.Circuit, got {type(circuit).__name__}")
    if cirq.is_parameterized(circuit):
        raise ValueError("the circuit still has unresolved symbols")
    extra = sorted(set(circuit.all_qubits()) - set(qubits))
    if extra:
        raise ValueError(f"the circuit acts on qubits {extra} that were not given to it")
    result = cirq.Simulator(dtype=np.complex128).simulate(circuit, qubit_order=list(qubits))
    return np.asarray(result.final_state_vector, np.complex128)


def _serializes(circuits):
    try:
        tfq.convert_to_tensor(list(circuits))
        return ""
    except Exception as exc:  # noqa: BLE001 - the message goes back to the judge as data
        return f"{type(exc).__name__}: {exc}"[:300]


def _circuit_from_spec(spec, qubits):
    """A circuit from ``[[gate, [qubit indices], symbol name or angle], ...]``; returns ``(circuit, symbols)``."""
    circuit, symbols = cirq.Circuit(), {}
    for gate, where, param in spec:
        targets = [qubits[i] for i in where]
        if gate in _GATES:
            if isinstance(param, str):
                symbols.setdefault(param, sympy.Symbol(param))
                circuit += _GATES[gate](symbols[param])(*targets)
            else:
                circuit += _GATES[gate](float(param))(*targets)
        elif gate == "cnot":
            circuit += cirq.CNOT(*targets)
        elif gate == "cz":
            circuit += cirq.CZ(*targets)
        elif gate == "h":
            circuit += cirq.H(*targets)
        elif gate == "x":
            circuit += cirq.X(*targets)
        else:
            raise ValueError(gate)
    return circuit, symbols


def _pauli_sum(terms, qubits):
    """``[[coefficient, "ZZIX"], ...]`` -> ``cirq.PauliSum``."""
    paulis = {"X": cirq.X, "Y": cirq.Y, "Z": cirq.Z}
    total = cirq.PauliSum()
    for coefficient, word in terms:
        string = cirq.PauliString({q: paulis[c] for q, c in zip(qubits, word, strict=True) if c != "I"},
                                  coefficient=float(coefficient))
        total += string
    return total


class _Counter:
    """Counts constructions of the TFQ layer classes while a student's function runs."""

    def __init__(self, *classes):
        self.classes, self.counts, self.saved = classes, {c.__name__: 0 for c in classes}, {}

    def __enter__(self):
        for cls in self.classes:
            original = cls.__init__
            self.saved[cls] = original

            def counting(layer, *args, _original=original, _name=cls.__name__, **kwargs):
                self.counts[_name] += 1
                return _original(layer, *args, **kwargs)

            cls.__init__ = counting
        return self

    def __exit__(self, *exc):
        for cls, original in self.saved.items():
            cls.__init__ = original
        return False


class _KnockedOut:
    """Every ``PQC`` and ``ControlledPQC`` outputs zeros of its usual shape while a student's function runs.

    A model whose predictions stay accurate without its quantum layer never needed it: constructing a PQC beside a
    classical model that does the work passes a construction count, not this.
    """

    CLASSES = (tfq.layers.PQC, tfq.layers.ControlledPQC)

    def __init__(self, active):
        self.active, self.saved = bool(active), {}

    def __enter__(self):
        if self.active:
            for cls in self.CLASSES:
                original = self.saved[cls] = cls.call

                @tf.autograph.experimental.do_not_convert
                def call(layer, inputs, _original=original, **keras_arguments):  # ``training``: not PQC's
                    return 0.0 * _original(layer, inputs)  # zero gradients, not none: fit still runs

                cls.call = call
        return self

    def __exit__(self, *exc):
        for cls, original in self.saved.items():
            cls.call = original
        return False


class _Fits:
    """Records every ``Model.fit`` while a student's function runs: the model's trainable parameter count, counted
    here from its weights' shapes, and whether it holds a TFQ quantum layer."""

    def __init__(self):
        self.fits, self.saved = [], None

    def __enter__(self):
        self.saved = tf.keras.Model.fit
        fits, original = self.fits, self.saved

        def fit(model, *args, **kwargs):
            quantum = any(isinstance(layer, _KnockedOut.CLASSES) for layer in _all_layers(model))
            fits.append((int(sum(np.prod(w.shape) for w in model.trainable_weights)), quantum))
            return original(model, *args, **kwargs)

        tf.keras.Model.fit = fit
        return self

    def __exit__(self, *exc):
        tf.keras.Model.fit = self.saved
        return False


def _all_layers(model):
    found, todo = [], list(getattr(model, "layers", []))
    while todo:
        layer = todo.pop()
        found.append(layer)
        todo.extend(getattr(layer, "layers", []))
    return found


def _layers_of(model, cls):
    return [layer for layer in getattr(model, "layers", []) if isinstance(layer, cls)]


# --------------------------------------------------------------------------------------------
# Q1


def feature_states(ns, X, reps):
    """Cirq states of ``feature_map(x, qubits, reps)`` for every row, and whether the circuits serialize."""
    X = np.asarray(X, np.float64)
    qubits = _qubits(X.shape[1])
    circuits = [ns["feature_map"](x, qubits, int(reps)) for x in X]
    symbols = [sorted(cirq.parameter_names(c)) for c in circuits]
    return {"states": np.stack([_state(c, qubits) for c in circuits]), "serialize_error": _serializes(circuits),
            "symbols": sum(len(s) for s in symbols)}


def kernel(ns, XA, XB):
    """``quantum_kernel(XA, XB, qubits)`` as a float64 array."""
    XA, XB = np.asarray(XA, np.float64), np.asarray(XB, np.float64)
    return np.asarray(ns["quantum_kernel"](XA, XB, _qubits(XA.shape[1])), np.float64)


def classify(ns, name, X_train, y_train, X_test, knockout=False):
    """Predictions of ``fit_predict_qsvm``/``fit_predict_vqc`` and how many TFQ PQC layers it built.

    With ``knockout``, every PQC outputs zeros (``_KnockedOut``).
    """
    X_train = np.asarray(X_train, np.float64)
    with _Counter(tfq.layers.PQC, tfq.layers.ControlledPQC, tfq.layers.Expectation) as counter, \
            _KnockedOut(knockout):
        pred = ns[name](X_train, np.asarray(y_train), np.asarray(X_test, np.float64), _qubits(X_train.shape[1]))
    return {"pred": np.asarray(pred).astype(np.int64).reshape(-1), "layers": counter.counts}


# --------------------------------------------------------------------------------------------
# Q2


def ansatz(ns, n, n_layers, values):
    """Symbol names of ``hardware_efficient_ansatz`` and its cirq state with ``values`` bound in symbol order."""
    qubits = _qubits(n)
    circuit, symbols = ns["hardware_efficient_ansatz"](qubits, int(n_layers))
    names = [str(s) for s in symbols]
    info = {"names": names, "circuit_symbols": sorted(cirq.parameter_names(circuit)), "state": None}
    if len(names) == len(values):
        resolved = cirq.resolve_parameters(circuit, dict(zip(names, map(float, values), strict=True)))
        info["state"] = _state(resolved, qubits)
    return info


def qnn(ns, n, n_layers, X):
    """``build_qnn`` on rx-angle-encoded inputs, and the same expectations computed with cirq."""
    qubits = _qubits(n)
    model = ns["build_qnn"](qubits, int(n_layers))
    inputs = [cirq.Circuit(cirq.rx(float(v))(q) for v, q in zip(x, qubits, strict=True)) for x in np.asarray(X)]
    out = model(tfq.convert_to_tensor(inputs))
    pqc = _layers_of(model, tfq.layers.PQC)
    info = {"out": tf.convert_to_tensor(out), "n_pqc": len(pqc),
            "trainable": int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)), "cirq": None}
    if len(pqc) == 1:
        layer = pqc[0]
        model_circuit = tfq.from_tensor(layer._model_circuit)[0]
        resolved = cirq.resolve_parameters(model_circuit, {str(k): float(v) for k, v in layer.symbol_values().items()})
        operators = tfq.from_tensor(layer._operators)[0]
        rows = []
        for circuit in inputs:
            state = _state(circuit + resolved, qubits)
            rows.append([float(np.real(op.expectation_from_state_vector(
                state.astype(np.complex64), {q: i for i, q in enumerate(qubits)}))) for op in operators])
        info["cirq"] = np.asarray(rows)
        info["n_symbols"] = len(layer.symbols)
    return info


def controlled(ns, n, spec, names, values, operators, differentiator):
    """``controlled_expectation_and_gradient`` on the circuit of ``spec`` with Pauli-word operators."""
    qubits = _qubits(n)
    circuit, table = _circuit_from_spec(spec, qubits)
    ops = [_pauli_sum(terms, qubits) for terms in operators]
    expectations, gradient = ns["controlled_expectation_and_gradient"](
        circuit, [table[name] for name in names], tf.constant(np.asarray(values, np.float32)), ops, differentiator)
    return {"expectations": tf.convert_to_tensor(expectations), "gradient": tf.convert_to_tensor(gradient)}


def shifted_states(ns, n, spec, names, values):
    """Cirq states at ``values`` and at every ``values +- pi/2`` along one symbol (for a parameter-shift rule).

    Returns ``(B, 1 + 2 * S, 2**n)`` states: index 0 unshifted, then ``+shift_k``, ``-shift_k`` for each k.
    """
    qubits = _qubits(n)
    circuit, _ = _circuit_from_spec(spec, qubits)
    values = np.asarray(values, np.float64)
    out = []
    for row in values:
        points = [row]
        for k in range(len(names)):
            for sign in (1.0, -1.0):
                shifted = row.copy()
                shifted[k] += sign * math.pi / 2
                points.append(shifted)
        out.append([_state(cirq.resolve_parameters(circuit, dict(zip(names, map(float, p), strict=True))), qubits)
                    for p in points])
    return np.asarray(out)


# --------------------------------------------------------------------------------------------
# Q3


def _ry_count(circuit):
    count = 0
    for op in circuit.all_operations():
        gate = op.gate
        while isinstance(gate, cirq.ControlledGate):
            gate = gate.sub_gate
        if isinstance(gate, (cirq.Rx, cirq.Ry, cirq.Rz, cirq.XPowGate, cirq.YPowGate, cirq.ZPowGate)):
            count += 1
    return count


def encoded(ns, kind, X):
    """Cirq states of ``{kind}_encode(x, qubits)`` for every row, the rotation count, and serializability."""
    X = np.asarray(X, np.float64)
    n = X.shape[1] if kind != "amplitude" else int(round(math.log2(X.shape[1])))
    qubits = _qubits(n)
    circuits = [ns[f"{kind}_encode"](x, qubits) for x in X]
    bad = sorted({type(op.gate).__name__ for c in circuits for op in c.all_operations()
                  if isinstance(op.gate, (cirq.MatrixGate, cirq.StatePreparationChannel))})
    return {"states": np.stack([_state(c, qubits) for c in circuits]), "serialize_error": _serializes(circuits),
            "rotations": [_ry_count(c) for c in circuits], "matrix_gates": bad,
            "tfq_states": _tfq_states(circuits, n)}


def _tfq_states(circuits, n):
    """States from ``tfq.layers.State`` for circuits that act on all ``n`` qubits (else None)."""
    try:
        if any(len(c.all_qubits()) != n for c in circuits):
            return None
        return tfq.layers.State()(tfq.convert_to_tensor(circuits)).to_tensor().numpy()
    except Exception:  # noqa: BLE001 - unserializable circuits are reported by _serializes
        return None


def batch(ns, kind, X, n):
    """``encode_batch(X, qubits, kind)``: its type, dtype and shape, and the cirq states of its circuits."""
    qubits = _qubits(n)
    tensor = ns["encode_batch"](np.asarray(X, np.float64), qubits, kind)
    info = {"is_tensor": isinstance(tensor, tf.Tensor), "dtype": getattr(getattr(tensor, "dtype", None), "name", ""),
            "shape": list(getattr(tensor, "shape", [])), "states": None}
    if info["is_tensor"] and info["dtype"] == "string":
        info["states"] = np.stack([_state(c, qubits) for c in tfq.from_tensor(tensor)])
    return info


# --------------------------------------------------------------------------------------------
# Q4


def hamiltonian_matrix(ns, n, J, h):
    """The matrix of ``tfim_hamiltonian(qubits, J, h)`` on ``qubits`` (qubits[0] most significant)."""
    qubits = _qubits(n)
    ham = ns["tfim_hamiltonian"](qubits, float(J), float(h))
    return {"type": type(ham).__name__, "matrix": np.asarray(cirq.PauliSum.wrap(ham).matrix(qubits), np.complex128)}


def maxcut_matrix(ns, n, edges):
    """The matrix of ``maxcut_hamiltonian(edges, qubits)``."""
    qubits = _qubits(n)
    ham = ns["maxcut_hamiltonian"]([tuple(e) for e in edges], qubits)
    return np.asarray(cirq.PauliSum.wrap(ham).matrix(qubits), np.complex128)


def vqe(ns, n, terms, **kwargs):
    """``run_vqe`` on the Pauli-sum ``terms``: its energy and history, and the cirq state of its circuit."""
    qubits = _qubits(n)
    out = ns["run_vqe"](_pauli_sum(terms, qubits), qubits, **kwargs)
    return {"energy": float(out["energy"]), "history": [float(e) for e in out["history"]],
            "state": _state(out["circuit"], qubits)}


def qaoa(ns, n, edges, **kwargs):
    """``run_qaoa``: its expected cut and best bitstring, and the cirq state of its circuit."""
    qubits = _qubits(n)
    out = ns["run_qaoa"]([tuple(e) for e in edges], qubits, **kwargs)
    circuit = out["circuit"]
    return {"expected_cut": float(out["expected_cut"]), "best_bitstring": str(out["best_bitstring"]),
            "gammas": np.asarray(out["gammas"], np.float64).reshape(-1),
            "betas": np.asarray(out["betas"], np.float64).reshape(-1),
            "state": _state(circuit, qubits),
            "n_hadamard": sum(1 for op in circuit.all_operations() if op.gate == cirq.H)}


# --------------------------------------------------------------------------------------------
# Q5


def hybrid_structure(ns, n_features, n_qubits, X):
    """Layer types of ``build_hybrid`` in graph order and its output on ``X`` (with empty input circuits)."""
    model = ns["build_hybrid"](int(n_features), _qubits(n_qubits))
    X = np.asarray(X, np.float32)
    empty = tfq.convert_to_tensor([cirq.Circuit()] * len(X))
    out = model([empty, tf.constant(X)])
    return {"layers": [type(layer).__name__ for layer in model.layers], "out": tf.convert_to_tensor(out),
            "n_inputs": len(model.inputs)}


def hybrid_gradients(ns, n_features, n_qubits, X, y, entries, eps):
    """Tape gradients of the BCE loss for every trainable variable, and central differences for some entries.

    ``entries`` are flat indices into the first trainable variable (the first Dense kernel).
    """
    model = ns["build_hybrid"](int(n_features), _qubits(n_qubits))
    X, y = tf.constant(np.asarray(X, np.float32)), tf.constant(np.asarray(y, np.float32).reshape(-1, 1))
    empty = tfq.convert_to_tensor([cirq.Circuit()] * int(X.shape[0]))
    bce = tf.keras.losses.BinaryCrossentropy()

    def loss():
        return bce(y, model([empty, X]))

    with tf.GradientTape() as tape:
        value = loss()
    variables = model.trainable_variables
    grads = tape.gradient(value, variables)
    first = variables[0]
    original = first.numpy()
    numeric = []
    for flat in entries:
        values = []
        for sign in (1.0, -1.0):
            changed = original.copy().reshape(-1)
            changed[int(flat)] += sign * float(eps)
            first.assign(changed.reshape(original.shape))
            values.append(float(loss()))
        numeric.append((values[0] - values[1]) / (2 * float(eps)))
    first.assign(original)
    analytic = [float(np.asarray(grads[0]).reshape(-1)[int(f)]) if grads[0] is not None else float("nan")
                for f in entries]
    return {"names": [v.name for v in variables],
            "norms": [None if g is None else float(tf.norm(tf.convert_to_tensor(g))) for g in grads],
            "analytic": analytic, "numeric": numeric}


def hybrid_predict(ns, X_train, y_train, X_test, n_qubits, knockout=False):
    """``fit_predict_hybrid`` predictions and the TFQ layers it built (with ``knockout``, PQCs output zeros)."""
    with _Counter(tfq.layers.PQC, tfq.layers.ControlledPQC) as counter, _KnockedOut(knockout):
        pred = ns["fit_predict_hybrid"](np.asarray(X_train, np.float32), np.asarray(y_train),
                                        np.asarray(X_test, np.float32), _qubits(n_qubits))
    return {"pred": np.asarray(pred).astype(np.int64).reshape(-1), "layers": counter.counts}


# --------------------------------------------------------------------------------------------
# Q6


def resources(ns, n, spec):
    """``resource_report`` of the circuit of ``spec``."""
    circuit, _ = _circuit_from_spec(spec, _qubits(n))
    return ns["resource_report"](circuit)


def noisy_chain(ns, k, p_values, repetitions):
    """``noisy_expectations`` of ``<Z>`` after ``k`` X gates on one qubit, for each depolarizing ``p``."""
    qubit = _qubits(1)[0]
    circuit = cirq.Circuit([cirq.Moment([cirq.X(qubit)]) for _ in range(int(k))])
    out = ns["noisy_expectations"](circuit, cirq.Z(qubit), [float(p) for p in p_values], int(repetitions))
    return np.asarray(out, np.float64).reshape(-1)


def benchmark(ns, X_train, y_train, X_test, seeds, knockout=False):
    """``benchmark_quantum_vs_classical``, the TFQ layers it built and the models it fitted (``_Fits``).

    With ``knockout``, PQCs output zeros.
    """
    with _Counter(tfq.layers.PQC, tfq.layers.ControlledPQC) as counter, _Fits() as fits, _KnockedOut(knockout):
        out = ns["benchmark_quantum_vs_classical"](np.asarray(X_train, np.float32), np.asarray(y_train),
                                                   np.asarray(X_test, np.float32), [int(s) for s in seeds])
    return {"quantum": np.asarray(out["quantum"]).astype(np.int64),
            "classical": np.asarray(out["classical"]).astype(np.int64),
            "quantum_params": int(out["quantum_params"]), "classical_params": int(out["classical_params"]),
            "layers": counter.counts, "fits": [list(f) for f in fits.fits]}
