"""Hidden tests for A20 Q6: transformer and BERT pieces (attention, multi-head attention, positions, MLM masking)."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q6")


def softmax(x, axis=-1):
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def numpy_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(k.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores)
    return weights @ v, weights


@pytest.mark.points(3)
def test_scaled_dot_product_attention_matches_numpy_and_masks_exactly(student, reference, rng):
    q, k, v = rng.normal(size=(2, 3, 5, 8)), rng.normal(size=(2, 3, 7, 8)), rng.normal(size=(2, 3, 7, 4))
    out, weights = student.call("scaled_dot_product_attention", Tensor(q), Tensor(k), Tensor(v))
    want_out, want_w = numpy_attention(q, k, v)
    checks.assert_tensor(weights, want_w, expect="tensor", rtol=1e-6, atol=1e-9,
                         name="attention weights softmax(q k^T / sqrt(d_k))")
    checks.assert_tensor(out, want_out, expect="tensor", rtol=1e-6, atol=1e-9, name="attention output")
    mask = rng.random(size=(2, 1, 5, 7)) < 0.6
    mask[..., 0] = True
    out, weights = student.call("scaled_dot_product_attention", Tensor(q), Tensor(k), Tensor(v), Tensor(mask))
    want_out, want_w = numpy_attention(q, k, v, mask)
    checks.assert_tensor(weights, want_w, expect="tensor", rtol=1e-6, atol=1e-9,
                         name="masked attention weights (mask broadcast over heads)")
    assert np.all(np.asarray(weights)[np.broadcast_to(~mask, want_w.shape)] == 0.0), (
        "masked keys must get exactly 0 weight")
    checks.assert_tensor(out, want_out, expect="tensor", rtol=1e-6, atol=1e-9, name="masked attention output")
    checks.assert_gradients(student, reference, "probes.attention_output",
                            [Tensor(q), Tensor(k), Tensor(v), Tensor(mask)], wrt=(0, 1, 2), rtol=1e-6, atol=1e-9)


@pytest.mark.points(3)
def test_multi_head_attention_matches_the_definition(student, rng):
    batch, tq, tk, dim, heads = 2, 4, 6, 12, 3
    x_q, x_kv = rng.normal(size=(batch, tq, dim)), rng.normal(size=(batch, tk, dim))
    wq, wk, wv, wo = (rng.normal(0, 0.4, size=(dim, dim)) for _ in range(4))
    mask = rng.random(size=(batch, tq, tk)) < 0.7
    mask[..., 0] = True
    for m in (None, mask):
        args = [Tensor(x_q), Tensor(x_kv), Tensor(wq), Tensor(wk), Tensor(wv), Tensor(wo), heads]
        got = student.call("multi_head_attention", *args, None if m is None else Tensor(m))
        split = lambda x: x.reshape(batch, x.shape[1], heads, dim // heads).transpose(0, 2, 1, 3)  # noqa: E731
        out, _ = numpy_attention(split(x_q @ wq), split(x_kv @ wk), split(x_kv @ wv), None if m is None else m[:, None])
        want = out.transpose(0, 2, 1, 3).reshape(batch, tq, dim) @ wo
        checks.assert_tensor(got, want, expect="tensor", rtol=1e-6, atol=1e-9,
                             name="multi-head attention output" + ("" if m is None else " with a mask"))
    one = student.call("multi_head_attention", Tensor(x_q), Tensor(x_kv), Tensor(wq), Tensor(wk), Tensor(wv),
                       Tensor(wo), 1, None)
    out, _ = numpy_attention(x_q @ wq, x_kv @ wk, x_kv @ wv)
    checks.assert_tensor(one, out @ wo, expect="tensor", rtol=1e-6, atol=1e-9,
                         name="multi-head attention with one head (scaled by sqrt of the head size)")


@pytest.mark.points(2)
def test_sinusoidal_positional_encoding_follows_vaswani(student):
    for length, d_model in ((50, 16), (7, 10)):
        pos = np.arange(length)[:, None]
        i = np.arange(d_model)[None, :]
        angles = pos / np.power(10000.0, (2 * (i // 2)) / d_model)
        want = np.where(i % 2 == 0, np.sin(angles), np.cos(angles))
        got = student.call("sinusoidal_positional_encoding", length, d_model)
        checks.assert_tensor(got, want.astype(np.float32), expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                             name=f"positional encoding [{length}, {d_model}] (sin on even dims, cos on odd)")


@pytest.mark.points(3)
def test_mask_tokens_follows_the_80_10_10_rule(student, rng):
    vocab, mask_id, specials = 1000, 3, [0, 1, 2, 3]
    ids = rng.integers(4, vocab, size=(400, 500))
    ids[:, 0] = 1                                      # [CLS]
    ids[:, -40:] = 0                                   # padding
    ids[::7, 200] = 2                                  # [SEP]
    inputs, labels, weights = student.call("mask_tokens", Tensor(ids.astype(np.int32)), specials, vocab, mask_id,
                                           0.15, 11)
    inputs, labels, weights = np.asarray(inputs), np.asarray(labels), np.asarray(weights)
    checks.assert_value([list(inputs.shape), list(labels.shape), list(weights.shape)], [list(ids.shape)] * 3,
                        name="shapes of (inputs, labels, weights)")
    checks.assert_tensor(labels.astype(np.int64), ids, expect="array", atol=0, name="labels (the original ids)")
    selected = weights > 0
    assert set(np.unique(weights).tolist()) <= {0.0, 1.0}, "weights should be 1.0 on selected tokens, 0.0 elsewhere"
    special = np.isin(ids, specials)
    assert not np.any(selected & special), "special tokens ([CLS], [SEP], padding, [MASK]) must never be selected"
    assert np.array_equal(inputs[~selected], ids[~selected]), "unselected tokens must stay unchanged"
    rate = selected.sum() / (~special).sum()
    if abs(rate - 0.15) > 0.005:
        raise checks.CheckFailed("the share of selected (non-special) tokens is not the rate 0.15",
                                 values=f"selected share {rate:.4f}")
    chosen_in, chosen_ids = inputs[selected], ids[selected]
    shares = {"[MASK]": np.mean(chosen_in == mask_id), "unchanged": np.mean(chosen_in == chosen_ids),
              "random": np.mean((chosen_in != mask_id) & (chosen_in != chosen_ids))}
    for name, want in (("[MASK]", 0.8), ("unchanged", 0.1), ("random", 0.1)):
        if abs(shares[name] - want) > 0.015:
            raise checks.CheckFailed(f"among selected tokens, the share replaced by {name} is not {want}",
                                     values=f"{name} share {shares[name]:.4f}")
    random_ids = chosen_in[(chosen_in != mask_id) & (chosen_in != chosen_ids)]
    if abs(random_ids.mean() - (vocab - 1) / 2) > 0.05 * vocab:
        raise checks.CheckFailed("random replacements should be uniform over [0, vocab_size)")
    again = np.asarray(student.call("mask_tokens", Tensor(ids[:20].astype(np.int32)), specials, vocab, mask_id,
                                    0.15, 11)[0])
    other = np.asarray(student.call("mask_tokens", Tensor(ids[:20].astype(np.int32)), specials, vocab, mask_id,
                                    0.15, 12)[0])
    assert np.array_equal(again, np.asarray(student.call("mask_tokens", Tensor(ids[:20].astype(np.int32)), specials,
                                                         vocab, mask_id, 0.15, 11)[0])), "same seed, same masking"
    assert not np.array_equal(again, other), "a different seed should give a different masking"


@pytest.mark.points(2)
def test_mlm_loss_counts_only_selected_positions(student, reference, rng):
    batch, length, vocab = 3, 10, 13
    logits = rng.normal(size=(batch, length, vocab))
    labels = rng.integers(0, vocab, size=(batch, length))
    weights = (rng.random(size=(batch, length)) < 0.3).astype(np.float64)
    weights[0, 0] = 1.0
    log_p = logits - logits.max(axis=-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=-1, keepdims=True))
    ce = -np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    want = float((ce * weights).sum() / weights.sum())
    args = [Tensor(logits), Tensor(labels.astype(np.int32)), Tensor(weights)]
    checks.assert_value(float(student.call("mlm_loss", *args)), want, rtol=1e-6,
                        name="MLM loss (weighted mean cross-entropy over selected positions)")
    moved = logits + np.where(weights[..., None] > 0, 0.0, rng.normal(0, 5, size=logits.shape))
    checks.assert_value(float(student.call("mlm_loss", Tensor(moved), *args[1:])), want, rtol=1e-6,
                        name="MLM loss when logits change only at unselected positions (should not change)")
    checks.assert_gradients(student, reference, "mlm_loss", args, wrt=(0,), rtol=1e-6, atol=1e-9)
