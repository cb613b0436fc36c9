"""Hidden tests for A11 Q2: LSTM and GRU by hand against tf.keras.layers.LSTM/GRU with the same weights.

The Keras layers run in the reference worker (``probes.keras_rnn``) as the trusted answer, in Keras's own weight
layout (LSTM gates [i, f, c, o]; GRU [z, r, h] with ``reset_after``'s (2, 3u) bias). Parameter counts are the
judge's arithmetic.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q2")

FORBIDDEN = ["tf.keras.layers.LSTM.call", "tf.keras.layers.LSTMCell.call", "tf.keras.layers.GRU.call",
             "tf.keras.layers.GRUCell.call", "tf.keras.layers.RNN.call", "tf.keras.backend.rnn"]


def _weights(rng, kind, features, units, reset_after=True):
    gates = 4 if kind == "lstm" else 3
    bias_shape = (2, gates * units) if (kind == "gru" and reset_after) else (gates * units,)
    return [rng.normal(0, 0.5, (features, gates * units)).astype(np.float32),
            rng.normal(0, 0.5, (units, gates * units)).astype(np.float32),
            rng.normal(0, 0.5, bias_shape).astype(np.float32)]


def _mask(rng, batch, steps):
    lengths = rng.integers(1, steps + 1, batch)
    lengths[0] = steps
    mask = np.arange(steps)[None, :] < lengths[:, None]
    mask[-1, 1] = False
    return mask


def _compare(student, reference, kind, x, weights, what, mask=None, state=None, reset_after=True):
    kwargs = {"mask": mask} if mask is not None else {}
    if state is not None:
        kwargs["initial_state"] = [Tensor(s) for s in state] if kind == "lstm" else Tensor(state[0])
    if kind == "gru":
        kwargs["reset_after"] = reset_after
    got = student.call(kind, Tensor(x), *weights, **kwargs)
    want = reference.probe("keras_rnn", kind, x, weights, mask,
                           None if state is None else (list(state) if kind == "lstm" else state[0]), reset_after)
    names = ["outputs", "h", "c"] if kind == "lstm" else ["outputs", "h"]
    if not isinstance(got, (list, tuple)) or len(got) != len(names):
        raise checks.CheckFailed(f"{kind} must return ({', '.join(names)})")
    for name, g, w in zip(names, got, want, strict=True):
        checks.assert_tensor(g, w, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                             name=f"{kind} {name} vs tf.keras.layers.{kind.upper()} ({what})")


@pytest.mark.points(3)
def test_lstm_matches_keras_lstm(student, reference, rng):
    for batch, steps, features, units in [(3, 6, 4, 5), (2, 9, 3, 2)]:
        x = rng.normal(size=(batch, steps, features)).astype(np.float32)
        _compare(student, reference, "lstm", x, _weights(rng, "lstm", features, units),
                 f"x {batch}x{steps}x{features}, {units} units: gate order [i, f, c, o]")
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    state = [rng.normal(size=(2, 4)).astype(np.float32), rng.normal(size=(2, 4)).astype(np.float32)]
    _compare(student, reference, "lstm", x, _weights(rng, "lstm", 3, 4), "initial_state [h0, c0]", state=state)


@pytest.mark.points(3)
def test_gru_matches_keras_gru_with_and_without_reset_after(student, reference, rng):
    for reset_after in (True, False):
        for batch, steps, features, units in [(3, 6, 4, 5), (2, 8, 2, 3)]:
            x = rng.normal(size=(batch, steps, features)).astype(np.float32)
            _compare(student, reference, "gru", x, _weights(rng, "gru", features, units, reset_after),
                     f"reset_after={reset_after}, x {batch}x{steps}x{features}, {units} units", reset_after=reset_after)
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    _compare(student, reference, "gru", x, _weights(rng, "gru", 3, 4), "initial_state h0",
             state=[rng.normal(size=(2, 4)).astype(np.float32)])


@pytest.mark.points(2)
def test_masked_steps_carry_lstm_and_gru_states(student, reference, rng):
    x = rng.normal(size=(4, 7, 3)).astype(np.float32)
    mask = _mask(rng, 4, 7)
    _compare(student, reference, "lstm", x, _weights(rng, "lstm", 3, 4), "masked steps", mask=mask)
    _compare(student, reference, "gru", x, _weights(rng, "gru", 3, 4), "masked steps", mask=mask)


@pytest.mark.points(2)
def test_gradients_match_reference(student, reference, rng):
    for kind in ("lstm", "gru"):
        x = rng.normal(size=(3, 5, 4)).astype(np.float32)
        args = [kind, Tensor(x), *[Tensor(w) for w in _weights(rng, kind, 4, 3)], _mask(rng, 3, 5)]
        got = student.harness("gradient", "probes.rnn_flat", args, wrt=(1, 2, 3, 4), upstream_seed=5)
        want = reference.harness("gradient", "probes.rnn_flat", args, wrt=(1, 2, 3, 4), upstream_seed=5)
        for what, g, w in zip(("x", "kernel", "recurrent_kernel", "bias"), got, want, strict=True):
            if g is None:
                raise checks.CheckFailed(f"the gradient of {kind} with respect to {what} is None: use TensorFlow "
                                         "ops only so the tape can follow the gates")
            checks.assert_tensor(g, w, rtol=1e-4, atol=1e-5, name=f"gradient of {kind} with respect to {what}")


@pytest.mark.points(1)
def test_parameter_counts(student):
    for kind, gates in (("simple", 1), ("lstm", 4), ("gru", 3)):
        for features, units in ((7, 5), (16, 32), (1, 3)):
            for reset_after in ((True, False) if kind == "gru" else (True,)):
                biases = 2 if (kind == "gru" and reset_after) else 1
                want = gates * (features * units + units * units + biases * units)
                got = student.call("rnn_param_count", kind, features, units, reset_after)
                checks.assert_value(got, want, name=f"rnn_param_count({kind!r}, {features}, {units}, "
                                                     f"reset_after={reset_after})")


@pytest.mark.points(1)
def test_no_keras_recurrent_layers(student, reference, rng):
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    lstm_w, gru_w = _weights(rng, "lstm", 3, 4), _weights(rng, "gru", 3, 4)
    _compare(student, reference, "lstm", x, lstm_w, "x 2x5x3")
    _compare(student, reference, "gru", x, gru_w, "x 2x5x3")
    why = "write the gates yourself from matmuls, sigmoid and tanh"
    checks.assert_no_forbidden_calls(student, "lstm", [Tensor(x), *lstm_w], FORBIDDEN, why=why)
    checks.assert_no_forbidden_calls(student, "gru", [Tensor(x), *gru_w], FORBIDDEN, why=why)
