"""Hidden tests for A19 Q4: batch-hard triplet loss, the ArcFace head, TAR at a fixed FAR, and an embedder judged
on identities it never saw.

The triplet loss is checked by brute force over all valid triplets, ArcFace against NumPy (including the region
where theta + m passes pi), TAR@FAR against the judge's own computation; the embedder's TAR is computed by the
judge from the cosine similarities of the embeddings it returns for synthetic identities drawn in the test.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q4")


def _triplet_np(labels, emb, margin):
    d = np.sqrt(((emb[:, None, :].astype(np.float64) - emb[None, :, :]) ** 2).sum(-1))
    losses = []
    for a in range(len(labels)):
        pos = [p for p in range(len(labels)) if p != a and labels[p] == labels[a]]
        neg = [n for n in range(len(labels)) if labels[n] != labels[a]]
        if pos and neg:
            # the hardest triplet of this anchor, found by brute force over all its valid (p, n) pairs
            losses.append(max(max(d[a, p] - d[a, n] + margin, 0.0) for p in pos for n in neg))
    return float(np.mean(losses)) if losses else 0.0


@pytest.mark.points(3)
def test_batch_hard_triplet_loss_matches_brute_force(student, rng):
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3, 4, 4], np.int32)  # class 3 has a single sample
    for margin in (0.2, 0.5, 1.0):
        emb = rng.normal(size=(len(labels), 6)).astype(np.float32)
        got = student.call("batch_hard_triplet_loss", Tensor(labels), Tensor(emb), margin)
        checks.assert_tensor(got, np.float32(_triplet_np(labels, emb, margin)), expect="tensor", dtype="float32",
                             rtol=1e-5, atol=1e-5,
                             name=f"batch_hard_triplet_loss (margin={margin}, a class with a single sample)")
    # Well separated clusters satisfy the margin: the loss is exactly 0.
    centres = rng.normal(size=(5, 6)) * 20
    emb = (centres[labels] + rng.normal(0, 0.01, (len(labels), 6))).astype(np.float32)
    got = student.call("batch_hard_triplet_loss", Tensor(labels), Tensor(emb), 0.2)
    checks.assert_tensor(got, np.float32(0.0), rtol=0, atol=1e-6,
                         name="batch_hard_triplet_loss when every margin holds")


@pytest.mark.points(1)
def test_triplet_loss_gradient_matches_and_is_finite_for_duplicates(student, reference, rng):
    labels = np.array([0, 0, 1, 1, 2, 2, 2], np.int32)
    emb = (rng.integers(-4, 5, size=(7, 5)) / 8).astype(np.float32)  # exact in float32: duplicates are at 0
    emb[1] = emb[0]  # a duplicated embedding (anchor 0's only positive): sqrt at 0 must not give NaN
    # a margin larger than every distance keeps each anchor's hinge active, so the gradient passes d = 0
    got = student.harness("gradient", "batch_hard_triplet_loss", [labels, emb, 10.0], wrt=[1])
    want = reference.harness("gradient", "batch_hard_triplet_loss", [labels, emb, 10.0], wrt=[1])
    assert got[0] is not None, "batch_hard_triplet_loss must be differentiable with respect to the embeddings"
    checks.assert_tensor(got[0], want[0], rtol=1e-4, atol=1e-5,
                         name="gradient of batch_hard_triplet_loss (two identical embeddings in the batch)")


def _arcface_np(kernel, emb, labels, s, m, easy):
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    k = kernel / np.linalg.norm(kernel, axis=0, keepdims=True)
    cos = (e @ k).astype(np.float64)
    sin = np.sqrt(np.clip(1 - cos ** 2, 0, 1))
    phi = cos * np.cos(m) - sin * np.sin(m)
    if easy:
        phi = np.where(cos > 0, phi, cos)
    else:
        phi = np.where(cos > np.cos(np.pi - m), phi, cos - np.sin(np.pi - m) * m)
    onehot = np.eye(kernel.shape[1])[labels]
    return s * np.where(onehot == 1, phi, cos), s * cos


@pytest.mark.points(3)
def test_arcface_logits_match_numpy_including_theta_plus_m_past_pi(student, rng):
    dim, classes = 8, 6
    kernel = rng.normal(size=(dim, classes)).astype(np.float32)
    emb = rng.normal(size=(12, dim)).astype(np.float32)
    labels = rng.integers(0, classes, 12).astype(np.int32)
    # make some targets point almost away from their class (cos near -1) so that theta + m > pi
    emb[:4] = -kernel[:, labels[:4]].T + rng.normal(0, 0.05, (4, dim))
    for s, m, easy in ((30.0, 0.5, False), (16.0, 0.35, True), (64.0, 0.8, False)):
        got = student.probe("arcface_logits", kernel, emb, labels, s, m, easy)
        want, plain = _arcface_np(kernel, emb, labels, s, m, easy)
        checks.assert_tensor(got[0], want.astype(np.float32), rtol=1e-4, atol=2e-4 * s,
                             name=f"ArcMarginHead logits with labels (s={s}, m={m}, easy_margin={easy})")
        checks.assert_tensor(got[1], plain.astype(np.float32), rtol=1e-4, atol=2e-4 * s,
                             name=f"ArcMarginHead logits without labels (s={s})")


@pytest.mark.points(2)
def test_tar_at_far_matches_numpy(student, rng):
    for n_imp, far in ((1000, 1e-2), (537, 1e-2), (250, 0.1), (2000, 1e-3)):
        genuine = rng.normal(1.0, 0.5, 300)
        impostor = rng.normal(0.0, 0.5, n_imp)
        imp = np.sort(impostor)[::-1]
        thr = imp[min(int(np.floor(far * n_imp)), n_imp - 1)]
        got = student.call("tar_at_far", genuine, impostor, far)
        checks.assert_value(got, float(np.mean(genuine > thr)), atol=1e-9,
                            name=f"tar_at_far with {n_imp} impostor scores at FAR={far}")


def _faces(rng, templates, per_id, noise=0.35):
    """Synthetic identities: a blocky 16x16 template each; nuisance: 1-pixel shifts, a lighting ramp, noise."""
    ids = np.repeat(np.arange(len(templates)), per_id)
    x = templates[ids].copy()
    for i in range(len(x)):
        x[i] = np.roll(x[i], tuple(rng.integers(-1, 2, 2)), axis=(0, 1))
    ramp = np.linspace(-1, 1, 16)
    g = rng.normal(0, 1.0, (len(x), 2))
    x = x + g[:, 0, None, None] * ramp[:, None] + g[:, 1, None, None] * ramp[None, :]
    x = x + rng.normal(0, noise, x.shape)
    return x[..., None].astype(np.float32), ids


@pytest.mark.points(3)
def test_tar_at_far_on_held_out_identities(student, rng, thresholds):
    templates = np.kron(rng.normal(size=(70, 4, 4)), np.ones((4, 4))).astype(np.float32)
    x, ids = _faces(rng, templates[:40], 10)
    xt, it = _faces(rng, templates[40:], 8)  # 30 identities never seen in training
    got = student.probe("embed_heldout", x, ids.astype(np.int32), 300, xt)
    emb = np.asarray(got["embeddings"], np.float64)
    if emb.ndim != 2 or emb.shape[0] != len(xt):
        raise checks.CheckFailed("the trained embedder should map [N, 16, 16, 1] images to [N, dim] embeddings")
    norms = np.linalg.norm(emb, axis=1)
    if not np.allclose(norms, 1.0, atol=1e-4):
        raise checks.CheckFailed("embeddings must have unit L2 norm (end the embedder with UnitNormalization)")
    assert got["last_layer"] == "UnitNormalization", "end the embedder with tf.keras.layers.UnitNormalization"
    sims = emb @ emb.T
    iu = np.triu_indices(len(xt), 1)
    same = (it[:, None] == it[None, :])[iu]
    scores = sims[iu]
    impostor = np.sort(scores[~same])[::-1]
    tar = float(np.mean(scores[same] > impostor[int(np.floor(0.01 * len(impostor)))]))
    if tar < thresholds["min_tar"]:
        raise checks.CheckFailed(f"TAR at FAR=1e-2 on identities never seen in training is {tar:.3f}, below the "
                                 "threshold; train with the batch-hard triplet loss on batches of several images "
                                 "per identity", values={"threshold": thresholds["min_tar"]})
