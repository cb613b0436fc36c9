"""Hidden tests for A21 Q5: a GRU served one sample at a time, and online (prequential) updates.

The probes build the model from ``build_gru_model`` with the judge's weights. Step-by-step outputs are compared
with the full-sequence run of the same model (computed by the probe and by the reference); online updates are
compared step for step with the reference's and, on a stream with an abrupt drift, scored in the judge against
targets the worker never sees after the warm-up.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

NF, UNITS, NOUT = 3, 6, 2


def _weights(reference, rng, scale=0.5):
    shapes = reference.probe("weight_shapes", "build_gru_model", {"n_features": NF, "units": UNITS, "n_out": NOUT})
    return [rng.normal(0, scale, size=s).astype(np.float32) for s in shapes]


@pytest.mark.points(2)
def test_gru_model_with_judge_weights_matches_reference(student, reference, rng):
    weights = _weights(reference, rng)
    seq = rng.normal(size=(15, NF)).astype(np.float32)
    got = student.probe("gru_batch", NF, UNITS, NOUT, weights, seq)
    want = reference.probe("gru_batch", NF, UNITS, NOUT, weights, seq)
    checks.assert_tensor(got, want, expect="array", rtol=1e-5, atol=1e-6,
                         name="GRU model outputs [T, n_out] with the judge's weights (return_sequences=True)")


@pytest.mark.points(3)
def test_streaming_steps_equal_the_batch_run(student, reference, rng):
    weights = _weights(reference, rng)
    seq = rng.normal(size=(25, NF)).astype(np.float32)
    (got,) = student.probe("gru_stream", NF, UNITS, NOUT, weights, [seq])
    want = reference.probe("gru_batch", NF, UNITS, NOUT, weights, seq)
    checks.assert_tensor(np.asarray(got), want, expect="array", rtol=1e-5, atol=1e-5,
                         name="StreamingGRU.step outputs, one per time step, against the full-sequence run")


@pytest.mark.points(3)
def test_reset_and_the_models_current_weights(student, reference, rng):
    weights, newer = _weights(reference, rng), _weights(reference, rng)
    first = rng.normal(size=(10, NF)).astype(np.float32)
    second = rng.normal(size=(12, NF)).astype(np.float32)
    # The model's weights change after the streamer is built (a retrained model being served): the streamer must
    # serve them, and after reset() the second sequence starts from a zero state.
    got = student.probe("gru_stream", NF, UNITS, NOUT, weights, [first, second], new_weights=newer)
    checks.assert_tensor(np.asarray(got[0]), reference.probe("gru_batch", NF, UNITS, NOUT, newer, first),
                         expect="array", rtol=1e-5, atol=1e-5,
                         name="outputs after the model's weights were updated (use the model's layers, not a copy "
                              "of their weights)")
    checks.assert_tensor(np.asarray(got[1]), reference.probe("gru_batch", NF, UNITS, NOUT, newer, second),
                         expect="array", rtol=1e-5, atol=1e-5,
                         name="outputs on a second sequence after reset() (the state must start from zero)")


@pytest.mark.points(2)
def test_online_update_matches_reference_step_for_step(student, reference, rng):
    weights = _weights(reference, rng, scale=0.3)
    xs = [rng.normal(size=(4, 6, NF)).astype(np.float32) for _ in range(5)]
    ys = [rng.normal(size=(4, 6, NOUT)).astype(np.float32) for _ in range(5)]
    got = student.probe("online_run", NF, UNITS, NOUT, weights, xs, ys, 0.1)
    want = reference.probe("online_run", NF, UNITS, NOUT, weights, xs, ys, 0.1)
    checks.assert_tensor(np.asarray(got["losses"]), np.asarray(want["losses"]), expect="any", rtol=1e-5, atol=1e-6,
                         name="losses returned by online_update (mean squared error before each step)")
    assert len(got["weights"]) == len(want["weights"]), "online_update changed the number of weights"
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, expect="array", rtol=1e-4, atol=1e-5, name=f"weight {i} after 5 online updates")


@pytest.mark.points(2)
def test_online_updates_track_an_abrupt_drift(student, rng, thresholds):
    n_warm, n_after = 150, 80
    x = rng.normal(size=(n_warm + n_after, 4)).astype(np.float32)
    w_before, w_after = rng.normal(size=4), rng.normal(size=4)
    y = np.where(np.arange(len(x))[:, None] < n_warm, x @ w_before[:, None], x @ w_after[:, None])
    y = (y + 0.05 * rng.normal(size=y.shape)).astype(np.float32)
    # The worker sees the targets only as the stream reveals them, after each prediction (prequential).
    got = student.probe("drift_run", int(rng.integers(0, 1000)), x, y, n_warm, 0.1)
    online, frozen = np.asarray(got["online"]), np.asarray(got["frozen"])
    if online.shape != (n_after,) or not np.all(np.isfinite(online)):
        raise checks.CheckFailed("online predictions are missing or non-finite")
    truth = y[n_warm:, 0]
    ratio = np.mean((online - truth) ** 2) / np.mean((frozen - truth) ** 2)
    if ratio > thresholds["max_drift_ratio"]:
        raise checks.CheckFailed(f"after the drift the online model's squared error is {ratio:.2f} of the frozen "
                                 f"model's (needs <= {thresholds['max_drift_ratio']}): apply one optimizer step per "
                                 "call", values={"ratio": ratio})
