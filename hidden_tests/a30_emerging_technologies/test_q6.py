"""Hidden tests for A30 Q6: band-pass against SciPy, CSP against scipy.linalg.eigh's generalised eigenproblem, CSP+LDA
on synthetic sessions whose labels stay here, the EEGNet architecture, a Kalman decoder against NumPy, and the ITR."""

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.signal

from graders import checks

pytestmark = pytest.mark.question("q6")


def _session(reference, n, seed, rng, artefacts=False):
    """A session from the course's generator, remixed here by a random channel map that never leaves the judge.

    The generator is in the notebook, so its seed could be searched from the data; a hidden re-mixing of the
    channels leaves CSP unchanged (the generalised eigenproblem is invariant to it) but hides the generator's
    mixing matrix, so the labels cannot be looked up. With ``artefacts``, the judge adds what the course's
    generator leaves out and a recording has: beta-band activity (18-26 Hz) and out-of-band drift (0.5-3 Hz) and
    50 Hz line noise, none of it class-related and each at a random strength per trial. A pipeline that learns its
    filters outside the 8-30 Hz band then learns them on the artefacts.
    """
    X, y, _ = reference.call("make_motor_imagery", n, 8, 128, 2.0, seed)
    X = np.asarray(X, np.float64)
    if artefacts:
        t = np.arange(X.shape[2]) / 128
        beta_patterns, other_patterns = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
        for k in range(n):
            beta = [2.0 * rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * rng.uniform(18, 26) * t + rng.uniform(0, 7))
                    for _ in range(2)]
            other = [3.0 * rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * f * t + rng.uniform(0, 7))
                     for f in (rng.uniform(0.5, 3.0), 50.0)]
            X[k] += beta_patterns @ np.stack(beta) + other_patterns @ np.stack(other)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    remix = q @ np.diag(rng.uniform(0.5, 2.0, size=8))
    return np.einsum("cd,kdt->kct", remix, X), np.asarray(y).astype(int)


def _cov(X):
    C = np.einsum("kct,kdt->kcd", X, X)
    return np.mean(C / np.trace(C, axis1=1, axis2=2)[:, None, None], axis=0)


@pytest.mark.points(3)
def test_bandpass_and_csp_against_scipy(student, reference, rng):
    X, y = _session(reference, 60, int(rng.integers(1 << 20)), rng)
    fs = 128
    sos = scipy.signal.butter(4, [8, 30], btype="bandpass", fs=fs, output="sos")
    Xf = scipy.signal.sosfiltfilt(sos, X, axis=-1)
    checks.assert_tensor(student.call("bandpass", X[:5], fs, 8, 30), Xf[:5], expect="any", atol=1e-8, rtol=1e-6,
                         name="bandpass (butter sos + sosfiltfilt)")
    Ca, Cb = _cov(Xf[y == 0]), _cov(Xf[y == 1])
    vals, vecs = scipy.linalg.eigh(Ca, Ca + Cb)
    order = [7, 6, 5, 0, 1, 2]
    W = np.asarray(student.call("csp", Xf[y == 0], Xf[y == 1], 6), np.float64)
    assert W.shape == (8, 6), "csp returns (channels, n_components)"
    for k, j in enumerate(order):
        w, v = W[:, k], vecs[:, j]
        cos = abs(w @ v) / (np.linalg.norm(w) * np.linalg.norm(v))
        assert cos > 0.999, f"CSP filter {k} is not the generalised eigenvector (largest first, then smallest)"
        ratio = (w @ Ca @ w) / (w @ (Ca + Cb) @ w)
        assert abs(ratio - vals[j]) < 1e-6, f"filter {k}: variance ratio w'Ca w / w'(Ca+Cb) w is not its eigenvalue"
    Z = np.einsum("cf,kct->kft", vecs[:, order], Xf)
    var = Z.var(axis=2)
    checks.assert_tensor(student.call("log_var_features", Xf, vecs[:, order]), np.log(var / var.sum(1, keepdims=True)),
                         expect="any", atol=1e-9, rtol=1e-9, name="log_var_features")


@pytest.mark.points(2)
def test_csp_lda_on_held_out_sessions(student, reference, rng, thresholds):
    for _ in range(4):
        X, y = _session(reference, 140, int(rng.integers(1 << 20)), rng, artefacts=True)
        pred = np.asarray(student.call("csp_lda_predict", X[:80], y[:80], X[80:], 128)).astype(int)
        checks.assert_accuracy(pred, y[80:], thresholds["min_csp_accuracy"])


