"""Hidden tests for A11 Q3: a bidirectional GRU with merge modes and right-padded masks, without Bidirectional.

``tf.keras.layers.Bidirectional(GRU)`` runs in the reference worker (``probes.keras_bidirectional``) with the same
weights, as the trusted answer.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")

MODES = ["concat", "sum", "mul", "ave"]


def _weights(rng, features, units):
    return [rng.normal(0, 0.5, (features, 3 * units)).astype(np.float32),
            rng.normal(0, 0.5, (units, 3 * units)).astype(np.float32),
            rng.normal(0, 0.5, (2, 3 * units)).astype(np.float32)]


def _padded(rng, batch, steps):
    lengths = rng.integers(2, steps, batch)
    lengths[0] = steps
    return np.arange(steps)[None, :] < lengths[:, None]


def _compare(student, reference, x, mask, fw, bw, mode, return_sequences, what):
    got = student.call("bidirectional_rnn", Tensor(x), mask, fw, bw, mode, return_sequences)
    want = reference.probe("keras_bidirectional", x, mask, fw, bw, mode, return_sequences)
    label = f"bidirectional_rnn merge_mode={mode!r}, return_sequences={return_sequences} ({what})"
    if mode is None:
        if not isinstance(got, (list, tuple)) or len(got) != 2:
            raise checks.CheckFailed(f"{label}: with merge_mode=None return the list [forward, backward]")
        for name, g, w in zip(("forward", "backward"), got, want, strict=True):
            checks.assert_tensor(g, w, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5, name=f"{label}, {name}")
    else:
        checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5, name=label)


@pytest.mark.points(2)
def test_merge_modes_without_mask(student, reference, rng):
    for mode in MODES:
        x = rng.normal(size=(3, 6, 4)).astype(np.float32)
        _compare(student, reference, x, None, _weights(rng, 4, 5), _weights(rng, 4, 5), mode, True, "no mask")


@pytest.mark.points(3)
def test_right_padded_sequences_reverse_within_their_length(student, reference, rng):
    for mode in MODES:
        x = rng.normal(size=(4, 7, 3)).astype(np.float32)
        mask = _padded(rng, 4, 7)
        x[~mask] = rng.normal(0, 5, size=x[~mask].shape)  # padding that leaks in shows
        _compare(student, reference, x, mask, _weights(rng, 3, 4), _weights(rng, 3, 4), mode, True,
                 "right-padded, masked")


@pytest.mark.points(2)
def test_final_states_with_mask(student, reference, rng):
    for mode in ("concat", "ave"):
        x = rng.normal(size=(4, 6, 3)).astype(np.float32)
        mask = _padded(rng, 4, 6)
        _compare(student, reference, x, mask, _weights(rng, 3, 4), _weights(rng, 3, 4), mode, False,
                 "right-padded, masked")


@pytest.mark.points(1)
def test_merge_mode_none_returns_both_directions(student, reference, rng):
    x = rng.normal(size=(3, 5, 2)).astype(np.float32)
    mask = _padded(rng, 3, 5)
    _compare(student, reference, x, mask, _weights(rng, 2, 3), _weights(rng, 2, 3), None, True, "masked")


@pytest.mark.points(1)
def test_gradients_match_reference(student, reference, rng):
    x = rng.normal(size=(3, 5, 3)).astype(np.float32)
    mask = _padded(rng, 3, 5)
    args = [Tensor(x), mask, *_weights(rng, 3, 4), *_weights(rng, 3, 4), "concat"]
    got = student.harness("gradient", "probes.bidirectional_flat", args, wrt=(0,), upstream_seed=7)
    want = reference.harness("gradient", "probes.bidirectional_flat", args, wrt=(0,), upstream_seed=7)
    if got[0] is None:
        raise checks.CheckFailed("the gradient of bidirectional_rnn with respect to x is None")
    checks.assert_tensor(got[0], want[0], rtol=1e-4, atol=1e-5, name="gradient of bidirectional_rnn wrt x")


@pytest.mark.points(1)
def test_no_keras_bidirectional_wrapper(student, reference, rng):
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    mask = _padded(rng, 2, 5)
    fw, bw = _weights(rng, 3, 4), _weights(rng, 3, 4)
    _compare(student, reference, x, mask, fw, bw, "sum", True, "masked")
    checks.assert_no_forbidden_calls(student, "bidirectional_rnn", [Tensor(x), mask, fw, bw, "sum", True],
                                     ["tf.keras.layers.Bidirectional.call"],
                                     why="run the two directions yourself and merge them")
