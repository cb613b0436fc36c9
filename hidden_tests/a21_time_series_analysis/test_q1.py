"""Hidden tests for A21 Q1: leak-free windowing, LSTM and temporal-convolution forecasters, MASE.

Windows, scaler statistics and MASE are recomputed in the judge with NumPy. The two architectures get the
judge's random weights in both workers and must give the reference's outputs; the TCN's receptive field is read
from input gradients. A trained forecaster is scored by MASE on a held-out span of a series the judge generates;
the span's values never reach the worker (only the contexts before each forecast do).
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q1")


def _series(rng, n):
    """Two seasonalities, an AR(1) disturbance and a level far from zero (so scaling matters)."""
    t = np.arange(n)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.6 * e[i - 1] + rng.normal(0, 0.3)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    level, amp = rng.uniform(30, 80), rng.uniform(5, 15)
    y = level + amp * (np.sin(2 * np.pi * t / 16 + phase[0]) + 0.5 * np.sin(2 * np.pi * t / 7 + phase[1])) + 3 * e
    return y.astype(np.float32)[:, None]


def _np_windows(s, iw, h):
    n = len(s) - iw - h + 1
    return np.stack([s[i:i + iw] for i in range(n)]), np.stack([s[i + iw:i + iw + h] for i in range(n)])


def _random_weights(reference, builder, kwargs, rng):
    shapes = reference.probe("weight_shapes", builder, kwargs)
    return [rng.normal(0, 0.3, size=s).astype(np.float32) for s in shapes]


@pytest.mark.points(3)
def test_windows_match_numpy_sliding_windows(student, rng):
    s = rng.normal(size=(37, 3)).astype(np.float32)
    for iw, h in [(5, 2), (8, 1), (4, 6)]:
        got_x, got_y = student.call("make_windows", Tensor(s), iw, h)
        want_x, want_y = _np_windows(s, iw, h)
        checks.assert_tensor(got_x, want_x, expect="any", atol=0,
                             name=f"inputs of make_windows(width={iw}, horizon={h})")
        checks.assert_tensor(got_y, want_y, expect="any", atol=0,
                             name=f"targets of make_windows(width={iw}, horizon={h}) (the {h} steps right after "
                                  "the inputs, the last window ending at the series' last step)")
    v = rng.normal(size=20).astype(np.float64)
    got_x, got_y = student.call("make_windows", v, 6, 3)
    want_x, want_y = _np_windows(v[:, None], 6, 3)
    checks.assert_tensor(got_x, want_x, expect="any", dtype="float64", atol=0, name="inputs of a 1-D float64 series")
    checks.assert_tensor(got_y, want_y, expect="any", dtype="float64", atol=0, name="targets of a 1-D float64 series")


@pytest.mark.points(2)
def test_scaler_sees_the_training_span_only(student, rng):
    s = rng.normal(3.0, 2.0, size=(60, 2))
    n_train = int(rng.integers(30, 45))
    mean, std = student.call("fit_scaler", s, n_train)
    checks.assert_tensor(mean, s[:n_train].mean(0), expect="any", rtol=1e-6, name="mean of the training span")
    checks.assert_tensor(std, s[:n_train].std(0), expect="any", rtol=1e-6,
                         name="population std (ddof=0) of the training span")
    tampered = s.copy()
    tampered[n_train:] = 1e6  # the future changes wildly: the statistics must not move
    mean2, std2 = student.call("fit_scaler", tampered, n_train)
    checks.assert_tensor(mean2, s[:n_train].mean(0), expect="any", rtol=1e-6,
                         name="mean when the rows after n_train change (leakage from the test span)")
    checks.assert_tensor(std2, s[:n_train].std(0), expect="any", rtol=1e-6,
                         name="std when the rows after n_train change (leakage from the test span)")


@pytest.mark.points(2)
def test_mase_matches_its_definition(student, rng):
    y_train = rng.normal(size=80).cumsum()
    y_true = rng.normal(size=(12, 4))
    y_pred = (y_true + rng.normal(0, 0.5, size=(12, 4))).astype(np.float32)  # a float32 model's forecast
    for m in (1, 4):
        want = np.mean(np.abs(y_true - y_pred)) / np.mean(np.abs(y_train[m:] - y_train[:-m]))
        got = student.call("mase", y_true, Tensor(y_pred), y_train, m=m)
        checks.assert_tensor(got, np.float64(want), expect="any", dtype="float64", rtol=1e-6,
                             name=f"mase with seasonal lag m={m}")


@pytest.mark.points(2)
def test_lstm_forecaster_with_judge_weights_matches_reference(student, reference, rng):
    kwargs = {"input_width": 10, "n_features": 2, "horizon": 3, "units": 5}
    weights = _random_weights(reference, "build_lstm_forecaster", kwargs, rng)
    x = rng.normal(size=(6, 10, 2)).astype(np.float32)
    got = student.probe("model_outputs", "build_lstm_forecaster", kwargs, weights, x)
    want = reference.probe("model_outputs", "build_lstm_forecaster", kwargs, weights, x)
    checks.assert_tensor(got, want, expect="array", rtol=1e-4, atol=1e-5,
                         name="LSTM forecaster output [batch, horizon, features] with the judge's weights")


@pytest.mark.points(2)
def test_tcn_forecaster_matches_reference_and_is_causal_with_receptive_field(student, reference, rng):
    kwargs = {"input_width": 20, "n_features": 2, "horizon": 4, "filters": 6, "kernel_size": 3,
              "dilations": [1, 2, 4]}
    weights = _random_weights(reference, "build_tcn_forecaster", kwargs, rng)
    weights = [np.abs(w) + 0.05 if w.ndim == 3 else w for w in weights]  # positive kernels: every ReLU is active
    x = np.abs(rng.normal(size=(8, 20, 2))).astype(np.float32) + 0.1
    got = student.probe("model_outputs", "build_tcn_forecaster", kwargs, weights, x)
    want = reference.probe("model_outputs", "build_tcn_forecaster", kwargs, weights, x)
    checks.assert_tensor(got, want, expect="array", rtol=1e-4, atol=1e-5,
                         name="TCN forecaster output with the judge's weights")
    grad = np.asarray(student.probe("input_gradient", "build_tcn_forecaster", kwargs, weights, x))
    field = 1 + (3 - 1) * (1 + 2 + 4)
    if grad.shape != (20,):
        raise checks.CheckFailed(f"input gradient has shape {grad.shape}, expected one value per input step")
    if np.any(grad[:20 - field] != 0):
        raise checks.CheckFailed("the forecast depends on inputs outside the receptive field of the causal "
                                 "convolutions (use only the last time step's features after the convolutions)")
    if np.any(grad[20 - field:] == 0):
        raise checks.CheckFailed("the forecast ignores some inputs inside the receptive field (causal padding, "
                                 "dilation_rate=d per layer)")


def _trained_mase(student, rng, builder, kwargs, thresholds, name):
    iw, h, n_train, n_blocks = 24, 8, 400, 24
    s = _series(rng, n_train - iw + n_blocks * (iw + h))
    train = s[:n_train]
    # Every forecast's targets lie in the held-out span after n_train, in back-to-back (context, target) blocks:
    # no target value is inside any context, so predict(contexts) cannot read one target from a later context.
    starts = n_train - iw + (iw + h) * np.arange(n_blocks)
    contexts = np.stack([s[i:i + iw] for i in starts])
    targets = np.stack([s[i + iw:i + iw + h] for i in starts])
    forecasts = np.asarray(student.probe("train_and_forecast", builder, kwargs, train, iw, h, 20, contexts))
    if forecasts.shape != targets.shape:
        raise checks.CheckFailed(f"predict returned shape {forecasts.shape} for {len(starts)} contexts, "
                                 f"expected {targets.shape}")
    if not np.all(np.isfinite(forecasts)):
        raise checks.CheckFailed("predict returned non-finite forecasts")
    score = np.mean(np.abs(targets - forecasts)) / np.mean(np.abs(np.diff(train[:, 0])))
    limit = thresholds["max_mase"]
    if score > limit:
        raise checks.CheckFailed(f"held-out MASE of the trained {name} is {score:.3f}, above {limit}: scale with the "
                                 "training statistics, train on windows whose targets follow their inputs, and "
                                 "unscale the forecasts", values={"mase": score})


@pytest.mark.points(3)
def test_trained_tcn_beats_naive_on_held_out_span(student, rng, thresholds):
    _trained_mase(student, rng, "build_tcn_forecaster", {"input_width": 24, "n_features": 1, "horizon": 8},
                  thresholds, "TCN")


@pytest.mark.points(1)
def test_fit_forecaster_honours_learning_rate_epochs_and_batch_size(student, rng):
    kwargs = {"input_width": 8, "n_features": 1, "horizon": 2, "filters": 4}
    train = _series(rng, 60)  # 51 windows of 8 + 2 steps: 4 mini-batches of 16 per epoch
    trained = student.probe("fit_effect", "build_tcn_forecaster", kwargs, train, 8, 2, 2, 0.01, 16)
    if not trained["changed"] > 0:
        raise checks.CheckFailed("fit_forecaster(learning_rate=0.01) left the model's weights unchanged: train it")
    frozen = student.probe("fit_effect", "build_tcn_forecaster", kwargs, train, 8, 2, 2, 0.0, 16)
    if frozen["changed"] != 0:
        raise checks.CheckFailed("fit_forecaster(learning_rate=0.0) changed the weights: pass learning_rate to "
                                 "Adam (the default optimizer and learning rate are not the ones asked for)")
    for got in (trained["steps"], frozen["steps"]):
        if got is not None and got != 2 * 4:
            raise checks.CheckFailed("the compiled optimizer took a different number of steps than epochs=2 epochs "
                                     "of batch_size=16 mini-batches over 51 windows",
                                     values={"steps": got, "want": 8})
