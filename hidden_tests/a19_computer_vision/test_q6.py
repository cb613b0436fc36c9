"""Hidden tests for A19 Q6: GAN losses, WGAN-GP's gradient penalty, spectral normalisation, the Fréchet distance and
a 2-D ring GAN whose mode coverage the judge measures.

The judge computes the losses with NumPy, the gradient penalty by central finite differences of its own NumPy copy
of the critic, the spectral norm's power iteration and an SVD with NumPy, and the Fréchet distance with SciPy's
``sqrtm``. The ring GAN trains on a ring the judge rotates, scales and shifts, and the judge counts covered modes.
"""

import numpy as np
import pytest
from scipy import linalg

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")

FID_FORBIDDEN = ["scipy.linalg.sqrtm", "tf.linalg.sqrtm", "scipy.linalg.fractional_matrix_power",
                 "tf.raw_ops.MatrixSquareRoot", "scipy.linalg.funm"]


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


@pytest.mark.points(2)
def test_gan_losses_match_numpy_and_stay_finite(student, rng):
    real = np.concatenate([rng.normal(0, 3, 30), [100.0, -100.0]]).astype(np.float32)
    fake = np.concatenate([rng.normal(0, 3, 20), [100.0, -100.0]]).astype(np.float32)
    got = student.call("discriminator_loss", Tensor(real), Tensor(fake))
    want = np.mean(_softplus(-real.astype(np.float64))) + np.mean(_softplus(fake.astype(np.float64)))
    checks.assert_tensor(got, np.float32(want), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name="discriminator_loss (logits of +-100 included)")
    got = student.call("generator_loss", Tensor(fake))
    checks.assert_tensor(got, np.float32(np.mean(_softplus(-fake.astype(np.float64)))), expect="tensor",
                         dtype="float32", rtol=1e-5, atol=1e-5,
                         name="generator_loss (the non-saturating form, logits of +-100 included)")


def _critic_np(x, w1, b1, w2, b2):
    return (np.tanh(x.reshape(len(x), -1) @ w1 + b1) @ w2 + b2)[:, 0]


@pytest.mark.points(3)
def test_gradient_penalty_matches_finite_differences(student, rng):
    b, shape = 6, (3, 2)
    d = int(np.prod(shape))
    w1, b1 = rng.normal(0, 0.8, (d, 7)), rng.normal(0, 0.3, 7)
    w2, b2 = rng.normal(0, 0.8, (7, 1)), rng.normal(0, 0.3, 1)
    real, fake = rng.normal(0, 1, (b,) + shape), rng.normal(1, 1, (b,) + shape)
    eps = rng.uniform(0, 1, (b, 1))
    x_hat = (eps[:, :, None] * real + (1 - eps[:, :, None]) * fake).reshape(b, d)
    h = 1e-5
    grads = np.zeros((b, d))
    for j in range(d):
        step = np.zeros(d)
        step[j] = h
        grads[:, j] = (_critic_np(x_hat + step, w1, b1, w2, b2) - _critic_np(x_hat - step, w1, b1, w2, b2)) / (2 * h)
    want = np.mean((np.linalg.norm(grads, axis=1) - 1) ** 2)
    f32 = [a.astype(np.float32) for a in (w1, b1, w2, b2, real, fake, eps)]
    got = student.probe("gradient_penalty_run", *f32)
    checks.assert_tensor(got, np.float32(want), rtol=1e-4, atol=1e-5,
                         name="gradient_penalty vs finite differences of the critic at eps*real + (1-eps)*fake "
                              "(L2 norm over every non-batch axis, then the mean of (norm - 1)^2)")


def _sn_np(kernel, u, x, iterations):
    """Outputs after ``iterations`` power iterations from ``u`` (0: the stored u is used as it is)."""
    w = kernel.astype(np.float64)
    u = u.astype(np.float64)

    def norm(a):
        return a / np.linalg.norm(a)

    for _ in range(iterations):
        v = norm(u @ w.T)
        u = norm(v @ w)
    v = norm(u @ w.T)
    sigma = float(v @ w @ u.T)
    return x @ (w / sigma), u


