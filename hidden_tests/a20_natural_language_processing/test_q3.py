"""Hidden tests for A20 Q3: machine translation pieces (BPE, beam search with length penalty, BLEU, attention)."""

import itertools

import numpy as np
import pytest
import sacrebleu

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q3")

SYLLABLES = ["lo", "w", "er", "ne", "st", "wi", "de", "ta", "ki", "ng", "s", "a", "re", "in"]


def random_word_counts(rng, n):
    words = {}
    while len(words) < n:
        word = "".join(rng.choice(SYLLABLES, size=int(rng.integers(1, 4))))
        words[word] = int(rng.integers(1, 12))
    return words


def log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def penalty(n, alpha):
    return ((5.0 + n) / 6.0) ** alpha


def all_hypotheses(table, bos, eos, max_len, alpha):
    """Every sequence beam search can finish with: ending in eos (length <= max_len) or max_len without eos."""
    vocab = table.shape[1]
    out = []
    for n in range(1, max_len + 1):
        for seq in itertools.product(range(vocab), repeat=n):
            if eos in seq[:-1] or (n < max_len and seq[-1] != eos):
                continue
            prev, logp = bos, 0.0
            for t, w in enumerate(seq):
                logp += table[min(t, len(table) - 1), prev, w]
                prev = w
            out.append((list(seq), logp / penalty(n, alpha)))
    return out


@pytest.mark.points(3)
def test_bpe_merges_and_segmentation_match_the_reference(student, reference, rng):
    toy = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    got = student.call("learn_bpe", toy, 10)
    want = reference.call("learn_bpe", toy, 10)
    checks.assert_value([list(p) for p in got], [list(p) for p in want],
                        name="merges on Sennrich's toy vocabulary (low 5, lower 2, newest 6, widest 3)")
    counts = random_word_counts(rng, 40)
    got = student.call("learn_bpe", counts, 30)
    want = reference.call("learn_bpe", counts, 30)
    checks.assert_value([list(p) for p in got], [list(p) for p in want],
                        name="merges on a random corpus (most frequent pair, ties to the smallest pair)")
    short = student.call("learn_bpe", {"ab": 3}, 5)
    checks.assert_value([list(p) for p in short], [["a", "b</w>"]], name="merges when pairs run out (stop early)")
    for word in ["lowest", "newer", "wider"] + list(random_word_counts(rng, 6)):
        pieces = student.call("bpe_encode", word, want)
        assert "".join(pieces) == word + "</w>", "bpe_encode pieces should concatenate to the word + '</w>'"
        checks.assert_value(list(pieces), list(reference.call("bpe_encode", word, want)),
                            name=f"segmentation of {word!r} (apply the lowest-ranked present merge first)")
    # Merges whose order matters: "abc" is ab + c</w> (rank 0 first), not a + bc</w> (rank 1 first).
    ranked = [["a", "b"], ["b", "c</w>"], ["c", "d"], ["ab", "cd</w>"], ["d", "a"]]
    for word in ("abc", "abcd", "dabc", "bcd", "cdab"):
        checks.assert_value(list(student.call("bpe_encode", word, ranked)),
                            list(reference.call("bpe_encode", word, ranked)),
                            name=f"segmentation of {word!r} with overlapping merges (lowest rank first, repeatedly)")


@pytest.mark.points(3)
def test_beam_search_with_full_width_is_exhaustive_and_width_one_is_greedy(student, rng):
    vocab, max_len, bos, eos = 4, 4, 0, 3
    table = log_softmax(rng.normal(0, 1.5, size=(max_len, vocab, vocab)))
    for alpha in (0.0, 0.6, 1.5):
        got = student.probe("beam", table, bos, eos, vocab ** max_len, max_len, alpha)["results"]
        best = max(all_hypotheses(table, bos, eos, max_len, alpha), key=lambda h: h[1])
        checks.assert_value(got[0][0], best[0],
                            name=f"best hypothesis with an unlimited beam (exhaustive search, alpha={alpha})")
        checks.assert_value(got[0][1], best[1], rtol=1e-9, atol=1e-12,
                            name="its score: summed log-probability / ((5 + n) / 6) ** alpha")
        scores = [s for _, s in got]
        assert scores == sorted(scores, reverse=True), "beam_search should return hypotheses best first"
    greedy, prev = [], bos
    for t in range(max_len):
        prev = int(np.argmax(table[t, prev]))
        greedy.append(prev)
        if prev == eos:
            break
    got = student.probe("beam", table, bos, eos, 1, max_len, 0.6)["results"]
    checks.assert_value(len(got), 1, name="number of hypotheses returned with beam_width=1")
    checks.assert_value(got[0][0], greedy, name="beam_width=1 result (greedy decoding)")


