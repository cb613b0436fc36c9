"""Hidden tests for A11 Q6: scaled dot-product and multi-head attention, positions, causal masks, a tiny Transformer.

``tf.keras.layers.MultiHeadAttention`` runs in the reference worker (``probes.keras_mha``) with the same weights;
scaled dot-product attention, positional encodings and masks are the judge's NumPy. The causal Transformer is
probed by perturbing future tokens, and trained on a delayed-copy task whose held-out targets stay here.
"""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")

FORBIDDEN = ["tf.keras.layers.MultiHeadAttention.call", "tf.keras.layers.Attention.call",
             "tf.keras.layers.EinsumDense.call"]


def _sdpa(q, k, v, mask):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(k.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    w = e / e.sum(-1, keepdims=True)
    return w @ v, w


def _mha_weights(rng, d, heads, key_dim):
    return [rng.normal(0, 0.4, (d, heads, key_dim)).astype(np.float32),
            rng.normal(0, 0.2, (heads, key_dim)).astype(np.float32),
            rng.normal(0, 0.4, (d, heads, key_dim)).astype(np.float32),
            rng.normal(0, 0.2, (heads, key_dim)).astype(np.float32),
            rng.normal(0, 0.4, (d, heads, key_dim)).astype(np.float32),
            rng.normal(0, 0.2, (heads, key_dim)).astype(np.float32),
            rng.normal(0, 0.4, (heads, key_dim, d)).astype(np.float32),
            rng.normal(0, 0.2, (d,)).astype(np.float32)]


def _pair(got, what):
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise checks.CheckFailed(f"{what} must return a pair (output, attention weights)")
    return got


@pytest.mark.points(2)
def test_scaled_dot_product_attention_with_masks(student, rng):
    for shape_q, shape_k, dv, mask_kind in (((2, 5, 4), (2, 6, 4), 3, None), ((2, 3, 5, 8), (2, 3, 5, 8), 8, "causal"),
                                            ((3, 4, 6), (3, 7, 6), 2, "random")):
        q, k = rng.normal(size=shape_q), rng.normal(size=shape_k)
        v = rng.normal(size=shape_k[:-1] + (dv,))
        tq, tk = shape_q[-2], shape_k[-2]
        mask = None
        if mask_kind == "causal":
            mask = np.tril(np.ones((tq, tk), bool))
        elif mask_kind == "random":
            mask = rng.random((shape_q[0], tq, tk)) > 0.4
            mask[..., 0] = True
        out, weights = _pair(student.call("scaled_dot_product_attention", *[Tensor(a.astype(np.float32))
                                                                            for a in (q, k, v)], mask),
                             "scaled_dot_product_attention")
        want = _sdpa(q, k, v, mask)
        what = f"q {shape_q}, k {shape_k}, mask {mask_kind} (True = may attend, scale 1/sqrt(d_k))"
        checks.assert_tensor(out, want[0], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-5,
                             name=f"scaled_dot_product_attention output ({what})")
        checks.assert_tensor(weights, want[1], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-6,
                             name=f"scaled_dot_product_attention weights ({what})")


@pytest.mark.points(3)
def test_multi_head_attention_matches_keras(student, reference, rng):
    for batch, tq, tk, d, heads, masked in ((2, 5, 5, 8, 2, False), (3, 4, 6, 12, 3, True), (1, 6, 6, 8, 4, True)):
        query = rng.normal(size=(batch, tq, d)).astype(np.float32)
        value = rng.normal(size=(batch, tk, d)).astype(np.float32)
        weights = _mha_weights(rng, d, heads, d // heads)
        mask = None
        if masked:
            mask = rng.random((batch, tq, tk)) > 0.3
            mask[..., 0] = True
        kwargs = {} if mask is None else {"attention_mask": mask}
        got = _pair(student.call("multi_head_attention", Tensor(query), Tensor(value), weights, heads, **kwargs),
                    "multi_head_attention")
        want = reference.probe("keras_mha", query, value, weights, heads, None, mask)
        what = f"{heads} heads, d_model {d}, Tq {tq}, Tk {tk}{', masked' if masked else ''}"
        checks.assert_tensor(got[0], want[0], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-5,
                             name=f"multi_head_attention output vs tf.keras.layers.MultiHeadAttention ({what})")
        checks.assert_tensor(got[1], want[1], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-6,
                             name=f"multi_head_attention scores [B, heads, Tq, Tk] ({what})")


@pytest.mark.points(2)
def test_positional_encoding_and_causal_mask(student):
    for length, depth in ((10, 8), (33, 16), (1, 4), (50, 64)):
        pos = np.arange(length)[:, None]
        angle = pos / np.power(10000.0, 2 * np.arange(depth // 2)[None, :] / depth)
        want = np.zeros((length, depth))
        want[:, 0::2], want[:, 1::2] = np.sin(angle), np.cos(angle)
        checks.assert_tensor(student.call("positional_encoding", length, depth), want.astype(np.float32),
                             dtype="float32", rtol=1e-5, atol=1e-5,
                             name=f"positional_encoding({length}, {depth}): sin on even, cos on odd dimensions")
    for length in (1, 4, 9):
        got = np.asarray(student.call("causal_mask", length))
        if got.dtype != np.bool_:
            raise checks.CheckFailed(f"causal_mask({length}) must be a bool tensor (True = may attend)")
        checks.assert_value(got.tolist(), np.tril(np.ones((length, length), bool)).tolist(),
                            name=f"causal_mask({length}) (row i may attend to columns j <= i)")


@pytest.mark.points(1)
def test_multi_head_attention_gradients_and_no_keras_layer(student, reference, rng):
    query, value = rng.normal(size=(2, 4, 8)).astype(np.float32), rng.normal(size=(2, 5, 8)).astype(np.float32)
    weights = _mha_weights(rng, 8, 2, 4)
    args = [Tensor(query), Tensor(value), *[Tensor(w) for w in weights], 2]
    wrt = tuple(range(10))
    got = student.harness("gradient", "probes.mha_flat", args, wrt=wrt, upstream_seed=4)
    want = reference.harness("gradient", "probes.mha_flat", args, wrt=wrt, upstream_seed=4)
    names = ["query", "value", "query kernel", "query bias", "key kernel", "key bias", "value kernel", "value bias",
             "output kernel", "output bias"]
    for name, g, w in zip(names, got, want, strict=True):
        if g is None:
            raise checks.CheckFailed(f"the gradient of multi_head_attention with respect to the {name} is None")
        checks.assert_tensor(g, w, rtol=1e-4, atol=1e-5, name=f"gradient of multi_head_attention wrt the {name}")
    checks.assert_no_forbidden_calls(student, "multi_head_attention", [Tensor(query), Tensor(value), weights, 2],
                                     FORBIDDEN, why="project, split the heads and attend with your own ops")


@pytest.mark.points(2)
def test_causal_transformer_with_fixed_weights_matches_reference(student, reference, rng):
    vocab, steps = 9, 7
    x = rng.integers(1, vocab, (2, steps)).astype(np.int32)
    seed = int(rng.integers(0, 2**20))
    got = student.probe("transformer_fixed_weights", vocab, steps + 3, seed, x)  # T < max_len
    want = reference.probe("transformer_fixed_weights", vocab, steps + 3, seed, x)
    checks.assert_value(got["weight_shapes"], want["weight_shapes"],
                        name="weight shapes of build_causal_transformer in creation order (embedding, then per "
                             "block LayerNorm, attention, LayerNorm, Dense(dff), Dense(d_model), then LayerNorm, "
                             "Dense(vocab))")
    checks.assert_tensor(got["logits"], want["logits"], dtype="float32", rtol=1e-4, atol=1e-4,
                         name="logits of build_causal_transformer with the judge's weights (embedding scaled by "
                              "sqrt(d_model) plus positions, pre-norm residual blocks, causal attention)")


@pytest.mark.points(3)
def test_causal_transformer_does_not_see_the_future(student, rng):
    vocab, steps = 8, 10
    x = rng.integers(1, vocab, (3, steps)).astype(np.int32)
    inputs, cuts = [x], (0, 3, 7)
    for t in cuts:
        future = x.copy()
        future[:, t + 1:] = (x[:, t + 1:] + rng.integers(1, vocab - 1, x[:, t + 1:].shape)) % (vocab - 1) + 1
        past = x.copy()
        past[:, t] = x[:, t] % (vocab - 1) + 1
        inputs += [future, past]
    outs = [np.asarray(o, np.float64) for o in student.probe("transformer_outputs", vocab, steps, 1, inputs)]
    if outs[0].shape != (3, steps, vocab):
        raise checks.CheckFailed(f"build_causal_transformer({vocab}, {steps}) must map [B, T] tokens to [B, T, "
                                 f"{vocab}] logits", values=f"shape {outs[0].shape}")
    for i, t in enumerate(cuts):
        future, past = outs[1 + 2 * i], outs[2 + 2 * i]
        if np.abs(past[:, t] - outs[0][:, t]).max() < 1e-4:
            raise checks.CheckFailed(f"changing the token at position {t} does not change the logits at {t}: the "
                                     "model must read its input")
        if np.abs(future[:, :t + 1] - outs[0][:, :t + 1]).max() > 1e-4:
            raise checks.CheckFailed(f"changing tokens after position {t} changes the logits at positions <= {t}: "
                                     "the attention must use a causal mask (no future leakage)")
    if np.abs(outs[2][:, -1] - outs[0][:, -1]).max() < 1e-4:
        raise checks.CheckFailed("the last position must attend to earlier tokens (changing token 0 should change it)")


@pytest.mark.points(3)
def test_trained_transformer_copies_the_previous_token(student, rng, thresholds):
    vocab, steps = 8, 8
    x_train = rng.integers(1, vocab, (1024, steps)).astype(np.int32)
    x_test = rng.integers(1, vocab, (300, steps)).astype(np.int32)

    def target(x):
        y = np.zeros_like(x)
        y[:, 1:] = x[:, :-1]
        return y

    got = student.probe("transformer_train", vocab, steps, x_train, target(x_train), x_test, 0)
    if got["trainable"] < 1000:
        raise checks.CheckFailed("build_causal_transformer should have trainable embeddings, attention and "
                                 "feed-forward weights", values=f"{got['trainable']} trainable parameters")
    before = float(np.mean(np.asarray(got["before"]).argmax(-1) == target(x_test)))
    if before > 0.4:
        raise checks.CheckFailed("the untrained model already solves the task: build an ordinary, untrained "
                                 "Transformer", values=f"accuracy before training {before:.3f}")
    checks.assert_accuracy(np.asarray(got["after"]).argmax(-1), target(x_test), thresholds["min_copy_accuracy"],
                           name="held-out accuracy of the delayed copy y_t = x_(t-1) after 5 epochs (positions "
                                "need the positional encoding; the mask must be causal)")