@pytest.mark.points(2)
def test_spectral_norm_power_iteration_matches_numpy(student, rng):
    kernel = rng.normal(size=(6, 4)).astype(np.float32)
    u = rng.normal(size=(1, 4)).astype(np.float32)
    x = rng.normal(size=(5, 6)).astype(np.float32)
    bias = rng.normal(size=4).astype(np.float32)
    got = student.probe("spectral_norm_run", kernel, u, x, 3, bias)
    outs = [np.asarray(o) - bias for o in got["outputs"]]
    checks.assert_tensor(outs[0], _sn_np(kernel, u, x, 0)[0].astype(np.float32), rtol=1e-4, atol=1e-4,
                         name="SpectralNormDense(training=False) with the stored u (no update)")
    checks.assert_tensor(outs[1], _sn_np(kernel, u, x, 1)[0].astype(np.float32), rtol=1e-4, atol=1e-4,
                         name="SpectralNormDense(training=True): one power iteration from the stored u")
    checks.assert_tensor(outs[2], _sn_np(kernel, u, x, 3)[0].astype(np.float32), rtol=1e-4, atol=1e-4,
                         name="SpectralNormDense after three training calls (u must be stored between calls)")
    checks.assert_tensor(outs[3], outs[2], rtol=1e-5, atol=1e-5,
                         name="SpectralNormDense(training=False) after training reuses the stored u")
    assert got["n_trainable"] == 2, "u must be a non-trainable weight (trainable=False); kernel and bias trainable"


@pytest.mark.points(1)
def test_spectral_norm_converges_to_the_largest_singular_value(student, rng):
    kernel = (rng.normal(size=(8, 5)) @ np.diag([5.0, 2.0, 1.0, 0.5, 0.2])).astype(np.float32)
    u = rng.normal(size=(1, 5)).astype(np.float32)
    x = rng.normal(size=(4, 8)).astype(np.float32)
    got = student.probe("spectral_norm_run", kernel, u, x, 20)
    sigma = np.linalg.svd(kernel.astype(np.float64), compute_uv=False)[0]
    checks.assert_tensor(np.asarray(got["outputs"][2]), (x @ kernel / sigma).astype(np.float32), rtol=1e-2,
                         atol=1e-2, name="SpectralNormDense output after 20 training calls vs x @ W / sigma_max(W)")


def _fid_scipy(mu1, s1, mu2, s2):
    covmean, _ = linalg.sqrtm(s1 @ s2, disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(len(s1)) * 1e-6
        covmean = linalg.sqrtm((s1 + offset) @ (s2 + offset))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(np.real(covmean)))


@pytest.mark.points(2)
def test_frechet_distance_matches_scipy_sqrtm(student, rng):
    for d, rank in ((5, 5), (8, 8), (6, 3)):  # the last covariances are singular
        a, b = rng.normal(size=(d, rank)), rng.normal(size=(d, rank))
        s1, s2 = a @ a.T / rank, b @ b.T / rank + 0.1 * np.eye(d) * (rank == d)
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        got = student.call("frechet_distance", mu1, s1, mu2, s2)
        checks.assert_value(float(got), _fid_scipy(mu1, s1, mu2, s2), rtol=1e-4, atol=1e-4,
                            name=f"frechet_distance in {d} dimensions (rank {rank}) vs SciPy's sqrtm")
    got = student.call("frechet_distance", mu1, s1, mu1, s1)
    checks.assert_value(float(got), 0.0, atol=1e-4, name="frechet_distance of a Gaussian to itself")
    # the values above are SciPy's own: a sqrtm shortcut earns nothing here either
    checks.assert_no_forbidden_calls(student, "frechet_distance", [mu1, s1, mu2, s2], FID_FORBIDDEN,
                                     why="take the matrix square root's trace from a symmetric eigendecomposition")


