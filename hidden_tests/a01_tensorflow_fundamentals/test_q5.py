"""Hidden tests for A01 Q5: dtypes and shapes."""

import numpy as np
import pytest

from graders import checks
from graders.wire import DType, Tensor

pytestmark = pytest.mark.question("q5")

BOUNDS = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767), "uint16": (0, 65535),
          "int32": (-(2**31), 2**31 - 1)}


def _float_input(rng, lo, hi, dtype=np.float32):
    span = float(hi) - float(lo)
    values = rng.uniform(float(lo) - span, float(hi) + span, size=(int(rng.integers(3, 8)), 5))
    special = [np.nan, np.inf, -np.inf, lo, hi, lo - 0.5, hi + 0.5, lo + 0.9, hi - 0.9, -0.99, 0.99, 0.0]
    flat = np.concatenate([values.ravel(), np.array(special, np.float64)])
    return rng.permutation(flat).astype(dtype)


@pytest.mark.points(3)
def test_saturating_cast_clamps_floats_at_the_bounds(student, reference, rng):
    for name, (lo, hi) in BOUNDS.items():
        x = Tensor(_float_input(rng, lo, hi))
        got = student.call("saturating_cast", x, DType(name))
        want = reference.call("saturating_cast", x, DType(name))
        checks.assert_tensor(got, want, expect="tensor", dtype=name, atol=0, rtol=0,
                             name=f"saturating_cast(float32 -> {name}) (NaN -> 0, out of range -> min/max, truncate)")


@pytest.mark.points(2)
def test_saturating_cast_from_float64_integers_and_numpy(student, reference, rng):
    cases = [
        (Tensor(_float_input(rng, -(2**63), 2**63, np.float64)), "int64"),
        (Tensor(rng.integers(-70000, 70000, size=(4, 6)).astype(np.int32)), "uint8"),
        (Tensor(rng.integers(0, 65535, size=(9,)).astype(np.uint16)), "int8"),
        (Tensor(rng.integers(-(2**62), 2**62, size=(5,)).astype(np.int64)), "int16"),
        (_float_input(rng, 0, 255, np.float16), "uint8"),
    ]
    for x, name in cases:
        got = student.call("saturating_cast", x, DType(name))
        want = reference.call("saturating_cast", x, DType(name))
        checks.assert_tensor(got, want, expect="tensor", dtype=name, atol=0, rtol=0,
                             name=f"saturating_cast(... -> {name})")


def test_saturating_cast_is_implemented_by_hand(student, reference, rng):
    x = Tensor(_float_input(rng, 0, 255))
    # A working answer first, so a blank stub cannot pass by calling nothing at all.
    checks.assert_tensor(student.call("saturating_cast", x, DType("uint8")),
                         reference.call("saturating_cast", x, DType("uint8")), expect="tensor", dtype="uint8",
                         atol=0, rtol=0, name="saturating_cast(float32 -> uint8)")
    checks.assert_no_forbidden_calls(
        student, "saturating_cast", (x, DType("uint8")), forbidden=["tf.dtypes.saturate_cast", "tf.saturate_cast"]
    )


PAIRS = [
    ("int32", "float32"), ("uint8", "int8"), ("int16", "uint8"), ("uint32", "int32"), ("uint16", "int64"),
    ("int8", "float16"), ("int16", "float16"), ("int64", "float32"), ("float16", "float64"),
    ("bool", "int16"), ("float32", "complex64"), ("float64", "complex64"), ("int32", "complex64"),
    ("uint8", "bool"), ("bool", "bool"), ("complex64", "complex128"),
]


def _values(rng, dtype, shape):
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("complex"):
        return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dtype)
    if dtype.startswith("float"):
        return rng.normal(0, 10, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -100), min(info.max, 100), size=shape, endpoint=True).astype(dtype)


@pytest.mark.points(3)
def test_promote_and_add_promotion_table(student, reference, rng):
    wrong = []
    for da, db in PAIRS:
        a = Tensor(_values(rng, da, (3, 4)))
        b = Tensor(_values(rng, db, (4,)))
        got = student.call("promote_and_add", a, b)
        want = reference.call("promote_and_add", a, b)
        try:
            checks.assert_tensor(got, want, expect="tensor", dtype=str(want.dtype), rtol=1e-6, atol=1e-6,
                                 name=f"promote_and_add({da}, {db})")
        except AssertionError as exc:
            wrong.append(str(exc))
    assert not wrong, f"{len(wrong)} of {len(PAIRS)} dtype pairs are wrong:\n" + "\n".join(wrong)


def test_promote_and_add_rejects_strings(student):
    checks.assert_raises(student.probe, "string_tensor_call", "promote_and_add", exc_type="TypeError")


@pytest.mark.points(2)
def test_flatten_keep_batch_handles_any_shape_with_one_trace(student, reference, rng):
    shapes = [tuple(int(v) for v in rng.integers(1, 6, size=3)), (0, 3, 2), (2, 0, 5), (1, 7, 1)]
    for shape in shapes:
        x = Tensor(rng.normal(size=shape).astype(np.float32))
        got = student.call("flatten_keep_batch", x)
        want = reference.call("flatten_keep_batch", x)
        checks.assert_tensor(got, want, expect="tensor", dtype="float32", atol=0, rtol=0,
                             name=f"flatten_keep_batch on shape {shape}")
    count = student.harness("tracing_count", "flatten_keep_batch")
    assert count == 1, (
        f"flatten_keep_batch traced {count} times for {len(shapes)} shapes; keep the tf.function with "
        "input_signature=[tf.TensorSpec([None, None, None], tf.float32)]"
    )
    static = student.probe("traced_output_shape", "flatten_keep_batch", [None, None, None], "float32")
    checks.assert_value(static, [None, None], name="static output shape inside the graph (use tf.shape, not .shape)")


def test_nbytes_counts_element_bytes(student, reference, rng):
    inputs = [
        Tensor(rng.normal(size=(3, int(rng.integers(1, 9)))).astype(np.float64)),
        Tensor(rng.integers(0, 9, size=(2, 2, 5)).astype(np.uint8)),
        Tensor(np.zeros((0, 4), np.float32)),
        Tensor(rng.random(size=(7,)) > 0.5),
        Tensor((rng.normal(size=(2, 3)) + 1j).astype(np.complex128)),
        rng.normal(size=(5, 5)).astype(np.float16),
    ]
    for x in inputs:
        got = student.call("nbytes", x)
        want = reference.call("nbytes", x)
        assert isinstance(got, int) and not isinstance(got, bool), (
            f"nbytes must return a Python int, got {type(got).__name__}"
        )
        checks.assert_value(got, want, name="nbytes(x)")
    checks.assert_raises(student.probe, "string_tensor_call", "nbytes", exc_type="TypeError")
