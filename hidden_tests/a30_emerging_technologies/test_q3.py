"""Hidden tests for A30 Q3: LIF dynamics against a NumPy simulation, the surrogate gradient against its formula,
STDP against the pair rule, and a trained spiking classifier simulated by the grader on held-out inputs, with its
synaptic operations recomputed from that simulation."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _lif(cur, beta, theta, reset):
    cur = cur.astype(np.float32)
    v = np.zeros(cur.shape[1], np.float32)
    vs, ss = [], []
    for t in range(cur.shape[0]):
        v = np.float32(beta) * v + cur[t]
        s = (v - np.float32(theta) > 0).astype(np.float32)
        v = v - s * np.float32(theta) if reset == "subtract" else v * (1 - s)
        vs.append(v)
        ss.append(s)
    return np.stack(vs), np.stack(ss)


@pytest.mark.points(2)
def test_lif_matches_numpy(student, rng):
    cur = rng.uniform(-0.2, 0.7, size=(40, 9)).astype(np.float32)
    for beta, theta, reset in ((0.9, 1.0, "subtract"), (0.8, 0.7, "zero")):
        v, s = student.call("lif_simulate", cur, beta, theta, reset)
        want_v, want_s = _lif(cur, beta, theta, reset)
        s = np.asarray(s)
        assert set(np.unique(s)) <= {0.0, 1.0}, "spikes must be exactly 0 or 1"
        checks.assert_tensor(s, want_s, expect="any", atol=0, rtol=0, name=f"spike train (reset={reset})")
        checks.assert_tensor(v, want_v, expect="any", atol=1e-5, rtol=1e-5, name=f"membrane potential ({reset})")


@pytest.mark.points(2)
def test_surrogate_gradient_formula(student, rng):
    x = rng.normal(0, 0.5, size=(50,)).astype(np.float32)
    x[:3] = [0.0, 1e-3, -1e-3]
    for slope in (25.0, 5.0):
        fwd = np.asarray(student.call("spike_fn", x, slope))
        checks.assert_tensor(fwd, (x > 0).astype(np.float32), expect="any", atol=0, rtol=0, name="spike_fn forward")
        (g,) = student.harness("gradient", "spike_fn", [x, slope], wrt=(0,), upstream_seed=3)
        up = np.random.default_rng(3).standard_normal(x.shape)
        checks.assert_tensor(g, up / (1 + slope * np.abs(x)) ** 2, expect="any", atol=1e-5, rtol=1e-4,
                             name=f"surrogate gradient (slope={slope})")


def _stdp(w, pre, post, ap, am, tp, tm, wmax):
    w = np.array(w, np.float64)
    for i, a in enumerate(pre):
        for j, b in enumerate(post):
            for tpre in a:
                for tpost in b:
                    dt = tpost - tpre
                    if dt > 0:
                        w[i, j] += ap * np.exp(-dt / tp)
                    elif dt < 0:
                        w[i, j] -= am * np.exp(dt / tm)
    return np.clip(w, 0, wmax)


@pytest.mark.points(2)
def test_stdp_pair_rule(student, rng):
    n_pre, n_post = 5, 4
    w = rng.uniform(0, 1, size=(n_pre, n_post))
    w[0, 0], w[1, 1] = 0.995, 0.002  # clipping at both ends
    pre = [sorted(rng.uniform(0, 100, size=rng.integers(0, 5)).round(1).tolist()) for _ in range(n_pre)]
    post = [sorted(rng.uniform(0, 100, size=rng.integers(1, 5)).round(1).tolist()) for _ in range(n_post)]
    pre[0], post[0] = [10.0, 50.0], [12.0, 50.0]
    pre[1], post[1] = [30.0], [20.0]
    # Simultaneous spikes (dt == 0) change nothing; w[2, 2] is mid-range so that no clipping hides a change.
    pre[2], post[2] = [40.0], [40.0, 90.0]
    w[2, 2] = 0.5
    params = (0.02, 0.03, 15.0, 25.0, 1.0)
    got = student.call("stdp_update", w, pre, post, *params)
    checks.assert_tensor(got, _stdp(w, pre, post, *params), expect="any", atol=1e-12, rtol=1e-10,
                         name="stdp_update (asymmetric time constants, clipping)")


def _clusters(rng, n, classes=4, dim=20, scale=0.9):
    means = rng.normal(size=(classes, dim)) * scale
    y = rng.integers(0, classes, size=n)
    return (means[y] + rng.normal(size=(n, dim))).astype(np.float32), y


def _snn(W1, W2, X, T=10, beta=0.9, theta=1.0):
    cur = (X.astype(np.float32) @ W1.astype(np.float32)).astype(np.float32)
    _, s = _lif(np.repeat(cur.reshape(1, -1), T, axis=0), beta, theta, "subtract")
    s = s.reshape(T, X.shape[0], W1.shape[1])
    return (s @ W2.astype(np.float32)).mean(axis=0), s


@pytest.mark.points(2)
def test_snn_forward_and_synaptic_ops(student, rng):
    X, _ = _clusters(rng, 30)
    W1 = rng.normal(0, 0.5, size=(20, 16)).astype(np.float32)
    W2 = rng.normal(size=(16, 4)).astype(np.float32)
    logits, spikes = student.call("snn_forward", W1, W2, X, 10)
    want_logits, want_spikes = _snn(W1, W2, X)
    spikes = np.asarray(spikes)
    assert spikes.shape == want_spikes.shape, "hidden_spikes has shape (T, batch, hidden)"
    assert np.mean(spikes != want_spikes) < 0.002, "hidden spikes differ from the grader's LIF simulation"
    checks.assert_tensor(logits, want_logits, expect="any", atol=0.05, rtol=0.01, name="snn_forward logits")
    layer2 = rng.integers(0, 2, size=(10, 30, 4))
    want = int(want_spikes.sum()) * 4 + int(layer2.sum()) * 7
    sops = student.call("synaptic_ops", [want_spikes, layer2], [4, 7])
    assert isinstance(sops, int) and sops == want, "synaptic_ops miscounts (an int: spikes times fan-out, summed)"
    assert student.call("dense_macs", [20, 16, 4], 10) == 10 * (20 * 16 + 16 * 4), "dense_macs miscounts"


@pytest.mark.points(3)
def test_trained_snn_classifies_held_out_inputs(student, rng, thresholds):
    X, y = _clusters(rng, 700)
    W1, W2 = student.call("train_snn", X[:400], y[:400], 4)
    W1, W2 = np.asarray(W1, np.float32), np.asarray(W2, np.float32)
    T = 10
    logits, spikes = _snn(W1, W2, X[400:], T=T)
    checks.assert_accuracy(logits.argmax(axis=1), y[400:], thresholds["min_snn_accuracy"])
    sops = int(spikes.sum()) * W2.shape[1]
    macs = T * W1.shape[1] * W2.shape[1] * len(y[400:])
    assert 0 < sops < macs, "the hidden layer must spike sparsely: fewer synaptic operations than dense MACs"