@pytest.mark.points(1)
def test_frechet_distance_does_not_call_sqrtm(student, rng):
    a = rng.normal(size=(4, 4))
    s1, s2 = a @ a.T, np.eye(4)
    mu = np.zeros(4)
    checks.assert_value(float(student.call("frechet_distance", mu, s1, mu, s2)), _fid_scipy(mu, s1, mu, s2),
                        rtol=1e-4, atol=1e-4, name="frechet_distance")
    checks.assert_no_forbidden_calls(student, "frechet_distance", [mu, s1, mu, s2], FID_FORBIDDEN,
                                     why="take the matrix square root's trace from a symmetric eigendecomposition")


def _copies_of_rows(samples, real, tol=1e-4):
    """The share of ``samples`` that lie within ``tol`` of some row of ``real``."""
    order = np.argsort(real[:, 0])
    xs = real[order, 0]
    hits = 0
    for p in samples:
        lo, hi = np.searchsorted(xs, [p[0] - tol, p[0] + tol])
        cand = real[order[lo:hi]]
        hits += bool(len(cand)) and bool((np.abs(cand - p).max(1) <= tol).any())
    return hits / len(samples)


@pytest.mark.points(3)
def test_ring_gan_covers_the_modes_of_a_ring_it_was_given(student, rng, thresholds):
    modes, std = 8, 0.1
    radius, phase, centre = rng.uniform(1.5, 2.5), rng.uniform(0, 2 * np.pi), rng.uniform(-1, 1, 2)
    angles = phase + 2 * np.pi * np.arange(modes) / modes
    means = centre + radius * np.stack([np.cos(angles), np.sin(angles)], 1)
    real = (means[rng.integers(0, modes, 20000)] + rng.normal(0, std, (20000, 2))).astype(np.float32)
    noise = rng.normal(size=(2000, 8)).astype(np.float32)
    # One batch: the noise, the same noise again and a slightly moved copy. A generator is a function of its noise
    # (same noise, same points) and a continuous one (nearby noise, nearby points); a sampler that copies or looks
    # up rows of the training data is neither, or returns the training points themselves.
    nudged = noise + 1e-3 * rng.normal(size=noise.shape).astype(np.float32)
    out = np.asarray(student.probe("ring_samples", real, 1000, np.concatenate([noise, noise, nudged])), np.float64)
    if out.shape != (6000, 2):
        raise checks.CheckFailed("the generator should map [B, noise_dim] noise to [B, 2] points")
    samples, again, moved = out[:2000], out[2000:4000], out[4000:]
    if not np.allclose(samples, again, rtol=0, atol=1e-5):
        raise checks.CheckFailed("the trained generator must be a deterministic function of its noise: the same "
                                 "noise rows gave different points (return the generator network)")
    if np.median(np.linalg.norm(moved - samples, axis=1)) > 0.05:
        raise checks.CheckFailed("the trained generator should be a continuous function of its noise: moving the "
                                 "noise by about 1e-3 moved its points far (return the generator network)")
    copied = _copies_of_rows(samples, real)
    if copied > 0.05:
        raise checks.CheckFailed("the generator's points are copies of the training points; return a generator "
                                 "network trained with the GAN losses", values={"share_copied": copied})
    dist = np.linalg.norm(samples[:, None, :] - means[None], axis=2)
    near = dist.min(1) < 3 * std
    covered = int((np.bincount(dist.argmin(1)[near], minlength=modes) >= 0.02 * len(samples)).sum())
    if covered < thresholds["min_modes"] or near.mean() < thresholds["min_near"]:
        raise checks.CheckFailed(f"the generator covers {covered} of 8 modes with {near.mean():.0%} of its samples "
                                 "within 3 standard deviations of a mode; train both networks with the "
                                 "non-saturating losses", values={"min_modes": thresholds["min_modes"],
                                                                  "min_near": thresholds["min_near"]})
