"""Hidden tests for A28 Q4: the Dirichlet split, FedAvg against centralised gradient descent and FedProx against
its proximal steps (both recomputed here in NumPy), accuracy of non-IID federated training on held-out rows, secure
aggregation masks that cancel to the bit and hide each update, and the clipping and noise of the DP mean."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


@pytest.mark.points(2)
def test_dirichlet_partition(student, rng):
    labels = rng.integers(0, 6, size=900)
    entropies = {}
    for alpha in (0.1, 100.0):
        parts = student.call("dirichlet_partition", labels, 8, alpha, 3)
        assert len(parts) == 8, "one index array per client"
        allrows = np.concatenate([np.asarray(p, dtype=np.int64) for p in parts])
        assert sorted(allrows.tolist()) == list(range(900)), "every row goes to exactly one client"
        ent = [_entropy(np.bincount(labels[np.asarray(p, np.int64)], minlength=6)) for p in parts if len(p)]
        entropies[alpha] = float(np.mean(ent))
        if alpha == 0.1:
            skewed = parts
    assert entropies[0.1] < 0.6 * entropies[100.0], \
        f"alpha=0.1 must skew the clients' labels: mean label entropy {entropies[0.1]:.2f} vs {entropies[100.0]:.2f}"
    again = student.call("dirichlet_partition", labels, 8, 0.1, 3)
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(again, skewed, strict=True)), \
        "the same seed gives the same partition"


def _grad(w, b, x, y):
    logits = x @ w + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return x.T @ p / len(y), p.mean(axis=0)


def _clients(rng, sizes, d=5, k=3):
    return [(rng.normal(size=(n, d)), rng.integers(0, k, size=n)) for n in sizes]


@pytest.mark.points(2)
def test_full_batch_fedavg_is_centralised_gradient_descent(student, rng):
    d, k, lr = 5, 3, 0.3
    w, b = rng.normal(size=(d, k)) * 0.1, rng.normal(size=k) * 0.1
    clients = _clients(rng, [7, 23, 41, 12], d, k)
    x = np.vstack([c[0] for c in clients])
    y = np.concatenate([c[1] for c in clients])
    want_w, want_b = w.copy(), b.copy()
    for _ in range(3):
        gw, gb = _grad(want_w, want_b, x, y)
        want_w, want_b = want_w - lr * gw, want_b - lr * gb
    got = student.call("fedavg", [w, b], clients, 3, 4, lr, 1, 1000, 0.0, 0)
    checks.assert_tensor(np.asarray(got[0]), want_w, expect="any", rtol=1e-6, atol=1e-9,
                         name="W after 3 rounds of full-batch FedAvg over every client (= centralised GD)")
    checks.assert_tensor(np.asarray(got[1]), want_b, expect="any", rtol=1e-6, atol=1e-9, name="b after 3 rounds")


@pytest.mark.points(2)
def test_fedprox_local_steps(student, rng):
    d, k, lr, mu = 4, 3, 0.2, 0.7
    w, b = rng.normal(size=(d, k)), rng.normal(size=k)
    x, y = _clients(rng, [30], d, k)[0]
    ww, bb = w.copy(), b.copy()
    for _ in range(4):
        gw, gb = _grad(ww, bb, x, y)
        ww, bb = ww - lr * (gw + mu * (ww - w)), bb - lr * (gb + mu * (bb - b))
    got = student.call("local_update", [w, b], x, y, lr, 4, 1000, mu, 0)
    checks.assert_tensor(np.asarray(got[0]), ww, expect="any", rtol=1e-6, atol=1e-9,
                         name="W after 4 full-batch FedProx steps (gradient of CE + mu/2 ||w - w_global||^2)")
    checks.assert_tensor(np.asarray(got[1]), bb, expect="any", rtol=1e-6, atol=1e-9, name="b after FedProx steps")


def _blobs(rng, n, centres):
    y = rng.integers(0, len(centres), size=n)
    return (centres[y] + rng.normal(size=(n, centres.shape[1]))).astype(np.float32), y


@pytest.mark.points(2)
def test_non_iid_federated_training_accuracy(student, rng, thresholds):
    centres = rng.normal(size=(6, 10)) * 1.2
    x, y = _blobs(rng, 1500, centres)
    x_test, y_test = _blobs(rng, 600, centres)
    order = np.argsort(y + rng.random(len(y)) * 2.5)  # sorted by label with some mixing: non-IID shards
    clients = [(x[idx], y[idx]) for idx in np.array_split(order, 10)]
    params = [np.zeros((10, 6), np.float32), np.zeros(6, np.float32)]
    for mu in (0.0, 0.1):
        w, b = student.call("fedavg", params, clients, 8, 4, 0.5, 1, 100, mu, 1)
        acc = float(np.mean(np.argmax(x_test @ np.asarray(w) + np.asarray(b), axis=1) == y_test))
        assert acc >= thresholds["min_accuracy"], f"held-out accuracy {acc:.3f} after non-IID training (mu={mu})"


@pytest.mark.points(1)
def test_secure_aggregation_masks_cancel_exactly_and_hide_updates(student, rng):
    updates = [rng.normal(size=300) for _ in range(5)]
    masked, total = student.call("secure_aggregate", updates, int(rng.integers(1000)), 2**16, 2**32)
    want = np.sum([np.round(u * 2**16).astype(np.int64) for u in updates], axis=0) / 2**16
    checks.assert_tensor(np.asarray(total), want, expect="any", rtol=0, atol=0,
                         name="total recovered from the masked vectors (exact in fixed point)")
    # The server's view alone must give the sum: the judge adds the masked vectors itself (the masks cancel only if
    # every pair's mask is added by one client and subtracted by the other).
    stacked = np.stack([np.asarray(m, np.int64) for m in masked]) % 2**32
    recovered = stacked.sum(axis=0) % 2**32
    recovered = np.where(recovered >= 2**31, recovered - 2**32, recovered) / 2**16
    checks.assert_tensor(recovered, want, expect="any", rtol=0, atol=0,
                         name="the sum of your masked vectors modulo 2**32, decoded by the judge (the pairwise masks "
                              "must cancel exactly)")
    for i, (m, u) in enumerate(zip(masked, updates, strict=True)):
        m = np.asarray(m, np.float64)
        assert np.all((m >= 0) & (m < 2**32)), "masked vectors live in [0, modulus)"
        corr = abs(np.corrcoef(m, u)[0, 1])
        assert corr < 0.2, f"masked update {i} is correlated with the raw update (|r| = {corr:.2f})"


@pytest.mark.points(1)
def test_dp_aggregate_clips_and_adds_calibrated_noise(student, rng):
    updates = [rng.normal(size=50) * s for s in (0.1, 1.0, 5.0, 20.0)]
    clipped, _noisy = student.call("dp_aggregate", updates, 1.5, 0.0, 0)
    for u, c in zip(updates, clipped, strict=True):
        want = u * min(1.0, 1.5 / np.linalg.norm(u))
        checks.assert_tensor(np.asarray(c), want, expect="any", rtol=1e-9, atol=1e-12, name="clipped update")
    zeros = [np.zeros(4000) for _ in range(8)]
    _c, noisy = student.call("dp_aggregate", zeros, 2.0, 1.2, int(rng.integers(1000)))
    std = float(np.std(np.asarray(noisy)))
    assert abs(std - 1.2 * 2.0 / 8) < 0.05 * 1.2 * 2.0 / 8, \
        f"noise std of the mean {std:.4f}; the Gaussian mechanism adds noise_multiplier * clip_norm / n"
