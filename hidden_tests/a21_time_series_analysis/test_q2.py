"""Hidden tests for A21 Q2: EWMA, CUSUM and Shewhart charts, an autoencoder detector, a streaming detector.

The charts are recomputed in the judge with NumPy. The autoencoder gets the judge's weights for an exact score
check, and is then trained on normal windows only and scored by precision and recall on windows the judge
generates, with anomalies planted at positions that stay in the judge.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

W = 24


def np_ewma(x, lam, L, mu0, sigma):
    z = np.empty(len(x))
    prev = mu0
    for i, v in enumerate(x):
        prev = lam * v + (1 - lam) * prev
        z[i] = prev
    t = np.arange(1, len(x) + 1)
    half = L * sigma * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))
    return z, mu0 - half, mu0 + half


def np_cusum(x, mu0, sigma, k, h):
    z = (np.asarray(x) - mu0) / sigma
    cp, cm, al = np.zeros(len(z)), np.zeros(len(z)), np.zeros(len(z), bool)
    hi = lo = 0.0
    for t, v in enumerate(z):
        hi, lo = max(0.0, hi + v - k), max(0.0, lo - v - k)
        cp[t], cm[t] = hi, lo
        if hi > h or lo > h:
            al[t] = True
            hi = lo = 0.0
    return cp, cm, al


def np_shewhart(x, mu0, sigma):
    z = (np.asarray(x) - mu0) / sigma
    out = np.zeros((len(z), 3), bool)
    out[:, 0] = np.abs(z) > 3
    for t in range(2, len(z)):
        w = z[t - 2:t + 1]
        out[t, 1] = (w > 2).sum() >= 2 or (w < -2).sum() >= 2
    for t in range(7, len(z)):
        w = z[t - 7:t + 1]
        out[t, 2] = bool(np.all(w > 0) or np.all(w < 0))
    return out


def _process(rng, n=300):
    """In control, then a mean shift of 1.2 sigma from a random point on."""
    mu0, sigma = rng.uniform(-5, 5), rng.uniform(0.5, 3)
    x = rng.normal(mu0, sigma, size=n)
    shift = int(rng.integers(120, 200))
    x[shift:] += 1.2 * sigma * rng.choice([-1, 1])
    return x, mu0, sigma


@pytest.mark.points(2)
def test_ewma_statistic_and_exact_limits(student, rng):
    x, mu0, sigma = _process(rng)
    lam, L = float(rng.uniform(0.1, 0.4)), float(rng.uniform(2.5, 3.2))
    got = student.call("ewma_chart", x, lam, L, mu0, sigma)
    want = np_ewma(x, lam, L, mu0, sigma)
    checks.assert_value(len(got), 3, name="number of returned arrays (z, lcl, ucl)")
    for g, w, what in zip(got, want, ["EWMA statistic z_t", "lower limit", "upper limit (time-varying, exact)"],
                          strict=True):
        checks.assert_tensor(g, w, expect="any", rtol=1e-10, atol=1e-10, name=what)


@pytest.mark.points(2)
def test_cusum_sums_alarms_and_restart(student, rng):
    x, mu0, sigma = _process(rng)
    k, h = 0.5, float(rng.uniform(3.5, 5.0))
    cp, cm, al = student.call("cusum", x, mu0, sigma, k=k, h=h)
    want_cp, want_cm, want_al = np_cusum(x, mu0, sigma, k, h)
    checks.assert_tensor(cp, want_cp, expect="any", rtol=1e-10, atol=1e-10, name="C+ (upper cumulative sum)")
    checks.assert_tensor(cm, want_cm, expect="any", rtol=1e-10, atol=1e-10, name="C- (lower cumulative sum)")
    got_al = np.asarray(al).astype(bool)
    if got_al.shape != want_al.shape or not np.array_equal(got_al, want_al):
        raise checks.CheckFailed("CUSUM alarms differ (alarm when C+ > h or C- > h, then restart both at 0)",
                                 values={"got": got_al.nonzero()[0].tolist(), "want": want_al.nonzero()[0].tolist()})


@pytest.mark.points(2)
def test_shewhart_western_electric_rules(student, rng):
    mu0, sigma = 1.0, 2.0
    z = rng.normal(size=400) * 1.4  # enough points beyond 2 and 3 sigma to exercise every rule
    z[100:112] = np.abs(z[100:112]) + 0.1  # a run on one side
    z[250:260] = -np.abs(z[250:260]) - 0.1
    x = mu0 + sigma * z
    got = np.asarray(student.call("shewhart_rules", x, mu0, sigma)).astype(bool)
    want = np_shewhart(x, mu0, sigma)
    if got.shape != want.shape:
        raise checks.CheckFailed(f"shewhart_rules returned shape {got.shape}, expected (n, 3)")
    for col, rule in enumerate(["rule 1 (beyond 3 sigma)", "rule 2 (2 of 3 beyond 2 sigma, same side)",
                                "rule 3 (8 in a row on one side)"]):
        bad = int(np.sum(got[:, col] != want[:, col]))
        if bad:
            raise checks.CheckFailed(f"{rule}: {bad} of {len(x)} flags differ",
                                     values={"got": got[:, col].nonzero()[0].tolist(),
                                             "want": want[:, col].nonzero()[0].tolist()})


@pytest.mark.points(2)
def test_autoencoder_scores_with_judge_weights(student, reference, rng):
    shapes = reference.probe("weight_shapes", "build_autoencoder", {"window": 12})
    weights = [rng.normal(0, 0.4, size=s).astype(np.float32) for s in shapes]
    windows = rng.normal(size=(9, 12)).astype(np.float32)
    got = student.probe("ae_scores", weights, 12, windows)
    want = reference.probe("ae_scores", weights, 12, windows)
    checks.assert_tensor(got, want, expect="array", rtol=1e-5, atol=1e-6,
                         name="anomaly_scores (mean squared reconstruction error per window) with the judge's weights")


def _windows(rng, k):
    phase = rng.uniform(0, 2 * np.pi, size=(k, 1))
    t = np.arange(W)
    return (np.sin(2 * np.pi * t / W + phase) + 0.1 * rng.normal(size=(k, W))).astype(np.float32)


def _planted(rng, n_test=120, n_bad=24):
    test = _windows(rng, n_test)
    labels = np.zeros(n_test, bool)
    bad = rng.choice(n_test, n_bad, replace=False)
    labels[bad] = True
    for j, i in enumerate(bad):
        p = int(rng.integers(0, W - 6))
        sign = rng.choice([-1.0, 1.0])
        if j % 3 == 0:
            test[i, p] += 1.5 * sign  # spike
        elif j % 3 == 1:
            test[i, p:] += 0.8 * sign  # level shift
        else:
            test[i] += rng.normal(0, 0.5, W)  # variance burst
    return test, labels


@pytest.mark.points(3)
def test_autoencoder_detects_planted_anomalies(student, rng, thresholds):
    train = _windows(rng, 256)
    test, labels = _planted(rng)
    got = student.probe("ae_detect", train, test, 60)
    train_scores, test_scores = np.asarray(got["train"]), np.asarray(got["test"])
    if train_scores.shape != (len(train),) or test_scores.shape != (len(test),):
        raise checks.CheckFailed("anomaly_scores must return one score per window")
    # The threshold is the work's output: it must be the 0.99 quantile of the training windows' own scores.
    checks.assert_tensor(np.float64(got["threshold"]), np.float64(np.quantile(train_scores, 0.99)), expect="any",
                         rtol=1e-5, name="threshold (0.99 quantile of the training windows' scores)")
    flags = test_scores > got["threshold"]
    tp = int(np.sum(flags & labels))
    precision = tp / max(int(flags.sum()), 1)
    recall = tp / int(labels.sum())
    if precision < thresholds["min_precision"] or recall < thresholds["min_recall"]:
        raise checks.CheckFailed(
            f"on held-out windows with planted anomalies your detector has precision {precision:.2f} and recall "
            f"{recall:.2f} (needs precision >= {thresholds['min_precision']} and recall >= "
            f"{thresholds['min_recall']}): train on normal windows only, score by reconstruction error",
            values={"precision": precision, "recall": recall})


@pytest.mark.points(2)
def test_streaming_detector_equals_batch_charts(student, rng):
    x, mu0, sigma = _process(rng, n=260)
    kwargs = {"mu0": mu0, "sigma": sigma, "lam": 0.25, "L": 2.8, "k": 0.5, "h": 4.0}
    got = student.probe("stream_detector", x, kwargs)
    z, lcl, ucl = np_ewma(x, 0.25, 2.8, mu0, sigma)
    checks.assert_tensor(np.asarray(got["ewma"]), z, expect="any", rtol=1e-10, atol=1e-10,
                         name="streaming EWMA statistic, update by update")
    want_ewma_alarm = (z < lcl) | (z > ucl)
    if not np.array_equal(np.asarray(got["ewma_alarm"], bool), want_ewma_alarm):
        raise checks.CheckFailed("streaming EWMA alarms differ from the batch chart's (z_t outside the exact "
                                 "limits at that t)")
    _, _, want_cusum = np_cusum(x, mu0, sigma, 0.5, 4.0)
    if not want_cusum.any() or not np.array_equal(np.asarray(got["cusum_alarm"], bool), want_cusum):
        raise checks.CheckFailed("streaming CUSUM alarms differ from the batch chart's (restart after an alarm)")
