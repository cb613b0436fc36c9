"""Hidden tests for A02 Q5: reductions (masked mean, logsumexp, segment mean, standardize)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")


def _masked_case(rng, dtype=np.float64, poison=True):
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)), int(rng.integers(1, 4)))
    x = rng.normal(0, 3, size=shape).astype(dtype)
    mask = rng.random(shape) < 0.5
    mask[0] = False  # a slice with nothing selected: its mean is 0
    if poison:
        # Masked-out entries that would poison a multiply-by-mask.
        x[~mask & (rng.random(shape) < 0.3)] = np.nan
        x[0, 0, 0] = np.inf
    return x, mask


@pytest.mark.points(2)
def test_masked_mean_values(student, reference, rng):
    for dtype in (np.float32, np.float64):
        x, mask = _masked_case(rng, dtype)
        for axis, keepdims in ((None, False), (0, False), (1, True), ([0, 2], False), (-1, True)):
            args = (Tensor(x), Tensor(mask), axis, keepdims)
            checks.assert_tensor(student.call("masked_mean", *args), reference.call("masked_mean", *args),
                                 expect="tensor", dtype=np.dtype(dtype).name, rtol=1e-5, atol=1e-6,
                                 name=f"masked_mean(x {x.shape} with NaN/inf where masked out, mask, axis={axis}, "
                                      f"keepdims={keepdims})")


@pytest.mark.points(2)
def test_masked_mean_gradients(student, reference, rng):
    x, mask = _masked_case(rng, poison=False)
    for axis in (None, 1):
        args = (Tensor(x), Tensor(mask), axis, False)
        checks.assert_gradients(student, reference, "masked_mean", args, rtol=1e-9, atol=1e-12)
        checks.assert_gradients_fd(student, "masked_mean", args, eps=1e-5, atol=1e-7)
    poisoned, mask = _masked_case(rng)
    (grad,) = student.harness("gradient", "masked_mean", [Tensor(poisoned), Tensor(mask), 1, False])
    assert grad is not None and np.isfinite(np.asarray(grad)).all(), (
        "the gradient of masked_mean is NaN where x is NaN/inf but masked out: select with tf.where instead of "
        "multiplying by the mask")


def _logsumexp_input(rng, dtype=np.float64):
    x = rng.normal(0, 1, size=(4, int(rng.integers(2, 7)), 3)).astype(dtype)
    x[0] += 1000.0  # would overflow exp
    x[1] -= 1000.0  # would underflow to log(0)
    x[2, 0, :] = -np.inf  # -inf entries contribute nothing
    x[3, :, 1] = -np.inf  # an all -inf slice along axis 1 gives -inf
    return x


@pytest.mark.points(2)
def test_logsumexp_values(student, reference, rng):
    for dtype in (np.float32, np.float64):
        x = Tensor(_logsumexp_input(rng, dtype))
        for axis, keepdims in ((1, False), (-1, True), (None, False), ([0, 2], True)):
            checks.assert_tensor(student.call("logsumexp", x, axis, keepdims),
                                 reference.call("logsumexp", x, axis, keepdims), expect="tensor",
                                 dtype=np.dtype(dtype).name, rtol=1e-6, atol=1e-6, allow_nonfinite=True,
                                 name=f"logsumexp(x with entries near +-1000 and -inf, axis={axis}, "
                                      f"keepdims={keepdims})")
    # A size-1 axis that is not reduced must stay: squeezing without naming the axis drops it too.
    x = Tensor(rng.normal(0, 1, size=(3, 1, 5)))
    for axis in (2, [0, 2]):
        checks.assert_tensor(student.call("logsumexp", x, axis, False), reference.call("logsumexp", x, axis, False),
                             expect="tensor", rtol=1e-6, atol=1e-6,
                             name=f"logsumexp(x of shape (3, 1, 5), axis={axis}, keepdims=False)")


@pytest.mark.points(2)
def test_logsumexp_gradients(student, reference, rng):
    x = Tensor(rng.normal(0, 3, size=(3, 5)))
    for axis in (1, None):
        checks.assert_gradients(student, reference, "logsumexp", (x, axis, False), rtol=1e-7, atol=1e-10)
        checks.assert_gradients_fd(student, "logsumexp", (x, axis, False), eps=1e-5, atol=1e-6)
    big = Tensor(rng.normal(0, 3, size=(2, 4)) + 800.0)
    checks.assert_gradients(student, reference, "logsumexp", (big, 1, False), rtol=1e-7, atol=1e-10)


def test_logsumexp_is_implemented_by_hand(student, reference, rng):
    x = Tensor(rng.normal(0, 5, size=(3, 4)).astype(np.float32))
    # A working answer first, so a blank stub cannot pass by calling nothing at all.
    checks.assert_tensor(student.call("logsumexp", x, 1, False), reference.call("logsumexp", x, 1, False),
                         expect="tensor", rtol=1e-6, atol=1e-6, name="logsumexp(x, axis=1)")
    checks.assert_no_forbidden_calls(student, "logsumexp", (x, 1, False),
                                     forbidden=["tf.reduce_logsumexp", "tf.math.reduce_logsumexp"],
                                     why="subtract the max, then tf.exp, tf.reduce_sum and tf.math.log")


@pytest.mark.points(2)
def test_segment_mean_values_and_gradients(student, reference, rng):
    for shape in ((int(rng.integers(5, 30)),), (int(rng.integers(5, 30)), 3)):
        num_segments = int(rng.integers(3, 9))
        # Unsorted ids that skip the last segments: empty segments must give 0.
        ids = Tensor(rng.integers(0, num_segments - 2, size=shape[0]).astype(np.int32))
        data = Tensor(rng.normal(size=shape))
        checks.assert_tensor(student.call("segment_mean", data, ids, num_segments),
                             reference.call("segment_mean", data, ids, num_segments), expect="tensor",
                             dtype="float64", rtol=1e-9, atol=1e-12,
                             name=f"segment_mean(data {shape}, unsorted ids, {num_segments}) (empty segments give 0)")
        checks.assert_gradients(student, reference, "segment_mean", (data, ids, num_segments), rtol=1e-9,
                                atol=1e-12)


def test_standardize_values(student, reference, rng):
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-9)):
        x = Tensor(rng.normal(3, 5, size=(4, 6, 3)).astype(dtype))
        for axis in (-1, 1, 0):
            checks.assert_tensor(student.call("standardize", x, axis), reference.call("standardize", x, axis),
                                 expect="tensor", dtype=np.dtype(dtype).name, rtol=tol, atol=tol,
                                 name=f"standardize(x, axis={axis}) (population variance, epsilon inside the sqrt)")
    x = Tensor(rng.normal(size=(3, 4)))
    checks.assert_gradients(student, reference, "standardize", (x, 1, 1e-3), rtol=1e-7, atol=1e-10)