@pytest.mark.points(2)
def test_beam_search_keeps_the_specified_beams(student, reference, rng):
    vocab, max_len, bos, eos = 6, 6, 0, 1
    table = log_softmax(rng.normal(0, 2.0, size=(max_len, vocab, vocab)))
    table[:, :, eos] += 1.0
    table = log_softmax(table)
    for width in (2, 3):
        got = student.probe("beam", table, bos, eos, width, max_len, 0.6)
        want = reference.probe("beam", table, bos, eos, width, max_len, 0.6)
        checks.assert_value(got["results"], want["results"], rtol=1e-9, atol=1e-12,
                            name=f"every finished hypothesis and its score, beam_width={width}")
        assert got["prefixes"] <= want["prefixes"], (
            "beam_search asked step_fn for more prefixes than the alive beams: expand only the kept hypotheses")


def bleu_cases(rng):
    words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "red", "big"]
    refs = [" ".join(rng.choice(words, size=int(rng.integers(5, 12)))) for _ in range(20)]
    close = []
    for ref in refs:
        tokens = ref.split()
        tokens = [t if rng.random() < 0.8 else str(rng.choice(words)) for t in tokens]
        if rng.random() < 0.5:
            tokens = tokens[:max(1, len(tokens) - int(rng.integers(0, 3)))]
        close.append(" ".join(tokens))
    short = [" ".join(ref.split()[: max(4, len(ref.split()) // 2)]) for ref in refs]
    long = [ref + " and the big red dog" for ref in refs]
    return refs, {"noisy": close, "short (brevity penalty)": short, "long": long, "exact": list(refs)}


@pytest.mark.points(3)
def test_corpus_bleu_equals_sacrebleu_without_calling_it(student, rng):
    refs, cases = bleu_cases(rng)
    for label, hyps in cases.items():
        got = float(student.call("corpus_bleu", refs, hyps))
        want = sacrebleu.corpus_bleu(hyps, [refs], tokenize="none", smooth_method="none").score / 100.0
        checks.assert_value(got, want, rtol=1e-6, atol=1e-9, name=f"corpus BLEU-4 in [0, 1], case {label}")
    none_match = ["zebra quokka " * 3] * len(refs)
    checks.assert_value(float(student.call("corpus_bleu", refs, none_match)), 0.0,
                        name="BLEU when no 4-gram matches (no smoothing)")
    student.probe("import_ground_truth_libraries")
    checks.assert_no_forbidden_calls(
        student, "probes.bleu", [refs, cases["noisy"]],
        ["sacrebleu.corpus_bleu", "sacrebleu.sentence_bleu", "sacrebleu.metrics.bleu.BLEU.corpus_score",
         "sacrebleu.metrics.bleu.BLEU.compute_bleu"],
        why="count clipped n-grams yourself; sacrebleu is the judge's ground truth")


@pytest.mark.points(2)
def test_additive_attention_matches_numpy_and_ignores_padding(student, reference, rng):
    batch, src, dim, att = 4, 7, 5, 6
    query, keys = rng.normal(size=(batch, dim)), rng.normal(size=(batch, src, dim))
    w_q, w_k, v = rng.normal(size=(dim, att)), rng.normal(size=(dim, att)), rng.normal(size=att)
    lengths = np.array([7, 5, 3, 1])
    mask = np.arange(src)[None, :] < lengths[:, None]
    args = [Tensor(query), Tensor(keys), Tensor(mask), Tensor(w_q), Tensor(w_k), Tensor(v)]
    context, weights = student.call("additive_attention", *args)
    energy = np.tanh((query @ w_q)[:, None, :] + keys @ w_k) @ v
    want_w = np.where(mask, np.exp(energy - energy.max(axis=1, keepdims=True)), 0.0)
    want_w /= want_w.sum(axis=1, keepdims=True)
    checks.assert_tensor(weights, want_w, expect="tensor", rtol=1e-6, atol=1e-9,
                         name="attention weights (masked softmax of v . tanh(q W_q + k W_k))")
    assert np.all(np.asarray(weights)[~mask] == 0.0), "weights on padded source positions must be exactly 0"
    checks.assert_tensor(context, np.einsum("bs,bsd->bd", want_w, keys), expect="tensor", rtol=1e-6, atol=1e-9,
                         name="context vector (weighted sum of the keys)")
    changed = keys.copy()
    changed[~mask] = rng.normal(0, 100, size=changed[~mask].shape)
    context2, _ = student.call("additive_attention", Tensor(query), Tensor(changed), *args[2:])
    checks.assert_tensor(context2, context, expect="tensor", rtol=1e-9, atol=1e-9,
                         name="context when only padded keys change (should not change)")
    checks.assert_gradients(student, reference, "probes.attention_context", args, wrt=(0, 3, 5), rtol=1e-6, atol=1e-9)
