"""Hidden tests for A20 Q5: text generation (temperature/top-k/top-p distributions, sampling, perplexity, a char LM)."""

import numpy as np
import pytest
from scipy import stats

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q5")


def numpy_filter(logits, temperature=1.0, top_k=None, top_p=None):
    """The judge's sampling distribution (float64): log-probabilities, -inf where removed."""
    z = np.asarray(logits, np.float64) / temperature
    keep = np.ones_like(z, bool)
    for b in range(z.shape[0]):
        order = np.argsort(-z[b], kind="stable")
        if top_k is not None:
            keep[b, order[top_k:]] = False
        if top_p is not None:
            p = np.where(keep[b], np.exp(z[b] - z[b][keep[b]].max()), 0.0)
            p /= p.sum()
            before = np.cumsum(p[order]) - p[order]
            keep[b, order[before >= top_p]] = False
    z = np.where(keep, z, -np.inf)
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def safe_top_p(logits, temperature, top_k, top_p):
    """Move top_p away from a cumulative-probability boundary, so float32 and float64 agree on the kept set."""
    for _ in range(20):
        z = np.asarray(logits, np.float64) / temperature
        ok = True
        for b in range(z.shape[0]):
            order = np.argsort(-z[b], kind="stable")
            p = np.exp(z[b] - z[b].max())
            if top_k is not None:
                p[order[top_k:]] = 0
            p /= p.sum()
            before = np.cumsum(p[order]) - p[order]
            ok &= bool(np.all(np.abs(before - top_p) > 1e-3))
        if ok:
            return top_p
        top_p = top_p * 0.97
    return top_p


def assert_distribution(got, want, label):
    got = np.asarray(got, np.float64)
    checks.assert_value(list(got.shape), list(want.shape), name=f"shape of filter_logits ({label})")
    kept = np.isfinite(want)
    if not np.array_equal(np.isfinite(got), kept):
        raise checks.CheckFailed(f"filter_logits ({label}) keeps the wrong set of tokens "
                                 f"({int((np.isfinite(got) != kept).sum())} of {kept.size} entries differ; removed "
                                 "tokens must be -inf)")
    checks.assert_tensor(got[kept], want[kept], expect="array", rtol=1e-4, atol=1e-5,
                         name=f"log-probabilities of the kept tokens ({label}, renormalised)")


CONFIGS = [(1.0, None, None), (0.5, None, None), (2.5, None, None), (1.0, 5, None), (0.7, 3, None),
           (1.0, None, 0.9), (1.3, None, 0.5), (0.8, 10, 0.8), (1.0, 1, None), (1.0, None, 0.01)]


@pytest.mark.points(4)
def test_filter_logits_gives_the_exact_sampling_distribution(student, rng):
    logits = rng.normal(0, 2.0, size=(6, 17)).astype(np.float32)
    for temperature, top_k, top_p in CONFIGS:
        if top_p is not None:
            top_p = safe_top_p(logits, temperature, top_k, top_p)
        got = student.call("filter_logits", Tensor(logits), temperature, top_k, top_p)
        assert_distribution(got, numpy_filter(logits, temperature, top_k, top_p),
                            f"temperature={temperature}, top_k={top_k}, top_p={top_p}")
    ties = np.array([[1.0, 3.0, 3.0, 2.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0, 1.0, 1.0]], np.float32)
    got = student.call("filter_logits", Tensor(ties), 1.0, 2, None)
    assert_distribution(got, numpy_filter(ties, 1.0, 2, None), "top_k=2 with tied logits (lower index first)")
    got = student.call("filter_logits", Tensor(ties), 1.0, None, 0.3)
    assert_distribution(got, numpy_filter(ties, 1.0, None, 0.3), "top_p=0.3 with tied logits")


