"""Hidden tests for A02 Q6: concatenation and splitting (heads, chunks, interleave, padding)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")


def _exact(got, want, what):
    checks.assert_tensor(got, want, expect="tensor", rtol=0, atol=0, name=what)


@pytest.mark.points(2)
def test_split_and_merge_heads(student, reference, rng):
    for dtype in (np.float32, np.int32):
        heads = int(rng.integers(2, 5))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 6)), heads * int(rng.integers(1, 5)))
        x = Tensor((rng.normal(size=shape) * 100).astype(dtype))
        split = student.call("split_heads", x, heads)
        _exact(split, reference.call("split_heads", x, heads), f"split_heads(x of shape {shape}, {heads})")
        _exact(student.call("merge_heads", Tensor(np.asarray(split))), x.array,
               "merge_heads(split_heads(x, h)) (must give x back)")


@pytest.mark.points(2)
def test_heads_work_with_unknown_batch_and_length(student, reference, rng):
    depth, heads = 12, 3
    inputs = [rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(1, 7)), depth)).astype(np.float32)
              for _ in range(3)]
    got = student.probe("traced_calls", "split_heads", [None, None, depth], "float32", inputs, [heads])
    want = reference.probe("traced_calls", "split_heads", [None, None, depth], "float32", inputs, [heads])
    for k, (g, w) in enumerate(zip(got["outputs"], want["outputs"], strict=True)):
        _exact(g, w, f"split_heads inside a tf.function with input shape (None, None, {depth}), call {k} "
                     "(take B and T from tf.shape(x))")
    assert got["traces"] == 1, f"split_heads traced {got['traces']} times for 3 shapes under one signature"
    split = [np.asarray(w) for w in want["outputs"]]
    merged = student.probe("traced_calls", "merge_heads", [None, heads, None, depth // heads], "float32", split)
    for k, m in enumerate(merged["outputs"]):
        _exact(m, inputs[k], f"merge_heads inside a tf.function with unknown batch and length, call {k}")


def test_split_heads_rejects_indivisible_depth(student, rng):
    x = Tensor(rng.normal(size=(2, 3, 10)).astype(np.float32))
    checks.assert_raises(student.call, "split_heads", x, 3, exc_type=("ValueError", "InvalidArgumentError"))


@pytest.mark.points(2)
def test_chunk_sizes_and_values(student, reference, rng):
    n = int(rng.integers(5, 13))
    cases = [((n,), k, 0) for k in (1, 2, 3, n - 1, n, n + 3)]
    cases += [((3, n, 2), int(rng.integers(2, 5)), 1), ((2, n), int(rng.integers(2, 5)), -1)]
    for shape, chunks, axis in cases:
        x = Tensor(rng.integers(-99, 99, size=shape).astype(np.int32))
        got = student.call("chunk", x, chunks, axis)
        want = reference.call("chunk", x, chunks, axis)
        assert isinstance(got, (list, tuple)), f"chunk must return a list of tensors, got {type(got).__name__}"
        sizes = [int(np.shape(piece)[axis]) if np.ndim(piece) else None for piece in got]
        want_sizes = [int(np.shape(piece)[axis]) for piece in want]
        if sizes != want_sizes:
            raise checks.CheckFailed(f"chunk(x of shape {shape}, {chunks}, axis={axis}) gave pieces of sizes {sizes} "
                                     "(pieces of ceil(n / chunks), the last one smaller)",
                                     values=f"expected sizes {want_sizes}")
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _exact(g, w, f"piece {i} of chunk(x of shape {shape}, {chunks}, axis={axis})")
    checks.assert_raises(student.call, "chunk", Tensor(np.zeros(4, np.float32)), 0, exc_type="ValueError")


def test_interleave_rows(student, reference, rng):
    for shape, dtype in (((int(rng.integers(1, 6)),), np.int64), ((int(rng.integers(1, 6)), 3), np.float32),
                         ((2, 2, 3), np.float64)):
        a, b = (Tensor((rng.normal(size=shape) * 10).astype(dtype)) for _ in range(2))
        _exact(student.call("interleave_rows", a, b), reference.call("interleave_rows", a, b),
               f"interleave_rows(a, b) for shape {shape} and dtype {np.dtype(dtype).name}")


@pytest.mark.points(2)
def test_pad_and_stack(student, reference, rng):
    for dtype, pad in ((np.int32, 0), (np.float32, -1.5), (np.int64, 7)):
        lengths = [int(v) for v in rng.integers(0, 7, size=int(rng.integers(1, 6)))]
        lengths[int(rng.integers(0, len(lengths)))] = 7
        seqs = [Tensor((rng.normal(size=(length,)) * 10).astype(dtype)) for length in lengths]
        got = student.call("pad_and_stack", seqs, pad)
        want = reference.call("pad_and_stack", seqs, pad)
        assert isinstance(got, (list, tuple)) and len(got) == 2, "pad_and_stack must return (padded, lengths)"
        _exact(got[0], want[0], f"padded from pad_and_stack(sequences of lengths {lengths}, {pad})")
        _exact(got[1], want[1], f"lengths from pad_and_stack(sequences of lengths {lengths}, {pad}) (int32)")
