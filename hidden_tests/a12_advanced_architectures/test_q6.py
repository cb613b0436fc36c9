"""Hidden tests for A12 Q6: patch embedding, class token, position embeddings and a ViT trained on digits.

Patches and embeddings are recomputed by the judge from the images and the weights the model holds; the full
forward pass is compared with the reference's after both workers set the same weights through the documented
attributes; parameter counts are the judge's arithmetic; accuracy is measured on noisy, rescaled digits whose labels
never leave the judge.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")


def _patchify(images, p):
    b, h, w, c = images.shape
    x = images.reshape(b, h // p, p, w // p, p, c).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(b, (h // p) * (w // p), p * p * c)


def _cfg(image_size, patch, classes, d, heads, layers, mlp, dropout=0.0, channels=1):
    return {"image_size": image_size, "patch_size": patch, "num_classes": classes, "d_model": d,
            "num_heads": heads, "num_layers": layers, "mlp_dim": mlp, "dropout": dropout, "channels": channels}


def _params(cfg):
    p, d, c, m = cfg["patch_size"], cfg["d_model"], cfg["channels"], cfg["mlp_dim"]
    n = (cfg["image_size"] // p) ** 2
    block = 2 * 2 * d + 4 * (d * d + d) + d * m + m + m * d + d
    return p * p * c * d + d + d + (n + 1) * d + cfg["num_layers"] * block + 2 * d + d * cfg["num_classes"] + \
        cfg["num_classes"]


@pytest.mark.points(2)
def test_patchify(student, rng):
    for shape, p in (((2, 8, 8, 1), 4), ((3, 6, 9, 2), 3), ((1, 4, 4, 3), 2)):
        images = rng.normal(size=shape).astype(np.float32)
        checks.assert_tensor(student.call("patchify", Tensor(images), p), _patchify(images, p), rtol=0, atol=0,
                             name=f"patchify(images of shape {shape}, {p}) (row-major patches, each flattened "
                                  "row, column, channel)")


@pytest.mark.points(3)
def test_embedding_adds_class_token_and_positions(student, rng):
    for cfg in (_cfg(8, 4, 10, 16, 2, 1, 24), _cfg(12, 3, 4, 12, 3, 2, 20, channels=2)):
        x = rng.normal(size=(3, cfg["image_size"], cfg["image_size"], cfg["channels"])).astype(np.float32)
        got = student.probe("vit_probe", cfg, int(rng.integers(0, 2**20)), x)
        n = (cfg["image_size"] // cfg["patch_size"]) ** 2
        tokens = np.asarray(got["tokens"], np.float64)
        checks.assert_value(list(tokens.shape), [3, n + 1, cfg["d_model"]],
                            name="shape of ViT.embed(x): [batch, patches + 1 (class token), d_model]")
        pos = np.asarray(got["pos_embed"], np.float64)[0]
        cls = np.asarray(got["cls_token"], np.float64).reshape(-1)
        want_cls = np.broadcast_to(cls + pos[0], (3, cfg["d_model"]))
        checks.assert_tensor(tokens[:, 0], want_cls, rtol=1e-5, atol=1e-5,
                             name="token 0 of ViT.embed(x) (cls_token + pos_embed[0], the same for every image)")
        patches = _patchify(x.astype(np.float64), cfg["patch_size"]) @ np.asarray(got["proj_kernel"], np.float64)
        checks.assert_tensor(tokens[:, 1:], patches + np.asarray(got["proj_bias"], np.float64) + pos[1:],
                             rtol=1e-4, atol=1e-4,
                             name="tokens 1..N of ViT.embed(x) (patch_embed.proj(patchify(x)) + pos_embed[1:])")
        checks.assert_value(got["trainable"], [True, True], name="trainable flags of cls_token and pos_embed")


@pytest.mark.points(3)
def test_forward_pass_and_parameter_count(student, reference, rng):
    for cfg in (_cfg(8, 2, 5, 16, 4, 2, 32), _cfg(6, 3, 3, 8, 2, 1, 16, dropout=0.5, channels=3)):
        x = rng.normal(size=(4, cfg["image_size"], cfg["image_size"], cfg["channels"])).astype(np.float32)
        seed = int(rng.integers(0, 2**20))
        got = student.probe("vit_probe", cfg, seed, x)
        counted = int(sum(int(np.prod(s)) for s in got["weight_shapes"]))
        checks.assert_value(counted, _params(cfg),
                            name=f"number of weights of ViT({cfg}), counted from its weight shapes")
        want = reference.probe("vit_probe", cfg, seed, x)
        checks.assert_value(got["ordered_shapes"], want["ordered_shapes"],
                            name="weight shapes in attribute order (cls_token, pos_embed, patch_embed.proj, then per "
                                 "block norm1, attn, norm2, fc1, fc2, then norm and head)")
        checks.assert_tensor(got["logits"], want["logits"], rtol=1e-4, atol=1e-4,
                             name="ViT logits with the judge's weights, training=False (pre-LN blocks, GELU MLP, "
                                  "head on the class token)")
        checks.assert_tensor(got["logits_again"], got["logits"], rtol=0, atol=1e-6,
                             name="a second call with training=False (no dropout at inference)")
        if cfg["dropout"] > 0:
            changed = float(np.max(np.abs(np.asarray(got["logits_training"]) - np.asarray(got["logits"]))))
            if changed < 1e-4:
                raise checks.CheckFailed("ViT(..., dropout=0.5) gives the same logits with training=True as with "
                                         "training=False: pass `training` on to the Dropout layers")


def _digits(rng):
    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[..., None]
    order = rng.permutation(len(x))
    train, test = order[:800], order[800:]
    # Held-out rows: brightness, contrast and noise the dataset never had, so no row can be looked up.
    gain = rng.uniform(0.75, 1.25, size=(len(test), 1, 1, 1))
    x_test = x[test] * gain + rng.uniform(-0.1, 0.1, size=(len(test), 1, 1, 1)) + rng.normal(0, 0.08, x[test].shape)
    x_train = x[train] + rng.normal(0, 0.03, x[train].shape)
    return x_train.astype(np.float32), data.target[train].astype(np.int32), x_test.astype(np.float32), \
        data.target[test]


@pytest.mark.points(4)
def test_vit_learns_digits(student, reference, rng, thresholds):
    x, y, x_test, y_test = _digits(rng)
    cfg = _cfg(8, 4, 10, 32, 4, 1, 64)
    got = student.probe("vit_train", cfg, x, y, int(rng.integers(0, 2**20)), x_test, 12)
    logits = np.asarray(got["logits"])
    if logits.shape != (len(y_test), 10):
        raise checks.CheckFailed(f"the trained ViT gave logits of shape {logits.shape} for {len(y_test)} images "
                                 "and 10 classes")
    checks.assert_accuracy(np.argmax(logits, axis=-1), y_test, thresholds["min_accuracy"],
                           name="accuracy of the ViT on held-out digits")
    # The accuracy is the trained weights' doing: the reference ViT holding them predicts the same logits (a model
    # whose call answers some other way, say by looking rows up in the digits data, would not).
    again = reference.probe("vit_logits", cfg, got["trained"], x_test)
    checks.assert_tensor(logits, again, rtol=1e-3, atol=1e-3,
                         name="the trained ViT's held-out logits against the reference ViT holding its trained weights")
