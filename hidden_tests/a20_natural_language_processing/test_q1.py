"""Hidden tests for A20 Q1: text classification with TextVectorization (negation-sensitive, multi-label)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

POSITIVE = ["good", "great", "excellent", "amazing", "wonderful", "solid", "fine", "superb"]
NEGATIVE = ["bad", "awful", "terrible", "poor", "disappointing", "broken", "weak", "horrible"]
NEGATORS = ["not", "never", "hardly"]
INTENSIFIERS = ["very", "really", "quite", "truly"]
TOPICS = [["battery", "charge"], ["screen", "display"], ["price", "cost"], ["shipping", "delivery"]]
VERBS = ["is", "was", "seems", "felt"]
FILLERS = ["i bought it last week", "my friend has one", "it came in a box", "we use it daily"]
# Neutral filler that only the held-out split uses: unseen words that carry no label.
FILLERS_HELD_OUT = ["honestly speaking", "according to my cousin", "after a fortnight", "Overall, in summary"]


def reviews(rng, n, p_negated, held_out=False):
    """Template reviews: 1-2 clauses on topics, each an adjective, optionally negated and intensified.

    The sentiment label is the review's polarity; a negator flips the adjective's polarity, so a bag of words
    cannot tell "not bad" from "bad". Returns texts, sentiment ids [n], multi-hot topics [n, 4].
    """
    texts, sentiment, topics = [], [], []
    for _ in range(n):
        label = int(rng.integers(2))
        chosen = rng.choice(len(TOPICS), size=int(rng.integers(1, 3)), replace=False)
        clauses = []
        for t in chosen:
            negated = rng.random() < p_negated
            words = ["the", str(rng.choice(TOPICS[t])), str(rng.choice(VERBS))]
            if negated:
                words.append(str(rng.choice(NEGATORS)))
            if rng.random() < 0.4:
                words.append(str(rng.choice(INTENSIFIERS)))
            words.append(str(rng.choice(POSITIVE if (label == 1) != negated else NEGATIVE)))
            clauses.append(" ".join(words))
        if rng.random() < 0.5:
            filler = FILLERS_HELD_OUT if held_out else FILLERS
            clauses.insert(int(rng.integers(len(clauses) + 1)), str(rng.choice(filler)))
        text = " and ".join(clauses) + str(rng.choice([".", "!", ""]))
        texts.append(text.capitalize() if rng.random() < 0.3 else text)
        sentiment.append(label)
        hot = np.zeros(len(TOPICS), np.float32)
        hot[chosen] = 1.0
        topics.append(hot)
    return texts, np.asarray(sentiment), np.asarray(topics)


@pytest.mark.points(2)
def test_vectorizer_reserves_padding_and_oov_and_matches_the_reference(student, reference, rng):
    texts, _, _ = reviews(rng, 300, 0.3)
    probe_texts = reviews(rng, 12, 0.5, held_out=True)[0] + ["THE Battery, is NOT good!!", ""]
    got = student.probe("vectorize", texts, 40, 16, probe_texts)
    want = reference.probe("vectorize", texts, 40, 16, probe_texts)
    assert got["is_text_vectorization"], "make_vectorizer should return a tf.keras.layers.TextVectorization"
    vocabulary = got["vocabulary"]
    assert vocabulary[:2] == ["", "[UNK]"], (
        "id 0 must be the padding token '' and id 1 the OOV token '[UNK]' (TextVectorization's defaults)")
    checks.assert_value(len(vocabulary), len(want["vocabulary"]), name="vocabulary size (at most max_tokens)")
    checks.assert_value(vocabulary, want["vocabulary"],
                        name="vocabulary after adapt (lower-cased, punctuation stripped, sorted by frequency)")
    checks.assert_tensor(got["ids"], want["ids"], expect="array", atol=0,
                         name="token ids of held-out strings (unseen words -> 1, padded with 0 to seq_len)")


@pytest.mark.points(2)
@pytest.mark.parametrize("multilabel", [False, True])
def test_classifier_takes_raw_strings_and_has_the_right_head(student, rng, multilabel):
    texts, _, _ = reviews(rng, 200, 0.3)
    probe_texts = reviews(rng, 9, 0.5)[0]
    num_labels = 4 if multilabel else 3
    got = student.probe("classifier_structure", texts, num_labels, multilabel, probe_texts)
    outputs = np.asarray(got["outputs"])
    assert got["is_model"], "build_text_classifier should return a tf.keras.Model"
    checks.assert_value(list(outputs.shape), [len(probe_texts), num_labels],
                        name="output shape for a batch of raw strings")
    assert np.all(np.isfinite(outputs)) and np.all(outputs >= 0) and np.all(outputs <= 1), (
        "the model should output probabilities in [0, 1]")
    row_sums = outputs.sum(axis=1)
    if multilabel:
        assert got["activation"] == "sigmoid", (
            "a multi-label head needs independent probabilities: Dense(num_labels, activation='sigmoid')")
        assert not np.allclose(row_sums, 1.0, atol=1e-3), "multi-label outputs should not be a softmax"
    else:
        assert got["activation"] == "softmax", "a single-label head is Dense(num_labels, activation='softmax')"
        assert np.allclose(row_sums, 1.0, atol=1e-5), "single-label probabilities should sum to 1 per row"
    types = set(got["layer_types"])
    assert "TextVectorization" in types and "Embedding" in types, (
        "the model should start with the TextVectorization layer and an Embedding")


@pytest.mark.points(4)
def test_trained_classifier_reads_negations_on_held_out_reviews(student, thresholds, rng):
    texts, labels, _ = reviews(rng, 1500, 0.3)
    held_texts, held_labels, _ = reviews(rng, 500, 0.7, held_out=True)
    # Calibration of the split: a bag of words cannot read negation, so it fails on negation-heavy reviews.
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    bag = CountVectorizer().fit(texts)
    baseline = LogisticRegression(max_iter=1000).fit(bag.transform(texts), labels)
    assert np.mean(baseline.predict(bag.transform(held_texts)) == held_labels) <= 0.75
    probs = np.asarray(student.probe("train_and_predict", texts, labels, 2, False, held_texts))
    checks.assert_value(list(probs.shape), [len(held_texts), 2], name="shape of the trained model's probabilities")
    checks.assert_accuracy(probs.argmax(axis=1), held_labels, thresholds["min_negation_accuracy"],
                           name="sentiment accuracy on held-out, negation-heavy reviews (a bag of words gets ~0.3)")


@pytest.mark.points(2)
def test_trained_multilabel_classifier_tags_topics(student, thresholds, rng):
    texts, _, topics = reviews(rng, 1000, 0.3)
    held_texts, _, held_topics = reviews(rng, 400, 0.5, held_out=True)
    probs = np.asarray(student.probe("train_and_predict", texts, topics, 4, True, held_texts))
    checks.assert_value(list(probs.shape), [len(held_texts), 4], name="shape of the trained model's probabilities")
    from sklearn.metrics import f1_score
    macro_f1 = float(f1_score(held_topics, probs > 0.5, average="macro", zero_division=0))
    if macro_f1 < thresholds["min_topic_macro_f1"]:
        raise checks.CheckFailed("macro-F1 of the topic tags (threshold 0.5) on held-out reviews is too low: train "
                                 "with a sigmoid head and binary cross-entropy on the multi-hot labels",
                                 values=f"macro-F1 {macro_f1:.3f}")
