"""Hidden tests for A19 Q1: MixUp and CutMix label mixing checked exactly, top-k accuracy, the compiled classifier.

Each image and each class belongs to one sample, so the judge recovers every sample's partner and weight from what
comes back and checks images and labels against them; the Beta law is tested with SciPy's KS test.
"""

import numpy as np
import pytest
from scipy import stats

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q1")

TOPK_FORBIDDEN = ["tf.math.in_top_k", "tf.nn.in_top_k", "tf.math.top_k", "tf.keras.metrics.top_k_categorical_accuracy",
                  "tf.keras.metrics.sparse_top_k_categorical_accuracy",
                  "tf.keras.metrics.TopKCategoricalAccuracy.update_state",
                  "tf.keras.metrics.SparseTopKCategoricalAccuracy.update_state", "tf.raw_ops.InTopK",
                  "tf.raw_ops.InTopKV2"]


def _identity_batch(rng, n, h=6, w=5, c=2):
    """Sample i has class i and an image whose pixels are all distinct from every other sample's."""
    x = (np.arange(n, dtype=np.float32)[:, None, None, None] * 10.0
         + rng.uniform(0, 1, size=(n, h, w, c)).astype(np.float32))
    return x, np.eye(n, dtype=np.float32)


def _partners(y):
    """From mixed one-hot labels of distinct classes: each row's own weight and its partner (itself if none)."""
    n = y.shape[0]
    own = np.diag(y).astype(np.float64)
    off = y.copy()
    off[np.arange(n), np.arange(n)] = 0.0
    partner = np.where(off.max(1) > 0, off.argmax(1), np.arange(n))
    return own, partner


def _mixed(student, fn, rng, n, alpha, seed, side=None):
    x, y = _identity_batch(rng, n) if side is None else _identity_batch(rng, n, side, side)
    got_x, got_y = student.call(fn, Tensor(x), Tensor(y), alpha, seed)
    checks.assert_tensor(got_x, x, expect="any", dtype="float32", rtol=0, atol=1e9, name=f"{fn} images")
    checks.assert_tensor(got_y, y, expect="any", dtype="float32", rtol=0, atol=1e9, name=f"{fn} labels")
    got_x, got_y = np.asarray(got_x, np.float64), np.asarray(got_y, np.float64)
    if not np.allclose(got_y.sum(1), 1.0, atol=1e-5) or (got_y < -1e-6).any() or ((got_y > 1e-7).sum(1) > 2).any():
        raise checks.CheckFailed(f"{fn}: each label row must mix at most two one-hot rows with weights summing to 1")
    return x.astype(np.float64), got_x, got_y


@pytest.mark.points(3)
def test_mixup_images_are_the_label_weighted_mix(student, rng):
    n = 64
    x, got_x, got_y = _mixed(student, "mixup", rng, n, 0.4, int(rng.integers(1, 2**20)))
    lam, partner = _partners(got_y)
    want = lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[partner]
    checks.assert_tensor(got_x, want, rtol=2e-6, atol=2e-4,
                         name="mixup images vs lam * x[i] + (1 - lam) * x[p[i]] with lam and p read from the labels")
    if (partner != np.arange(n)).mean() < 0.5:
        raise checks.CheckFailed("mixup: most samples should be mixed with another sample (a random permutation)")


@pytest.mark.points(2)
def test_mixup_weights_follow_beta_per_sample(student, rng):
    n, alpha = 600, 0.5
    _, _, got_y = _mixed(student, "mixup", rng, n, alpha, int(rng.integers(1, 2**20)))
    lam, partner = _partners(got_y)
    lam = lam[partner != np.arange(n)]
    if len(lam) < n // 2:
        raise checks.CheckFailed("mixup: most samples should be mixed with another sample (a random permutation)")
    if len(np.unique(np.round(lam, 6))) < len(lam) // 2:
        raise checks.CheckFailed("mixup: the mixing weights should be drawn per sample, not one for the whole batch")
    # lam and 1 - lam are equally likely under a symmetric Beta; a wrong alpha or law fails the KS test.
    p = stats.kstest(lam, stats.beta(alpha, alpha).cdf).pvalue
    assert p > 1e-4, ("mixup: the mixing weights do not look like Beta(alpha, alpha) draws (KS test); draw them as "
                      "g1 / (g1 + g2) with g1, g2 ~ Gamma(alpha)")
    _, _, again = _mixed(student, "mixup", np.random.default_rng(0), n, alpha, 12345)
    _, _, twice = _mixed(student, "mixup", np.random.default_rng(0), n, alpha, 12345)
    checks.assert_tensor(again, twice, rtol=0, atol=0, name="mixup labels for the same seed twice (use the seed)")
    _, _, other = _mixed(student, "mixup", np.random.default_rng(0), n, alpha, 54321)
    if np.array_equal(np.asarray(again), np.asarray(other)):
        raise checks.CheckFailed("mixup gives the same weights and partners for two different seeds: draw them from "
                                 "the seed argument")


