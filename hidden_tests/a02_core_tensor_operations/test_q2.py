"""Hidden tests for A02 Q2: mathematical operations and broadcasting."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q2")


def _compatible_pair(rng):
    """Two random shapes that broadcast: each dim of the shorter one is copied, set to 1, or dropped."""
    full = [int(d) for d in rng.integers(0, 6, size=int(rng.integers(0, 5)))]
    a = [d if rng.random() < 0.6 else 1 for d in full]
    b = [d if rng.random() < 0.6 else 1 for d in full]
    if rng.random() < 0.5:
        b = b[int(rng.integers(0, len(b) + 1)):]
    else:
        a = a[int(rng.integers(0, len(a) + 1)):]
    return tuple(a), tuple(b)


@pytest.mark.points(2)
def test_broadcast_shape_follows_the_rule(student, reference, rng):
    pairs = [_compatible_pair(rng) for _ in range(24)] + [((1,), (0,)), ((), ()), ((5, 1, 3), ())]
    wrong, expected = [], []
    for a, b in pairs:
        got = student.call("broadcast_shape", a, b)
        want = reference.call("broadcast_shape", a, b)
        if not isinstance(got, tuple) or [int(d) for d in got] != list(want):
            wrong.append(f"broadcast_shape({a}, {b}) returned {got!r}")
            expected.append(f"broadcast_shape({a}, {b}): expected {want!r}")
    if wrong:
        raise checks.CheckFailed(f"{len(wrong)} of {len(pairs)} shape pairs are wrong (a tuple of ints by the "
                                 "broadcasting rule):\n" + "\n".join(wrong[:6]), values="\n".join(expected[:6]))


def test_broadcast_shape_rejects_incompatible_shapes(student, rng):
    n = int(rng.integers(2, 9))
    for a, b in [((n,), (n + 1,)), ((2, n, 3), (n + 2, 1)), ((0,), (n,)), ((n, 1), (4, n + 1, n + 3))]:
        checks.assert_raises(student.call, "broadcast_shape", a, b, exc_type="ValueError")


def test_broadcast_shape_is_implemented_by_hand(student, reference, rng):
    a, b = (3, 1, 5), (4, 1)
    # A working answer first, so a blank stub cannot pass by calling nothing at all.
    checks.assert_value(list(student.call("broadcast_shape", a, b)), list(reference.call("broadcast_shape", a, b)),
                        name=f"broadcast_shape({a}, {b})")
    checks.assert_no_forbidden_calls(
        student, "broadcast_shape", (a, b),
        forbidden=["tf.broadcast_static_shape", "tf.broadcast_dynamic_shape", "np.broadcast_shapes",
                   "np.broadcast_to", "np.broadcast_arrays"],
        why="implement the broadcasting rule by comparing the dimensions yourself")


@pytest.mark.points(2)
def test_pairwise_sq_dists_values(student, reference, rng):
    for dtype, tol in ((np.float32, 1e-4), (np.float64, 1e-9)):
        n, m, d = (int(v) for v in rng.integers(1, 40, size=3))
        a = Tensor(rng.normal(0, 2, size=(n, d)).astype(dtype))
        b = Tensor(rng.normal(0, 2, size=(m, d)).astype(dtype))
        checks.assert_tensor(student.call("pairwise_sq_dists", a, b), reference.call("pairwise_sq_dists", a, b),
                             expect="tensor", dtype=np.dtype(dtype).name, rtol=tol, atol=tol,
                             name=f"pairwise_sq_dists(({n}, {d}), ({m}, {d})) in {np.dtype(dtype).name}")
    same = Tensor(rng.normal(0, 30, size=(25, 8)).astype(np.float32))
    got = np.asarray(student.call("pairwise_sq_dists", same, same))
    assert got.shape == (25, 25) and (got >= 0).all(), (
        "pairwise_sq_dists(a, a) has negative entries: clip the result at 0 (rounding in the expansion)")


@pytest.mark.points(2)
def test_pairwise_sq_dists_is_faster_than_a_row_loop(student, reference, rng, thresholds):
    def make_args(r):
        return [Tensor(r.normal(size=(128, 32)).astype(np.float32)),
                Tensor(r.normal(size=(96, 32)).astype(np.float32))]

    # The trusted loop first, in the reference worker: the student's outputs are checked against it in every trial,
    # and nothing the student's code runs can slow it down (the student's sandbox is stopped while it is timed).
    checks.assert_speed(
        {"row loop": (reference, "probes.pairwise_sq_dists_loop"),
         "pairwise_sq_dists": (student, "pairwise_sq_dists")},
        make_args, rng, fast="pairwise_sq_dists", slow="row loop",
        min_ratio=thresholds["min_vectorized_speedup"], trials=5, calls=10)


def _logits(rng, dtype):
    shape = tuple(int(v) for v in rng.integers(2, 7, size=int(rng.integers(1, 4))))
    return rng.normal(0, 1, size=shape).astype(dtype) * rng.choice([1.0, 30.0, 1000.0], size=shape).astype(dtype)


@pytest.mark.points(2)
def test_stable_softmax_handles_huge_logits(student, reference, rng):
    for dtype in (np.float32, np.float64):
        x = _logits(rng, dtype)
        for axis in sorted({-1, 0, int(rng.integers(0, x.ndim))}):
            got = student.call("stable_softmax", Tensor(x), axis)
            want = reference.call("stable_softmax", Tensor(x), axis)
            checks.assert_tensor(got, want, expect="tensor", dtype=np.dtype(dtype).name, rtol=1e-5, atol=1e-6,
                                 name=f"stable_softmax(x, axis={axis}) for logits up to {np.abs(x).max():.0f}")


@pytest.mark.points(2)
def test_stable_softmax_gradients(student, reference, rng):
    x = Tensor(rng.normal(0, 3, size=(4, 6)))
    for axis in (-1, 0):
        checks.assert_gradients(student, reference, "stable_softmax", (x, axis), rtol=1e-6, atol=1e-9)
        checks.assert_gradients_fd(student, "stable_softmax", (x, axis), eps=1e-5, atol=1e-6)


@pytest.mark.points(2)
def test_softplus_values_and_gradients(student, reference, rng):
    for dtype in (np.float32, np.float64):
        x = Tensor(np.concatenate([rng.uniform(-200, 200, size=40), rng.normal(0, 3, size=40)]).astype(dtype))
        checks.assert_tensor(student.call("softplus", x), reference.call("softplus", x), expect="tensor",
                             dtype=np.dtype(dtype).name, rtol=1e-6, atol=1e-7,
                             name="softplus(x) for x in [-200, 200] (no overflow)")
    x = Tensor(rng.normal(0, 4, size=(5, 7)))
    checks.assert_gradients(student, reference, "softplus", (x,), rtol=1e-6, atol=1e-9)
    checks.assert_gradients_fd(student, "softplus", (x,), eps=1e-5, atol=1e-6)


def test_softmax_and_softplus_are_implemented_by_hand(student, reference, rng):
    x = Tensor(rng.normal(0, 5, size=(3, 5)).astype(np.float32))
    for fn, args, forbidden in (
        ("stable_softmax", (x, -1), ["tf.nn.softmax", "tf.raw_ops.Softmax", "tf.nn.log_softmax",
                                     "tf.raw_ops.LogSoftmax"]),
        ("softplus", (x,), ["tf.nn.softplus", "tf.raw_ops.Softplus"]),
    ):
        checks.assert_tensor(student.call(fn, *args), reference.call(fn, *args), expect="tensor", rtol=1e-5,
                             atol=1e-6, name=fn)
        checks.assert_no_forbidden_calls(student, fn, args, forbidden=forbidden,
                                         why="compute it from tf.exp, tf.math.log1p and a max shift")
