"""Hidden tests for A14 Q6: contrastive learning (NT-Xent, augmentation pairs, SimCLR, linear probe).

NT-Xent is compared with the judge's NumPy at several temperatures; the representation test generates its own
shift-invariant 1-D signals here and fits the linear probe here.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")


def _nt_xent(z1, z2, t):
    z = np.concatenate([z1, z2]).astype(np.float64)
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n = len(z1)
    sim = z @ z.T / t
    np.fill_diagonal(sim, -np.inf)
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    m = sim.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(sim - m).sum(axis=1))
    return float(np.mean(lse - sim[np.arange(2 * n), pos]))


@pytest.mark.points(3)
def test_nt_xent_matches_numpy_at_several_temperatures(student, rng):
    for t in (0.1, 0.5, 1.0):
        z1 = rng.normal(size=(6, 5)).astype(np.float32)
        z2 = (z1 + rng.normal(0, 0.8, size=(6, 5))).astype(np.float32)
        got = student.call("nt_xent", Tensor(z1), Tensor(z2), t)
        checks.assert_tensor(got, np.float32(_nt_xent(z1, z2, t)), expect="tensor", dtype="float32", rtol=1e-4,
                             atol=1e-5, name=f"nt_xent(z1, z2, temperature={t})")
        swapped = student.call("nt_xent", Tensor(z2), Tensor(z1), t)
        checks.assert_tensor(swapped, np.float32(_nt_xent(z1, z2, t)), rtol=1e-4, atol=1e-5,
                             name=f"nt_xent(z2, z1, temperature={t}) (symmetric in the two views)")
    z64 = rng.normal(size=(4, 3))
    checks.assert_tensor(student.call("nt_xent", Tensor(z64), Tensor(z64[::-1].copy()), 0.5),
                         np.float64(_nt_xent(z64, z64[::-1], 0.5)), expect="tensor", dtype="float64", rtol=1e-6,
                         atol=1e-8, name="nt_xent of float64 embeddings (keep the input's dtype)")
    same = np.tile(rng.normal(size=(1, 4)), (5, 1)).astype(np.float32)
    checks.assert_tensor(student.call("nt_xent", Tensor(same), Tensor(same), 0.5), np.float32(np.log(9.0)),
                         rtol=1e-4, atol=1e-5, name="nt_xent of identical embeddings (log(2N - 1): the anchor itself "
                                                    "is not a negative)")


@pytest.mark.points(2)
def test_nt_xent_gradients(student, reference, rng):
    z1 = rng.normal(size=(5, 4)).astype(np.float32)
    z2 = rng.normal(size=(5, 4)).astype(np.float32)
    checks.assert_gradients(student, reference, "nt_xent", [Tensor(z1), Tensor(z2), 0.3], wrt=(0, 1),
                            rtol=1e-3, atol=1e-5)


@pytest.mark.points(2)
def test_augment_pair_shifts_and_adds_noise(student, rng):
    x = rng.normal(size=(40, 32)).astype(np.float32)
    v1, v2 = student.call("augment_pair", x, 123)
    shifts = []
    for view, name in ((np.asarray(v1), "view1"), (np.asarray(v2), "view2")):
        checks.assert_value(list(view.shape), [40, 32], name=f"shape of {name}")
        checks.assert_value(str(view.dtype), "float32", name=f"dtype of {name}")
        best = []
        for i in range(40):
            res = [np.std(view[i] - np.roll(x[i], s)) for s in range(32)]
            best.append((int(np.argmin(res)), float(min(res))))
        noise = np.array([b[1] for b in best])
        assert 0.14 <= np.median(noise) <= 0.26, (
            f"{name}: after undoing the best circular shift the residual's standard deviation is "
            f"{np.median(noise):.3f}, not about 0.2")
        shifts.append([b[0] for b in best])
    assert len(set(shifts[0])) >= 10, "the circular shifts should be random per row (0..L-1)"
    assert np.mean(np.array(shifts[0]) != np.array(shifts[1])) > 0.7, "the two views should use different shifts"
    a1, _ = student.call("augment_pair", x, 123)
    b1, _ = student.call("augment_pair", x, 124)
    assert np.array_equal(np.asarray(a1), np.asarray(v1)), "the same seed should give the same views"
    assert not np.array_equal(np.asarray(b1), np.asarray(v1)), "a different seed should give different views"


@pytest.mark.points(2)
def test_simclr_step_matches(student, reference, rng):
    enc = [rng.normal(0, 0.15, size=(32, 256)), np.zeros(256), rng.normal(0, 0.1, size=(256, 128)), np.zeros(128)]
    head = [rng.normal(0, 0.1, size=(128, 128)), np.zeros(128), rng.normal(0, 0.1, size=(128, 32)), np.zeros(32)]
    enc = [w.astype(np.float32) for w in enc]
    head = [w.astype(np.float32) for w in head]
    x1 = rng.normal(size=(16, 32)).astype(np.float32)
    x2 = (x1 + rng.normal(0, 0.3, size=x1.shape)).astype(np.float32)
    got = student.probe("simclr_step_report", enc, head, x1, x2, 0.2, 2)
    want = reference.probe("simclr_step_report", enc, head, x1, x2, 0.2, 2)
    checks.assert_tensor(np.asarray(got["losses"]), np.asarray(want["losses"]), rtol=1e-4, atol=1e-5,
                         name="losses of 2 simclr_step calls (temperature 0.2)")
    for part in ("encoder", "head"):
        for i, w in enumerate(want[part]):
            checks.assert_tensor(got[part][i], w, expect="array", rtol=1e-3, atol=1e-5,
                                 name=f"{part} weight {i} after 2 simclr_step calls")


def _signals(gen, n, protos, noise=0.3):
    c = gen.integers(0, len(protos), n)
    shifts = gen.integers(0, protos.shape[1], n)
    x = np.stack([np.roll(protos[ci], si) for ci, si in zip(c, shifts, strict=True)])
    return (x + gen.normal(0, noise, size=x.shape)).astype(np.float32), c


@pytest.mark.points(3)
def test_simclr_features_beat_random_init_in_a_linear_probe(student, thresholds):
    gen = np.random.default_rng(1406)
    walk = np.cumsum(gen.normal(size=(5, 32)), axis=1)
    protos = np.array([np.convolve(np.r_[p, p, p], np.ones(5) / 5, "same")[32:64] for p in walk])
    protos = (protos - protos.mean(axis=1, keepdims=True)) / protos.std(axis=1, keepdims=True)
    x_unlabeled, _ = _signals(gen, 2000, protos)
    x_few, y_few = _signals(gen, 50, protos)
    x_test, y_test = _signals(gen, 800, protos)
    got = student.probe("simclr_report", x_unlabeled, np.concatenate([x_few, x_test]), 15, 3)
    assert got["returns_encoder"], "train_simclr should return the encoder it trained"
    f, r = np.asarray(got["features"]), np.asarray(got["random_features"])

    def probe(feats):
        return LogisticRegression(max_iter=3000).fit(feats[:50], y_few).score(feats[50:], y_test)

    simclr, rnd = probe(f), probe(r)
    assert simclr >= thresholds["min_probe_accuracy"], (
        f"linear-probe accuracy on the SimCLR features is {simclr:.3f}, below {thresholds['min_probe_accuracy']}")
    assert simclr >= rnd + thresholds["min_gain_over_random"], (
        f"the SimCLR features ({simclr:.3f}) should beat the encoder's random initialisation ({rnd:.3f}) by at "
        f"least {thresholds['min_gain_over_random']}")