@pytest.mark.points(3)
@pytest.mark.parametrize("temperature, top_k, top_p", [(0.8, None, None), (1.0, 6, None), (1.2, None, 0.85)])
def test_sample_next_draws_follow_the_filtered_distribution(student, rng, temperature, top_k, top_p):
    logits = rng.normal(0, 1.5, size=(1, 12)).astype(np.float32)
    if top_p is not None:
        top_p = safe_top_p(logits, temperature, top_k, top_p)
    draws_n = 20000
    batch = np.repeat(logits, draws_n, axis=0)
    draws = np.asarray(student.call("sample_next", Tensor(batch), temperature, top_k, top_p, 1234)).astype(np.int64)
    checks.assert_value(list(draws.shape), [draws_n], name="sample_next output shape (one id per row)")
    probs = np.exp(numpy_filter(logits, temperature, top_k, top_p)[0])
    outside = int(np.sum(probs[np.clip(draws, 0, len(probs) - 1)] == 0) + np.sum((draws < 0) | (draws >= len(probs))))
    if outside:
        raise checks.CheckFailed(f"{outside} of {draws_n} draws are tokens the filter removed")
    counts = np.bincount(draws, minlength=len(probs))
    kept = probs > 0
    expected = probs[kept] * draws_n
    chi2 = float(np.sum((counts[kept] - expected) ** 2 / expected))
    p_value = float(stats.chi2.sf(chi2, df=max(int(kept.sum()) - 1, 1)))
    if p_value < 1e-3:
        raise checks.CheckFailed("the draws do not follow the filtered distribution (chi-square test, 20,000 draws, "
                                 "p < 0.001): sample from filter_logits' log-probabilities",
                                 values=f"chi2 {chi2:.1f}, p {p_value:.2g}")
    again = np.asarray(student.call("sample_next", Tensor(batch[:500]), temperature, top_k, top_p, 1234))
    assert np.array_equal(again, student.call("sample_next", Tensor(batch[:500]), temperature, top_k, top_p, 1234)), (
        "sample_next should be reproducible for a given seed")


@pytest.mark.points(1)
def test_tiny_temperature_is_argmax(student, rng):
    logits = rng.normal(0, 1.0, size=(50, 9)).astype(np.float32)
    draws = np.asarray(student.call("sample_next", Tensor(logits), 1e-6, None, None, 7))
    checks.assert_value([int(d) for d in draws], [int(i) for i in logits.argmax(axis=1)],
                        name="draws at temperature 1e-6 (greedy)")


@pytest.mark.points(2)
def test_perplexity_masks_padding(student, rng):
    batch, length, vocab = 4, 9, 7
    log_probs = rng.normal(size=(batch, length, vocab))
    log_probs -= np.log(np.exp(log_probs).sum(axis=-1, keepdims=True))
    targets = rng.integers(1, vocab, size=(batch, length))
    lengths = np.array([9, 6, 3, 1])
    targets[np.arange(length)[None, :] >= lengths[:, None]] = 0
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    mask = targets != 0
    want = float(np.exp(-picked[mask].mean()))
    got = student.call("sequence_perplexity", Tensor(log_probs), Tensor(targets.astype(np.int32)), 0)
    checks.assert_value(float(got), want, rtol=1e-6, name="perplexity = exp(mean NLL over non-pad targets)")
    got = student.call("sequence_perplexity", Tensor(log_probs), Tensor(targets.astype(np.int32)), 3)
    mask = targets != 3
    checks.assert_value(float(got), float(np.exp(-picked[mask].mean())), rtol=1e-6,
                        name="perplexity with pad_id=3")


def markov_source(rng, vocab):
    """An order-2 character Markov chain and its entropy rate (nats per character)."""
    table = rng.dirichlet(np.full(vocab, 0.3), size=(vocab, vocab))
    pair = np.full((vocab, vocab), 1.0 / vocab ** 2)
    for _ in range(500):
        pair = np.einsum("ab,abc->bc", pair, table)
    entropy = -np.sum(pair[..., None] * table * np.log(table + 1e-300))
    return table, float(entropy)


def sample_text(rng, table, n):
    vocab = table.shape[0]
    out = [int(rng.integers(vocab)), int(rng.integers(vocab))]
    cumulative = table.cumsum(axis=-1)
    for u in rng.random(n - 2):
        out.append(int(min(np.searchsorted(cumulative[out[-2], out[-1]], u), vocab - 1)))
    return np.array(out)


@pytest.mark.points(3)
def test_char_lm_reaches_the_entropy_rate_of_the_source(student, thresholds, rng):
    vocab = 6
    table, entropy = markov_source(rng, vocab)
    train = sample_text(rng, table, 20000)
    held = sample_text(rng, table, 4002)
    windows = np.stack([held[:-2], held[1:-1]], axis=1)
    probs = np.asarray(student.probe("lm_probs", train, vocab, 2, windows))
    checks.assert_value(list(probs.shape), [len(windows), vocab], name="next-character probabilities shape")
    assert np.all(np.isfinite(probs)) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4), (
        "the model should output a softmax over the vocabulary")
    perplexity = float(np.exp(-np.mean(np.log(np.maximum(probs[np.arange(len(windows)), held[2:]], 1e-12)))))
    ratio = perplexity / float(np.exp(entropy))
    if ratio > thresholds["max_perplexity_ratio"]:
        raise checks.CheckFailed("held-out perplexity of the trained model is too far above exp(entropy rate) of "
                                 "the order-2 source: the model should condition on both previous characters",
                                 values=f"perplexity / exp(H) = {ratio:.3f}")
