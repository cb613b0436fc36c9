"""Hidden tests for A20 Q4: question answering (best-span decoding, span loss, SQuAD EM/F1, TF-IDF retrieval)."""

import collections
import re
import string

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q4")


# The official SQuAD v1.1 evaluation, as the judge's ground truth.
def official_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def official_f1(prediction, gold):
    p, g = official_normalize(prediction).split(), official_normalize(gold).split()
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def brute_best_span(start, end, max_len):
    best = None
    for s in range(len(start)):
        for e in range(s, min(len(start), s + max_len)):
            if best is None or start[s] + end[e] > best[2]:
                best = (s, e, start[s] + end[e])
    return best


@pytest.mark.points(3)
def test_best_span_equals_brute_force_under_the_length_limit(student, rng):
    for n, max_len in ((12, 3), (30, 5), (7, 10), (1, 4), (25, 1)):
        start, end = rng.normal(size=n), rng.normal(size=n)
        end[: n // 3] += 3.0      # tempt an end before the start
        got = student.call("best_span", start, end, max_len)
        want = brute_best_span(start, end, max_len)
        checks.assert_value([int(got[0]), int(got[1])], [want[0], want[1]],
                            name=f"best span (s <= e < s + {max_len}) over {n} positions")
        checks.assert_value(float(got[2]), float(want[2]), rtol=1e-9, atol=1e-12, name="its score")
    start = np.zeros(6)
    end = np.zeros(6)
    got = student.call("best_span", start, end, 3)
    checks.assert_value([int(got[0]), int(got[1])], [0, 0], name="tie-break (first span in (s, e) order)")
    # (2, 2) and (0, 1) both score 3; the longer span comes first in (s, e) order, though it is found later.
    got = student.call("best_span", np.array([1.0, 0.0, 3.0]), np.array([0.0, 2.0, 0.0]), 3)
    checks.assert_value([int(got[0]), int(got[1])], [0, 1], name="tie-break between spans of different lengths")


@pytest.mark.points(3)
def test_squad_normalization_and_em_f1_follow_the_official_script(student):
    texts = ["The Eiffel Tower!", "  an apple, a day ", "Theatre of the absurd", "A.B.C. and an 'ant'", "the",
             "Mary's   kitchen.", "THE END", "anthem of a nation"]
    for text in texts:
        checks.assert_value(student.call("squad_normalize", text), official_normalize(text),
                            name=f"squad_normalize({text!r}) (lower, strip punctuation, drop articles, squeeze spaces)")
    cases = [("the kitchen", ["Kitchen", "garden"]), ("in the kitchen", ["kitchen"]),
             ("blue red car", ["red car", "blue cars"]), ("garden", ["the garden.", "a yard"]),
             ("the", ["a"]), ("mary went home", ["John went home", "home"]), ("x y x", ["x x y y"])]
    for prediction, golds in cases:
        em, f1 = student.call("squad_em_f1", prediction, golds)
        want_em = max(float(official_normalize(prediction) == official_normalize(g)) for g in golds)
        want_f1 = max(official_f1(prediction, g) for g in golds)
        checks.assert_value([float(em), float(f1)], [want_em, want_f1], rtol=1e-9, atol=1e-12,
                            name=f"(EM, F1) of {prediction!r} against {golds!r} (maximum over golds)")


NAMES = ["mary", "john", "sandra", "daniel", "fred", "bill", "julie", "emma", "oliver", "lucas"]
PLACES = ["kitchen", "garden", "office", "bedroom", "hallway", "bathroom", "cellar", "attic", "park", "school"]
OBJECTS = ["apple", "football", "milk", "book", "key", "box", "lamp", "hat", "pen", "ball", "cup", "shoe"]


def corpus(rng, n):
    facts = set()
    while len(facts) < n:
        facts.add((str(rng.choice(NAMES)), str(rng.choice(OBJECTS)), str(rng.choice(PLACES))))
    facts = sorted(facts)
    rng.shuffle(facts)
    passages = [f"{name} picked up the {obj}. then {name} went to the {place}." for name, obj, place in facts]
    return facts, passages


@pytest.mark.points(3)
def test_tfidf_retrieval_ranks_like_tfidf_cosine_without_sklearn(student, thresholds, rng):
    facts, passages = corpus(rng, 200)
    vectorizer = TfidfVectorizer(token_pattern=r"\w+", lowercase=True, smooth_idf=True, norm="l2")
    matrix = vectorizer.fit_transform(passages)
    hits, asked = 0, 0
    for i in rng.choice(len(passages), size=25, replace=False):
        name, obj, place = facts[i]
        question = f"Where did {name.capitalize()} go with the {obj} and the {place}?"
        got = [int(j) for j in student.call("tfidf_retrieve", question, passages, 3)]
        sims = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
        want = [int(j) for j in np.argsort(-sims, kind="stable")[:3]]
        checks.assert_value(len(set(got)), 3, name="number of distinct passages returned for k=3")
        if not np.allclose(sims[got], sims[want], atol=1e-9):
            raise checks.CheckFailed("the top-3 passages are not the 3 highest TF-IDF cosine similarities (raw "
                                     "count x (ln((1+N)/(1+df)) + 1), L2-normalised)",
                                     values=f"returned {got}, expected {want}")
        hits += int(got[0] == i)
        asked += 1
    checks.assert_accuracy(np.array([1] * hits + [0] * (asked - hits)), np.ones(asked),
                           thresholds["min_retrieval_recall"], name="recall@1 on the 200-passage corpus")
    student.probe("import_ground_truth_libraries")
    checks.assert_no_forbidden_calls(
        student, "probes.retrieve", ["where is the apple", passages, 3],
        ["sklearn.feature_extraction.text.TfidfVectorizer.fit",
         "sklearn.feature_extraction.text.TfidfVectorizer.transform",
         "sklearn.feature_extraction.text.CountVectorizer.fit_transform",
         "sklearn.feature_extraction.text.TfidfTransformer.fit", "sklearn.metrics.pairwise.cosine_similarity"],
        why="build the TF-IDF vectors yourself with NumPy or TensorFlow ops")


@pytest.mark.points(2)
def test_span_loss_is_masked_cross_entropy_with_the_reference_gradient(student, reference, rng):
    batch, length = 5, 11
    start, end = rng.normal(size=(batch, length)), rng.normal(size=(batch, length))
    context = np.zeros((batch, length), bool)
    for b in range(batch):
        context[b, int(rng.integers(2, 5)): int(rng.integers(7, length + 1))] = True
    starts = np.array([int(rng.choice(np.flatnonzero(row))) for row in context])
    ends = np.array([int(rng.choice(np.flatnonzero(row[s:]))) + s for row, s in zip(context, starts, strict=False)])

    def masked_ce(logits, positions):
        z = np.where(context, logits, -np.inf)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -log_p[np.arange(batch), positions]

    want = np.mean((masked_ce(start, starts) + masked_ce(end, ends)) / 2)
    args = [Tensor(start), Tensor(end), Tensor(context), Tensor(starts.astype(np.int32)), Tensor(ends.astype(np.int32))]
    got = student.call("span_loss", *args)
    checks.assert_tensor(got, np.asarray(want), expect="tensor", rtol=1e-6, atol=1e-8,
                         name="span loss (mean of the start and end cross-entropies over context positions)")
    moved = start + np.where(context, 0.0, rng.normal(0, 30, size=start.shape))
    again = student.call("span_loss", Tensor(moved), *args[1:])
    checks.assert_tensor(again, np.asarray(want), expect="tensor", rtol=1e-6, atol=1e-8,
                         name="span loss when only question/padding logits change (should not change)")
    checks.assert_gradients(student, reference, "span_loss", args, wrt=(0, 1), rtol=1e-6, atol=1e-9)
