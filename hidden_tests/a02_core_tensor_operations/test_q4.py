"""Hidden tests for A02 Q4: indexing and slicing (gather, top-k mask, scatter, crop, boolean mask)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q4")


def _gather_case(rng, dtype=np.float64, index_dtype=np.int32):
    b, n, d, k = (int(v) for v in rng.integers(1, 7, size=4))
    params = rng.normal(size=(b, n, d)).astype(dtype) if np.dtype(dtype).kind == "f" else \
        rng.integers(-50, 50, size=(b, n, d)).astype(dtype)
    # k + 2 indices drawn from n rows: repeats are likely, and the gradient must add them up.
    indices = rng.integers(0, n, size=(b, k + 2)).astype(index_dtype)
    return Tensor(params), Tensor(indices)


@pytest.mark.points(2)
def test_batched_gather_values(student, reference, rng):
    for dtype, index_dtype in ((np.float32, np.int32), (np.int32, np.int64), (np.float64, np.int32)):
        params, indices = _gather_case(rng, dtype, index_dtype)
        checks.assert_tensor(student.call("batched_gather", params, indices),
                             reference.call("batched_gather", params, indices), expect="tensor", rtol=0, atol=0,
                             name=f"batched_gather(params {params.array.shape}, indices {indices.array.shape})")


@pytest.mark.points(2)
def test_batched_gather_gradients(student, reference, rng):
    params, indices = _gather_case(rng)
    checks.assert_gradients(student, reference, "batched_gather", (params, indices), rtol=1e-9, atol=1e-12)
    checks.assert_gradients_fd(student, "batched_gather", (params, indices), eps=1e-4, atol=1e-6)


@pytest.mark.points(2)
def test_top_k_mask_keeps_exactly_k_with_ties(student, reference, rng):
    for shape in ((int(rng.integers(2, 6)), 9), (2, 3, 7)):
        # Small integers as floats: many ties, which must go to the lower index.
        x = Tensor(rng.integers(0, 4, size=shape).astype(np.float32))
        for k in sorted({0, 1, int(rng.integers(2, shape[-1])), shape[-1]}):
            checks.assert_tensor(student.call("top_k_mask", x, k), reference.call("top_k_mask", x, k),
                                 expect="tensor", dtype="bool", rtol=0, atol=0,
                                 name=f"top_k_mask(x of shape {shape}, k={k}) (exactly k per row; ties: lower index)")


def _scatter_case(rng, dtype=np.float64):
    n, d = int(rng.integers(4, 10)), int(rng.integers(1, 5))
    rows = rng.permutation(n)[: int(rng.integers(1, n))].astype(np.int32)
    x = rng.normal(size=(n, d)).astype(dtype)
    values = rng.normal(size=(len(rows), d)).astype(dtype)
    return Tensor(x), Tensor(rows), Tensor(values)


@pytest.mark.points(2)
def test_scatter_rows_replaces_rows_out_of_place(student, reference, rng):
    for dtype in (np.float32, np.float64):
        x, rows, values = _scatter_case(rng, dtype)
        checks.assert_tensor(student.call("scatter_rows", x, rows, values),
                             reference.call("scatter_rows", x, rows, values), expect="tensor", rtol=0, atol=0,
                             name=f"scatter_rows(x {x.array.shape}, rows {rows.array.tolist()}, values)")
    ints = Tensor(rng.integers(0, 9, size=(6, 2, 3)).astype(np.int32))
    rows = Tensor(np.array([4, 1], np.int32))
    vals = Tensor(-np.ones((2, 2, 3), np.int32))
    checks.assert_tensor(student.call("scatter_rows", ints, rows, vals),
                         reference.call("scatter_rows", ints, rows, vals), expect="tensor", rtol=0, atol=0,
                         name="scatter_rows on an int32 (6, 2, 3) tensor")


@pytest.mark.points(2)
def test_scatter_rows_gradients(student, reference, rng):
    args = _scatter_case(rng)
    checks.assert_gradients(student, reference, "scatter_rows", args, wrt=(0, 2), rtol=1e-9, atol=1e-12)
    checks.assert_gradients_fd(student, "scatter_rows", args, wrt=0, eps=1e-4, atol=1e-6)
    checks.assert_gradients_fd(student, "scatter_rows", args, wrt=2, eps=1e-4, atol=1e-6)


def test_center_crop_and_select_positive(student, reference, rng):
    for _ in range(3):
        b, h, w, c = (int(v) for v in rng.integers(1, 9, size=4))
        images = Tensor(rng.integers(0, 100, size=(b, h, w, c)).astype(np.int32))
        ch, cw = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
        checks.assert_tensor(student.call("center_crop", images, ch, cw),
                             reference.call("center_crop", images, ch, cw), expect="tensor", rtol=0, atol=0,
                             name=f"center_crop(images {(b, h, w, c)}, {ch}, {cw}) (start at (H - height) // 2)")
    for x in (rng.normal(size=(4, 5)).astype(np.float32), rng.integers(-3, 3, size=(2, 3, 4)).astype(np.int64),
              -np.abs(rng.normal(size=(3,))).astype(np.float64)):
        checks.assert_tensor(student.call("select_positive", Tensor(x)), reference.call("select_positive", Tensor(x)),
                             expect="tensor", rtol=0, atol=0, name=f"select_positive(x of shape {x.shape})")
