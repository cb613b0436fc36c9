"""Hidden tests for A30 Q4: the compiled circuit is checked here with Cirq (gate set, device edges, unitary after
the qubit mappings); shot estimates are compared with exact expectations over many seeds; readout mitigation against
NumPy least squares and the total-variation distance; the repetition code against 3p^2 - 2p^3."""

import warnings

import numpy as np
import pytest

from graders import checks

warnings.filterwarnings("ignore", category=FutureWarning)
import cirq  # noqa: E402

pytestmark = pytest.mark.question("q4")


def _device(rows, cols):
    qubits = [cirq.GridQubit(r, c) for r in range(rows) for c in range(cols)]
    return [(a, b) for a in qubits for b in qubits if a < b and a.is_adjacent(b)]


def _circuit(rng, n, moments):
    qs = cirq.LineQubit.range(n)
    return cirq.testing.random_circuit(qs, n_moments=moments, op_density=0.8,
                                       random_state=int(rng.integers(1 << 30)))


@pytest.mark.points(3)
def test_compiled_circuit_is_valid_and_equivalent(student, rng):
    for (rows, cols), n in (((2, 3), 5), ((1, 5), 4)):
        edges = _device(rows, cols)
        circuit = _circuit(rng, n, 10)
        out = student.probe("compile_case", cirq.to_json(circuit), cirq.to_json([list(e) for e in edges]))
        compiled = cirq.read_json(json_text=out["circuit"])
        initial = {k: v for k, v in cirq.read_json(json_text=out["initial"])}
        final = {k: v for k, v in cirq.read_json(json_text=out["final"])}
        assert isinstance(compiled, cirq.Circuit), "compile_for_device returns a cirq.Circuit first"
        assert cirq.CZTargetGateset().validate(compiled), "the compiled circuit uses gates outside the CZ gate set"
        edge_set = {frozenset(e) for e in edges}
        for op in compiled.all_operations():
            assert len(op.qubits) <= 2, "a gate on more than two qubits survived compilation"
            if len(op.qubits) == 2:
                assert frozenset(op.qubits) in edge_set, "a two-qubit gate acts on qubits that are not adjacent"
        assert set(initial) == set(circuit.all_qubits()), "initial_mapping must place every logical qubit"
        assert len(set(initial.values())) == len(initial), "initial_mapping places two qubits on one device qubit"
        try:
            cirq.testing.assert_circuits_have_same_unitary_given_final_permutation(
                compiled, circuit.transform_qubits(initial), qubit_map=final)
        except (AssertionError, ValueError) as e:
            raise AssertionError("the compiled circuit's unitary differs from the original's after the qubit "
                                 f"mappings ({type(e).__name__})") from None


def _exact_parity(circuit, measured):
    qubits = sorted(circuit.all_qubits())
    state = cirq.final_state_vector(circuit, qubit_order=qubits)
    probs = np.abs(state) ** 2
    n = len(qubits)
    idx = np.arange(2 ** n)
    parity = np.ones(2 ** n)
    for k in range(measured):
        parity *= 1 - 2 * ((idx >> (n - 1 - k)) & 1)
    return float(np.sum(probs * parity))


@pytest.mark.points(2)
def test_shot_estimates_scatter_like_shot_noise(student, rng):
    qs = cirq.LineQubit.range(3)
    circuit = cirq.Circuit(cirq.ry(float(rng.uniform(0.9, 1.1))).on(qs[0]), cirq.ry(float(rng.uniform(0.3, 0.5))).on(
        qs[1]), cirq.CZ(qs[0], qs[1]), cirq.H(qs[1]), cirq.CNOT(qs[1], qs[2]))
    exact = _exact_parity(circuit, 2)
    shots = 400
    seeds = [int(s) for s in rng.integers(0, 1 << 30, size=30)]
    got = np.asarray(student.probe("shots_case", cirq.to_json(circuit), 2, shots, seeds), np.float64)
    means, ses = got[:, 0], got[:, 1]
    assert np.all(np.abs(means * shots - np.round(means * shots)) < 1e-6), "a shot mean is a multiple of 1/shots"
    want_se = np.sqrt(np.clip(1 - means ** 2, 0, None) * shots / (shots - 1) / shots)
    checks.assert_tensor(ses, want_se, expect="any", atol=1e-9, rtol=1e-6, name="stderr (std with ddof=1 / sqrt)")
    z = (means - exact) / np.sqrt((1 - exact ** 2) / shots)
    assert abs(z.mean()) < 4 / np.sqrt(len(z)), "the shot estimates are biased"
    assert 0.4 < z.std() < 1.8, "the estimates do not scatter like independent shot noise over seeds"


@pytest.mark.points(2)
def test_readout_mitigation(student, rng):
    n = 3
    p01, p10 = 0.04, 0.09
    single = np.array([[1 - p01, p10], [p01, 1 - p10]])
    M = np.kron(np.kron(single, single), single)
    checks.assert_tensor(student.call("readout_confusion", p01, p10, n), M, expect="any", atol=1e-12,
                         name="readout_confusion (big-endian kron)")
    asym = np.kron(np.array([[0.9, 0.3], [0.1, 0.7]]), np.eye(2))
    checks.assert_tensor(student.call("readout_confusion", 0.1, 0.3, 1), asym[::2, ::2], expect="any", atol=1e-12,
                         name="readout_confusion (p01, p10 order)")
    ideal = np.zeros(2 ** n)
    ideal[[0, 5, 7]] = [0.5, 0.3, 0.2]
    shots = 20000
    noisy = rng.multinomial(shots, M @ ideal)
    counts = {format(i, f"0{n}b"): int(c) for i, c in enumerate(noisy) if c}
    got = np.asarray(student.call("mitigate_readout", counts, M), np.float64)
    p = np.linalg.lstsq(M, noisy / shots, rcond=None)[0]
    p = np.clip(p, 0, None)
    checks.assert_tensor(got, p / p.sum(), expect="any", atol=1e-9, name="mitigated distribution")
    tv_raw = 0.5 * np.abs(noisy / shots - ideal).sum()
    tv_mit = 0.5 * np.abs(got - ideal).sum()
    assert tv_mit < 0.5 * tv_raw, "mitigation does not bring the distribution closer to the ideal one"


@pytest.mark.points(3)
def test_repetition_code_logical_error(student, rng):
    bits = rng.integers(0, 2, size=(50, 5))
    checks.assert_tensor(student.call("majority_decode", bits), (bits.sum(axis=1) >= 3).astype(int), expect="any",
                         atol=0, name="majority_decode of 5-bit rows")
    shots = 4000
    values = []
    for p in (0.05, 0.2):
        want = 3 * p ** 2 - 2 * p ** 3
        sigma = np.sqrt(want * (1 - want) / shots)
        for seed in [int(s) for s in rng.integers(0, 1 << 30, size=2)]:
            got = float(student.call("repetition_code_logical_error", p, shots, seed))
            assert abs(got * shots - round(got * shots)) < 1e-6, "the rate is a count over shots"
            assert abs(got - want) < 4.5 * sigma, f"the logical error rate at p={p} is off 3p^2 - 2p^3"
            values.append(got)
    assert len(set(values[:2])) == 2 or len(set(values[2:])) == 2, "the rate does not depend on the seed"