@pytest.mark.points(2)
def test_eegnet_architecture(student, reference):
    for args, kw in (((8, 128, 2), {}), ((16, 256, 4), {"F1": 4, "D": 3, "F2": 12, "kern_length": 32})):
        got = student.probe("eegnet_summary", *args, **kw)
        want = reference.probe("eegnet_summary", *args, **kw)
        assert got["input_shape"] == want["input_shape"], "EEGNet input is (chans, samples, 1)"
        assert got["depth_multiplier"] == want["depth_multiplier"], "one DepthwiseConv2D with depth_multiplier D"
        assert got["depthwise_kernel"] == want["depthwise_kernel"], "the depthwise conv spans all channels: (chans, 1)"
        assert got["depthwise_max_norm"] == want["depthwise_max_norm"], "the depthwise kernel has a max-norm 1 limit"
        for kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "AveragePooling2D", "Dropout", "Dense"):
            assert got["kinds"].count(kind) == want["kinds"].count(kind), f"number of {kind} layers"
        assert got["kinds"].count("BatchNormalization") == 3, "three BatchNormalization layers"
        for key, what in (("elu_count", "ELU activations (after the depthwise and separable blocks)"),
                          ("dropout_rates", "dropout rates"), ("dense_max_norm", "the classifier's max-norm 0.25"),
                          ("pool_sizes", "average-pooling sizes"), ("kernel_sizes", "convolution kernel sizes"),
                          ("use_bias", "convolutions without bias")):
            assert got[key] == want[key], what
        assert got["trainable"] == want["trainable"], "trainable parameter count differs from EEGNet's"
        assert got["params"] == want["params"], "parameter count differs from EEGNet's"
        out = np.asarray(got["output"])
        assert out.shape == (3, args[2]) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5), "softmax output"


def _kalman(p, Z, x0, P0):
    x, P, out = x0.copy(), P0.copy(), []
    for z in Z:
        x = p["A"] @ x
        P = p["A"] @ P @ p["A"].T + p["W"]
        K = P @ p["H"].T @ np.linalg.inv(p["H"] @ P @ p["H"].T + p["Q"])
        x = x + K @ (z - p["H"] @ x)
        P = (np.eye(len(x)) - K @ p["H"]) @ P
        out.append(x)
    return np.array(out)


@pytest.mark.points(2)
def test_kalman_fit_and_decode(student, reference, rng, thresholds):
    x, z = reference.call("make_cursor_session", 1600, 16, int(rng.integers(1 << 20)))
    x, z = np.asarray(x, np.float64), np.asarray(z, np.float64)
    X1, X2 = x[:999], x[1:1000]
    A = np.linalg.lstsq(X1, X2, rcond=None)[0].T
    r = X2 - X1 @ A.T
    H = np.linalg.lstsq(x[:1000], z[:1000], rcond=None)[0].T
    q = z[:1000] - x[:1000] @ H.T
    want = {"A": A, "W": r.T @ r / 999, "H": H, "Q": q.T @ q / 1000}
    got = student.call("kalman_fit", x[:1000], z[:1000])
    for k in ("A", "W", "H", "Q"):
        checks.assert_tensor(got[k], want[k], expect="any", atol=1e-8, rtol=1e-6, name=f"kalman_fit {k}")
    x0, P0 = np.zeros(2), np.eye(2)
    dec = np.asarray(student.call("kalman_decode", want, z[1000:], x0, P0), np.float64)
    checks.assert_tensor(dec, _kalman(want, z[1000:], x0, P0), expect="any", atol=1e-6, rtol=1e-6,
                         name="kalman_decode states")
    for k in range(2):
        assert np.corrcoef(dec[:, k], x[1000:, k])[0, 1] >= thresholds["min_kalman_corr"], "decoded velocity"


@pytest.mark.points(1)
def test_wolpaw_itr(student):
    for acc, n, ts in ((0.9, 2, 4.0), (0.7, 4, 3.0), (0.55, 6, 1.5), (1.0, 3, 2.0), (0.2, 4, 1.0), (0.25, 4, 2.0)):
        if acc <= 1 / n:
            want = 0.0
        else:
            bits = math.log2(n) + acc * math.log2(acc) + ((1 - acc) * math.log2((1 - acc) / (n - 1)) if acc < 1 else 0)
            want = bits * 60 / ts
        checks.assert_value(float(student.call("wolpaw_itr", acc, n, ts)), want, rtol=1e-9, atol=1e-12,
                            name=f"wolpaw_itr({acc}, {n}, {ts})")