def _cutmix_check(x, got_x, got_y, n):
    own, partner = _partners(got_y)
    h, w = x.shape[1], x.shape[2]
    ids = np.floor(got_x / 10.0 + 1e-9).astype(int)  # which sample each pixel came from
    mixed = 0
    for i in range(n):
        from_self = (ids[i] == i).all(-1)
        from_partner = (ids[i] == partner[i]).all(-1) & ~from_self
        if not (from_self | from_partner).all():
            raise checks.CheckFailed(f"cutmix: sample {i} has pixels from neither itself nor its label partner")
        if not np.allclose(got_x[i][from_self], x[i][from_self], rtol=0, atol=1e-4):
            raise checks.CheckFailed(f"cutmix: pixels outside the box of sample {i} must be unchanged")
        if not np.allclose(got_x[i][from_partner], x[partner[i]][from_partner], rtol=0, atol=1e-4):
            raise checks.CheckFailed(f"cutmix: pixels inside the box of sample {i} must be the partner's own pixels "
                                     "at the same place")
        ys, xs = np.nonzero(from_partner)
        if len(ys):
            mixed += 1
            bh, bw = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
            if bh * bw != len(ys):
                raise checks.CheckFailed(f"cutmix: the pasted region of sample {i} is not one rectangle")
            clip_y, clip_x = ys.min() == 0 or ys.max() == h - 1, xs.min() == 0 or xs.max() == w - 1
            # On a square image the box is square before clipping, and clipping only shortens a side.
            if h == w and ((not clip_y and not clip_x and bh != bw) or (not clip_y and clip_x and bh < bw)
                           or (clip_y and not clip_x and bw < bh)):
                raise checks.CheckFailed(f"cutmix: on a square image the box of sample {i} should be square "
                                         "(side sqrt(1 - lam) times the image side) before clipping at the borders")
        kept = from_self.sum() / (h * w)
        if partner[i] != i and abs(own[i] - kept) > 1e-5:
            raise checks.CheckFailed(f"cutmix: the label weight of sample {i}'s own class is not the fraction of its "
                                     "pixels kept (recompute it from the clipped box)", values={"kept": kept,
                                                                                               "label": own[i]})
    return mixed


@pytest.mark.points(3)
def test_cutmix_label_weight_is_the_exact_kept_pixel_fraction(student, rng):
    n = 48
    x, got_x, got_y = _mixed(student, "cutmix", rng, n, 1.0, int(rng.integers(1, 2**20)), side=16)
    mixed = _cutmix_check(x, got_x, got_y, n)
    if mixed < n // 3:
        raise checks.CheckFailed("cutmix: too few samples received a pasted box")


@pytest.mark.points(1)
def test_cutmix_clips_boxes_at_the_borders(student, rng):
    # Large boxes (alpha small: lam near 0 or 1) on small images touch the borders often.
    n = 48
    x, got_x, got_y = _mixed(student, "cutmix", rng, n, 0.3, int(rng.integers(1, 2**20)))
    if _cutmix_check(x, got_x, got_y, n) < n // 4:
        raise checks.CheckFailed("cutmix: too few samples received a pasted box")


@pytest.mark.points(2)
def test_top_k_accuracy_matches_numpy_without_library_top_k(student, rng):
    for k in (1, 3, 5):
        logits = rng.normal(size=(200, 12)).astype(np.float32)
        labels = rng.integers(0, 12, 200).astype(np.int32)
        got = student.call("top_k_accuracy", Tensor(labels), Tensor(logits), k)
        want = np.mean((logits > logits[np.arange(200), labels][:, None]).sum(1) < k)
        checks.assert_tensor(got, np.float32(want), expect="tensor", dtype="float32", rtol=0, atol=1e-6,
                             name=f"top_k_accuracy with k={k}")
    checks.assert_no_forbidden_calls(student, "top_k_accuracy", [Tensor(labels), Tensor(logits), 5], TOPK_FORBIDDEN,
                                     why="count the classes that score higher than the true one yourself")


@pytest.mark.points(1)
def test_classifier_reports_top5_from_its_own_predictions(student, rng):
    x = rng.uniform(0, 1, size=(64, 16, 16, 3)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    got = student.probe("classifier_run", x, y)
    probs = np.asarray(got["first"], np.float64)
    checks.assert_tensor(probs, np.zeros((64, 10)), expect="any", rtol=0, atol=1e9,
                         name="build_classifier's predictions")
    checks.assert_tensor(probs.sum(1), np.ones(64), rtol=0, atol=1e-4, name="softmax probabilities per row")
    checks.assert_tensor(np.asarray(got["second"]), probs, rtol=0, atol=1e-6,
                         name="two model(x, training=False) calls (augmentation and dropout must be off)")
    metrics = got["metrics"]
    assert "top_5_accuracy" in metrics, ("compile with tf.keras.metrics.TopKCategoricalAccuracy(k=5, "
                                         "name='top_5_accuracy')")
    true_score = probs[np.arange(64), y.argmax(1)]
    want = np.mean((probs > true_score[:, None] + 1e-7).sum(1) < 5)
    checks.assert_value(metrics["top_5_accuracy"], float(want), atol=0.02,
                        name="the compiled top_5_accuracy metric on random data")
    augment = got["augment"]
    if not augment:
        raise checks.CheckFailed("build_classifier should start with Keras augmentation layers (RandomFlip, "
                                 "RandomContrast, ...) inside the model")
    for layer in augment:
        if not (layer["changes_in_training"] and layer["identity_in_inference"]):
            raise checks.CheckFailed(f"the model's {layer['name']} layer should change images in training and leave "
                                     "them unchanged in inference")
