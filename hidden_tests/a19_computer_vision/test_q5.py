"""Hidden tests for A19 Q5: Gram matrices, total variation, AdaIN, the style/content loss and image optimisation.

The optimisation runs with a feature extractor the probe builds: a few steps are compared with the reference on a
random-weight extractor, and a longer run uses an extractor trained in the reference worker, whose losses for the
returned image the reference worker computes with its own code.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")


def _gram_np(f):
    f = f.astype(np.float64)
    return np.einsum("bijc,bijd->bcd", f, f) / (f.shape[1] * f.shape[2])


@pytest.mark.points(2)
def test_gram_matrix_matches_einsum(student, rng):
    for shape in ((2, 5, 7, 3), (1, 4, 4, 6)):
        f = rng.normal(size=shape).astype(np.float32)
        got = student.call("gram_matrix", Tensor(f))
        checks.assert_tensor(got, _gram_np(f).astype(np.float32), expect="tensor", dtype="float32", rtol=1e-5,
                             atol=1e-5, name=f"gram_matrix for features of shape {shape} (divide by H*W)")


@pytest.mark.points(2)
def test_total_variation_matches_tf_image_without_calling_it(student, reference, rng):
    x = rng.uniform(0, 1, (3, 9, 7, 3)).astype(np.float32)
    got = student.call("total_variation_loss", Tensor(x))
    checks.assert_tensor(got, reference.probe("tf_total_variation", Tensor(x)), expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-4, name="total_variation_loss vs tf.image.total_variation summed")
    checks.assert_no_forbidden_calls(student, "total_variation_loss", [Tensor(x)], ["tf.image.total_variation"],
                                     why="take the neighbouring differences yourself")


@pytest.mark.points(2)
def test_adain_takes_the_style_statistics(student, rng):
    c = rng.normal(2.0, 3.0, (2, 6, 5, 4)).astype(np.float32)
    s = rng.normal(-1.0, 0.5, (2, 7, 3, 4)).astype(np.float32)
    for eps in (1e-5, 0.3):
        got = student.call("adain", Tensor(c), Tensor(s), eps)
        cm, cv = c.mean((1, 2), keepdims=True), c.var((1, 2), keepdims=True)
        sm, sv = s.mean((1, 2), keepdims=True), s.var((1, 2), keepdims=True)
        want = np.sqrt(sv + eps) * (c - cm) / np.sqrt(cv + eps) + sm
        checks.assert_tensor(got, want.astype(np.float32), expect="tensor", dtype="float32", rtol=1e-4, atol=1e-4,
                             name=f"adain(eps={eps}) (per-sample, per-channel statistics over H and W)")


@pytest.mark.points(2)
def test_style_content_loss_matches_numpy(student, rng):
    style_out = [rng.normal(size=(1, 8, 8, 3)).astype(np.float32), rng.normal(size=(1, 4, 4, 5)).astype(np.float32)]
    style_t = [rng.normal(size=(1, 3, 3)).astype(np.float32), rng.normal(size=(1, 5, 5)).astype(np.float32)]
    content_out = [rng.normal(size=(1, 4, 4, 6)).astype(np.float32)]
    content_t = [rng.normal(size=(1, 4, 4, 6)).astype(np.float32)]
    for sw, cw in ((1.0, 1.0), (1e-2, 1e4), (3.0, 0.0)):
        got = student.call("style_content_loss", [Tensor(a) for a in style_out], [Tensor(a) for a in content_out],
                           [Tensor(a) for a in style_t], [Tensor(a) for a in content_t], sw, cw)
        style = np.mean([np.mean((_gram_np(o) - t) ** 2) for o, t in zip(style_out, style_t, strict=True)])
        content = np.mean((content_out[0] - content_t[0]) ** 2)
        checks.assert_tensor(got, np.float32(sw * style + cw * content), expect="tensor", rtol=1e-4, atol=1e-5,
                             name=f"style_content_loss with style_weight={sw}, content_weight={cw}")


def _images(rng, size=16):
    yy, xx = np.mgrid[0:size, 0:size] / size
    content = np.stack([yy, xx, 0.5 * (yy + xx)], -1)[None] + rng.normal(0, 0.05, (1, size, size, 3))
    style = 0.5 + 0.4 * np.sin(rng.uniform(4, 8) * (yy + 2 * xx))[None, ..., None] * rng.uniform(0.5, 1, (1, 1, 1, 3))
    return np.clip(content, 0, 1).astype(np.float32), style.astype(np.float32)


@pytest.mark.points(2)
def test_a_few_steps_match_the_reference_exactly(student, reference, rng):
    content, style = _images(rng)
    weights = reference.probe("random_extractor", int(rng.integers(0, 2**20)))
    args = (weights, content, style, 3, 0.02, 5.0, 1.0, 1e-3)
    got = student.probe("style_run", *args)
    want = reference.probe("style_run", *args)
    checks.assert_tensor(got["image"], want["image"], rtol=0, atol=2e-4,
                         name="the image after 3 Adam steps (start at the content image, style_content_loss + "
                              "tv_weight * total variation, clip to [0, 1] after every step)")
    assert got["weights_unchanged"], "run_style_transfer must train only the image, never the extractor's weights"


@pytest.mark.points(2)
def test_longer_run_lowers_style_loss_with_a_trained_extractor(student, reference, rng):
    content, style = _images(rng)
    weights = reference.probe("train_extractor", int(rng.integers(0, 2**20)))
    got = student.probe("style_run", weights, content, style, 40, 0.03, 10.0, 1.0, 0.0)
    image = np.asarray(got["image"], np.float32)
    if image.shape != content.shape:
        raise checks.CheckFailed("run_style_transfer should return a [1, H, W, 3] image like the content image")
    if image.min() < 0 or image.max() > 1:
        raise checks.CheckFailed("the optimised image must stay in [0, 1] (clip after every step)")
    assert got["weights_unchanged"], "run_style_transfer must train only the image, never the extractor's weights"
    before = reference.probe("style_losses", weights, content, content, style)
    after = reference.probe("style_losses", weights, image, content, style)
    if not after[0] <= 0.5 * before[0]:
        raise checks.CheckFailed("after 40 steps the style loss of the image did not fall by half from the content "
                                 "image's", values={"before": before[0], "after": after[0]})
