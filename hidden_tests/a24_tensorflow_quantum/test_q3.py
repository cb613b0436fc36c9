"""Hidden tests for A24 Q3: basis, angle and amplitude encodings, checked against cirq state vectors."""

import numpy as np
import pytest

pytestmark = pytest.mark.question("q3")


def _fidelities(got, want):
    got, want = np.asarray(got, np.complex128), np.asarray(want, np.complex128)
    return np.abs(np.sum(got.conj() * want, axis=-1)) ** 2


def _angle_state(x):
    psi = np.array([1.0])
    for v in x:
        psi = np.kron(psi, [np.cos(v / 2), np.sin(v / 2)])
    return psi


@pytest.mark.points(2)
def test_basis_encoding_is_the_computational_basis_state(student, rng):
    bits = rng.integers(0, 2, size=(6, 4))
    bits[0] = 0
    bits[1] = 1
    got = student.probe("encoded", "basis", bits)
    assert got["serialize_error"] == "", f"tfq.convert_to_tensor failed: {got['serialize_error']}"
    want = np.zeros((len(bits), 16))
    for row, b in enumerate(bits):
        want[row, int("".join(map(str, b)), 2)] = 1.0  # qubits[0] is the most significant bit
    fidelity = _fidelities(got["states"], want)
    assert fidelity.min() > 1 - 1e-6, (
        f"basis_encode({bits[int(np.argmin(fidelity))].tolist()}) does not prepare that basis state (bit i on "
        "qubits[i], qubits[0] most significant)")


@pytest.mark.points(2)
def test_angle_encoding_is_a_ry_product_state(student, rng):
    X = rng.uniform(-np.pi, np.pi, size=(5, 3))
    got = student.probe("encoded", "angle", X)
    assert got["serialize_error"] == "", f"tfq.convert_to_tensor failed: {got['serialize_error']}"
    want = np.stack([_angle_state(x) for x in X])
    fidelity = _fidelities(got["states"], want)
    assert fidelity.min() > 1 - 1e-6, (
        f"angle_encode gives fidelity {fidelity.min():.4f} with the product of cos(x_i/2)|0> + sin(x_i/2)|1> "
        "(ry(x_i), not rx, on qubits[i])")


@pytest.mark.parametrize("dim", [4, 8, 16])
@pytest.mark.points(2)
def test_amplitude_encoding_prepares_the_signed_vector(student, rng, dim):
    X = rng.normal(size=(3, dim))
    X[0] = np.abs(X[0])
    X[1, : dim // 2] = 0.0  # a whole half of zeros
    got = student.probe("encoded", "amplitude", X)
    assert not got["matrix_gates"], f"do not use {got['matrix_gates']}: TFQ cannot serialize them"
    assert got["serialize_error"] == "", f"tfq.convert_to_tensor failed: {got['serialize_error']}"
    want = X / np.linalg.norm(X, axis=1, keepdims=True)
    fidelity = _fidelities(got["states"], want)
    assert fidelity.min() > 0.9999, (
        f"amplitude_encode of a length-{dim} vector has fidelity {fidelity.min():.4f} with x/|x| (signs matter; "
        "qubits[0] is the most significant bit)")
    assert max(got["rotations"]) <= dim - 1, (
        f"amplitude encoding of {dim} amplitudes needs at most {dim - 1} (controlled) ry rotations, used "
        f"{max(got['rotations'])}")
    if got["tfq_states"] is not None:
        tfq_fidelity = _fidelities(got["tfq_states"], want)
        assert tfq_fidelity.min() > 0.999, "TFQ's State layer disagrees with cirq on your circuits"


@pytest.mark.points(2)
def test_encode_batch_returns_serialized_circuits(student, rng):
    X = rng.uniform(-np.pi, np.pi, size=(4, 3))
    got = student.probe("batch", "angle", X, 3)
    assert got["is_tensor"] and got["dtype"] == "string", (
        f"encode_batch should return the tf.string tensor of tfq.convert_to_tensor, got dtype {got['dtype']!r}")
    assert got["shape"] == [4], f"expected shape [4], got {got['shape']}"
    assert _fidelities(got["states"], np.stack([_angle_state(x) for x in X])).min() > 1 - 1e-6
    A = rng.normal(size=(3, 8))
    got = student.probe("batch", "amplitude", A, 3)
    assert _fidelities(got["states"], A / np.linalg.norm(A, axis=1, keepdims=True)).min() > 0.9999, (
        "encode_batch(X, qubits, 'amplitude') does not give the amplitude-encoded states")
