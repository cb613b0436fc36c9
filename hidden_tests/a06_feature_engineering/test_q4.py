"""Hidden tests for A06 Q4: TextVectorization, a vectorizing tf.data pipeline, TF-IDF and a text model."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")

TOPICS = [
    ["goal", "match", "team", "coach", "league", "score", "player", "season", "stadium", "referee", "striker", "cup"],
    ["chip", "software", "server", "code", "laptop", "network", "cloud", "startup", "robot", "data", "app", "battery"],
    ["recipe", "flavor", "oven", "garlic", "dinner", "bread", "sauce", "chef", "spice", "dessert", "kitchen", "salad"],
    ["vote", "senate", "policy", "election", "minister", "law", "campaign", "tax", "party", "debate", "court",
     "budget"],
]
FILLER = ("the a of and to in is was for on with that it as at by from this be are new after over "
          "about more people said year week today report very really just").split()


def text_corpus(seed, n):
    """A deterministic labelled corpus: four topics, 30% topic words, 6% words of a random topic, rest filler."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(TOPICS), size=n)
    texts = []
    for y in labels:
        words = []
        for _ in range(int(rng.integers(6, 14))):
            u = rng.random()
            if u < 0.3:
                w = TOPICS[y][int(rng.integers(len(TOPICS[y])))]
            elif u < 0.36:
                other = int(rng.integers(len(TOPICS)))
                w = TOPICS[other][int(rng.integers(len(TOPICS[other])))]
            else:
                w = FILLER[int(rng.integers(len(FILLER)))]
            if rng.random() < 0.15:
                w = w.capitalize()
            words.append(w)
        s = " ".join(words)
        texts.append(s[0].upper() + s[1:] + str(rng.choice([".", "!", "?", "..."])))
    return np.array(texts), labels.astype(np.int64)


@pytest.mark.points(2)
def test_vectorizer_vocabulary_and_ids(student, reference, rng):
    train, _ = text_corpus(int(rng.integers(1 << 30)), 80)
    texts, _ = text_corpus(int(rng.integers(1 << 30)), 12)
    texts[0] = "Unseenword, GOAL!! the"
    got = student.probe("vectorize", train, texts, 40, 9)
    want = reference.probe("vectorize", train, texts, 40, 9)
    checks.assert_value(got["vocab"], want["vocab"],
                        name="get_vocabulary() of build_text_vectorizer(train, 40, 9) ('' and '[UNK]' first, then "
                             "by frequency; lower-cased, punctuation stripped)")
    checks.assert_tensor(got["ids"], want["ids"], dtype="int64", atol=0, name="the vectorizer's token ids")


@pytest.mark.points(1)
def test_text_pipeline_keeps_order_and_batches(student, reference, rng):
    train, _ = text_corpus(int(rng.integers(1 << 30)), 100)
    vocab = reference.probe("vectorize", train, train[:1], 60, 7)["vocab"][2:]
    texts, _ = text_corpus(int(rng.integers(1 << 30)), 45)
    got = student.probe("text_pipeline_batches", vocab, texts, 7, 16)
    assert got["is_dataset"], "text_pipeline must return a tf.data.Dataset"
    assert got["shapes"] == [[16, 7], [16, 7], [13, 7]], (
        f"text_pipeline(45 texts, ..., batch_size=16) gave batches of shapes {got['shapes']}, expected "
        "[[16, 7], [16, 7], [13, 7]]")
    assert got["dtypes"] == ["int64"], f"batches should be int64, got {got['dtypes']}"
    want = student.probe("text_loop_baseline", vocab, texts, 7, 16)
    checks.assert_tensor(got["rows"], want, atol=0, name="the pipeline's rows (same order as the texts, no shuffle)")


@pytest.mark.points(2)
def test_text_pipeline_throughput_vs_python_loop(student, reference, rng, thresholds):
    train, _ = text_corpus(int(rng.integers(1 << 30)), 200)
    vocab = reference.probe("vectorize", train, train[:1], 200, 12)["vocab"][2:]

    def make_args(r):
        texts, _ = text_corpus(int(r.integers(1 << 30)), 300)  # fresh texts every call
        return [vocab, texts, 12, 64]

    checks.assert_speed({"text_pipeline": (student, "probes.run_text_pipeline"),
                         "python_loop": (reference, "probes.text_loop_baseline")},  # trusted, out of reach
                        make_args, rng, fast="text_pipeline", slow="python_loop",
                        min_ratio=thresholds["min_pipeline_speedup"], trials=3, calls=2, atol=0)


@pytest.mark.points(2)
def test_tfidf_matches_keras_idf(student, reference, rng):
    train, _ = text_corpus(int(rng.integers(1 << 30)), 60)
    texts, _ = text_corpus(int(rng.integers(1 << 30)), 10)
    got = student.call("tfidf_features", train, texts, 30)
    want = reference.call("tfidf_features", train, texts, 30)
    checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-5, atol=1e-5,
                         name="tfidf_features(train, texts, 30) (TextVectorization tf_idf: counts x "
                              "log(1 + N / (1 + df)), vocabulary and idf from train only)")


