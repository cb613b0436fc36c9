"""Hidden tests for A11 Q1: a simple RNN by hand against tf.keras.layers.SimpleRNN with the same weights.

``SimpleRNN`` runs in the reference worker (``probes.keras_rnn``) as the trusted answer; gradients are compared
with the reference's; the loop's graph is read by the harness; the vanishing-gradient decay is the judge's own
arithmetic on the returned norms.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor, TensorSpec

pytestmark = pytest.mark.question("q1")

FORBIDDEN = ["tf.keras.layers.SimpleRNN.call", "tf.keras.layers.SimpleRNNCell.call", "tf.keras.layers.RNN.call",
             "tf.keras.backend.rnn"]


def _weights(rng, features, units, scale=0.6):
    return [rng.normal(0, scale, (features, units)).astype(np.float32),
            rng.normal(0, scale, (units, units)).astype(np.float32),
            rng.normal(0, 0.3, (units,)).astype(np.float32)]


def _mask(rng, batch, steps, holes=False):
    lengths = rng.integers(1, steps + 1, batch)
    lengths[0] = steps
    mask = np.arange(steps)[None, :] < lengths[:, None]
    if holes:
        mask[1:, 0] = False  # a masked first step: state and output start at zero
        mask[0, steps // 2] = False  # a hole in the middle: carried over
    return mask


def _compare(student, reference, x, weights, what, mask=None, h0=None):
    kwargs = {"mask": mask} if mask is not None else {}
    if h0 is not None:
        kwargs["initial_state"] = Tensor(h0)
    got = student.call("simple_rnn", Tensor(x), *weights, **kwargs)
    want = reference.probe("keras_rnn", "simple", x, weights, mask, h0)
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise checks.CheckFailed("simple_rnn must return a pair (outputs [B, T, units], final_state [B, units])")
    checks.assert_tensor(got[0], want[0], expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name=f"simple_rnn outputs vs SimpleRNN ({what})")
    checks.assert_tensor(got[1], want[1], expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name=f"simple_rnn final state vs SimpleRNN ({what})")


@pytest.mark.points(3)
def test_outputs_and_state_match_keras_simple_rnn(student, reference, rng):
    for batch, steps, features, units in [(3, 7, 4, 5), (1, 12, 2, 8), (4, 3, 6, 3)]:
        x = rng.normal(size=(batch, steps, features)).astype(np.float32)
        _compare(student, reference, x, _weights(rng, features, units), f"x {batch}x{steps}x{features}, {units} units")
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    h0 = rng.normal(size=(2, 4)).astype(np.float32)
    _compare(student, reference, x, _weights(rng, 3, 4), "with an initial_state", h0=h0)


@pytest.mark.points(2)
def test_masked_steps_carry_state_and_output(student, reference, rng):
    for holes in (False, True):
        x = rng.normal(size=(4, 8, 3)).astype(np.float32)
        _compare(student, reference, x, _weights(rng, 3, 6), "right-padded mask" + (" with holes" if holes else ""),
                 mask=_mask(rng, 4, 8, holes))


@pytest.mark.points(2)
def test_gradients_match_reference(student, reference, rng):
    x = rng.normal(size=(3, 6, 4)).astype(np.float32)
    args = ["simple", Tensor(x), *[Tensor(w) for w in _weights(rng, 4, 5)], _mask(rng, 3, 6)]
    got = student.harness("gradient", "probes.rnn_flat", args, wrt=(1, 2, 3, 4), upstream_seed=3)
    want = reference.harness("gradient", "probes.rnn_flat", args, wrt=(1, 2, 3, 4), upstream_seed=3)
    for what, g, w in zip(("x", "kernel", "recurrent_kernel", "bias"), got, want, strict=True):
        if g is None:
            raise checks.CheckFailed(f"the gradient of simple_rnn with respect to {what} is None: use TensorFlow ops "
                                     "only (no NumPy) so the tape can follow the recurrence")
        checks.assert_tensor(g, w, rtol=1e-4, atol=1e-5, name=f"gradient of simple_rnn with respect to {what}")


@pytest.mark.points(1)
def test_loop_is_a_while_op_for_unknown_length(student, reference, rng):
    x = rng.normal(size=(2, 9, 3)).astype(np.float32)
    _compare(student, reference, x, _weights(rng, 3, 4), "x 2x9x3")
    signature = [TensorSpec([None, None, 3], "float32"), TensorSpec([3, 4], "float32"),
                 TensorSpec([4, 4], "float32"), TensorSpec([4], "float32")]
    checks.assert_graph_ops(student, "simple_rnn", signature, include_any=["While", "StatelessWhile"])


@pytest.mark.points(1)
def test_gradient_norms_vanish_through_time(student, reference, rng):
    steps = 30
    x = rng.normal(size=(4, steps, 3)).astype(np.float32)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    weights = [rng.normal(0, 0.5, (3, 6)).astype(np.float32), (0.5 * q).astype(np.float32),
               np.zeros(6, np.float32)]
    got = student.call("gradient_norms_through_time", Tensor(x), *weights)
    want = reference.call("gradient_norms_through_time", Tensor(x), *weights)
    checks.assert_tensor(got, want, dtype="float32", rtol=1e-3, atol=1e-7,
                         name="gradient_norms_through_time (||d sum(h_T) / d x_t|| for every t)")
    got = np.asarray(got)
    if not got[0] / got[-1] < 1e-2:
        raise checks.CheckFailed("with recurrent weights 0.5 x orthogonal the gradient reaching t=0 should be over "
                                 "100 times smaller than at t=T-1", values=f"ratio {got[0] / got[-1]}")


@pytest.mark.points(1)
def test_no_keras_recurrent_layer(student, reference, rng):
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    weights = _weights(rng, 3, 4)
    _compare(student, reference, x, weights, "x 2x5x3")
    checks.assert_no_forbidden_calls(student, "simple_rnn", [Tensor(x), *weights], FORBIDDEN,
                                     why="write the recurrence h_t = tanh(x_t W + h_(t-1) U + b) yourself")
