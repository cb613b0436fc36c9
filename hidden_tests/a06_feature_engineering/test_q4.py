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