@pytest.mark.points(3)
def test_text_model_accuracy_on_held_out_corpus(student, thresholds):
    # Fixed corpus seeds, as calibrated; the held-out labels never leave the judge.
    train, train_y = text_corpus(101, 600)
    test, test_y = text_corpus(202, 400)
    predicted = student.call("fit_predict_text", train, train_y, test)
    origin = getattr(predicted, "origin", type(predicted).__name__)
    if origin != "numpy.ndarray" or predicted.dtype != np.int64:
        raise checks.CheckFailed(f"fit_predict_text must return the predicted classes as an int64 NumPy array, got "
                                 f"{origin} of dtype {getattr(predicted, 'dtype', None)}")
    checks.assert_accuracy(np.asarray(predicted), test_y, thresholds["min_text_accuracy"],
                           name="accuracy of fit_predict_text on the held-out texts")


def _judge_learn_bpe(word_counts, num_merges):
    """Sennrich et al.'s reference procedure on space-separated symbol strings, ties to the smallest pair."""
    import collections
    import re

    vocab = {" ".join(word) + " </w>": count for word, count in word_counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = collections.Counter()
        for symbols, count in vocab.items():
            parts = symbols.split()
            for left, right in zip(parts, parts[1:], strict=False):
                pairs[left, right] += count
        if not pairs:
            break
        best = min(pairs.items(), key=lambda item: (-item[1], item[0]))[0]
        pattern = re.compile(r"(?<!\S)" + re.escape(" ".join(best)) + r"(?!\S)")
        vocab = {pattern.sub("".join(best), symbols): count for symbols, count in vocab.items()}
        merges.append(best)
    return merges


def _judge_bpe_encode(word, merges):
    ranks = {pair: rank for rank, pair in enumerate(merges)}
    parts = list(word) + ["</w>"]
    while True:
        candidates = [(ranks[pair], i) for i, pair in enumerate(zip(parts, parts[1:], strict=False)) if pair in ranks]
        if not candidates:
            return parts
        rank = min(candidates)[0]
        pair, merged, i = merges[rank], [], 0
        while i < len(parts):
            if i + 1 < len(parts) and (parts[i], parts[i + 1]) == tuple(pair):
                merged.append(parts[i] + parts[i + 1])
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged


def _judge_wordpiece(word, vocab, unk="[UNK]"):
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = ("##" if start else "") + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            return [unk]
    return pieces


def _morphology_corpus(rng):
    stems = ["".join(rng.choice(list("abcdeklmnoprstu"), size=int(rng.integers(2, 5)))) for _ in range(14)]
    suffixes = ["", "s", "er", "est", "ing", "ed", "ness"]
    counts = {}
    for stem in stems:
        for suffix in rng.choice(suffixes, size=3, replace=False):
            counts[stem + suffix] = counts.get(stem + suffix, 0) + int(rng.zipf(1.6) % 50) + 1
    return counts


@pytest.mark.points(2)
def test_bpe_merges_follow_the_frequency_rule(student, rng):
    counts = _morphology_corpus(rng)
    for merges_wanted in (12, 40):
        got = student.call("learn_bpe", counts, merges_wanted)
        got = [tuple(pair) for pair in got]
        want = _judge_learn_bpe(counts, merges_wanted)
        for k, (g, w) in enumerate(zip(got, want, strict=False)):
            assert g == w, (f"learn_bpe merge {k}: {g}, expected {w} (the most frequent adjacent pair weighted by "
                            "word counts, ties to the smallest (left, right), words end with '</w>')")
        assert len(got) == len(want), f"learn_bpe returned {len(got)} merges, expected {len(want)}"
    got = [tuple(pair) for pair in student.call("learn_bpe", {"ab": 3}, 5)]
    assert got == [("a", "b"), ("ab", "</w>")], (
        f"learn_bpe({{'ab': 3}}, 5): {got}; after two merges no pair is left, so it stops early with those two")


@pytest.mark.points(2)
def test_bpe_encode_and_wordpiece_segment_unseen_words(student, rng):
    counts = _morphology_corpus(rng)
    merges = _judge_learn_bpe(counts, 30)
    words = list(counts)[:6] + ["".join(rng.choice(list("abcdeklmnoprstuz"), size=int(rng.integers(3, 8))))
                                for _ in range(6)]
    for word in words:
        got = student.call("bpe_encode", word, [list(pair) for pair in merges])
        assert list(got) == _judge_bpe_encode(word, merges), (
            f"bpe_encode({word!r}): {list(got)}, expected {_judge_bpe_encode(word, merges)} (merge the "
            "earliest-learned pair present, repeatedly)")
    vocab = sorted({w[:k] for w in counts for k in range(1, len(w) + 1)} | {"##" + s for s in
                   ("s", "er", "est", "ing", "ed", "ness", "e", "n", "g", "d", "r", "t")})
    # Merge order decides the segmentation: ("b", "c") was learned before ("a", "b"), so "abc" is a | bc | </w>;
    # and a word merges all the way down to one symbol when the merges allow it.
    for word, merges_given, want in (("abc", [("b", "c"), ("a", "b")], ["a", "bc", "</w>"]),
                                     ("ab", [("a", "b"), ("ab", "</w>")], ["ab</w>"])):
        got = student.call("bpe_encode", word, [list(pair) for pair in merges_given])
        assert list(got) == want, (f"bpe_encode({word!r}, {merges_given}): {list(got)}, expected {want} (merge the "
                                   "earliest-learned pair present, repeatedly, until no learned pair is left)")
    for word in words + ["zzz"]:
        got = student.call("wordpiece_tokenize", word, vocab, "[UNK]")
        assert list(got) == _judge_wordpiece(word, set(vocab)), (
            f"wordpiece_tokenize({word!r}): {list(got)}, expected {_judge_wordpiece(word, set(vocab))} (greedy "
            "longest match first, '##' on continuation pieces, the whole word [UNK] when a position cannot match)")
