"""Hidden tests for A05 Q3: a text pipeline (standardize, vocabulary with OOV, pad and mask)."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")

_WORDS = ["data", "pipeline", "tensor", "batch", "token", "model", "shard", "queue", "image", "audio", "frame",
          "graph", "value", "cache", "mask"]
_PUNCT = [",", ".", "!", "?", ";", ":", "'s", "-", "(", ")", '"']


def _corpus(rng, n, unknown=0.0):
    texts = []
    for _ in range(n):
        words = []
        for _ in range(int(rng.integers(0, 14))):
            if rng.random() < unknown:
                word = "zz" + "".join(rng.choice(list("qxjkv"), size=3))
            else:
                word = str(rng.choice(_WORDS[: int(rng.integers(4, len(_WORDS) + 1))]))
            if rng.random() < 0.3:
                word = word.upper() if rng.random() < 0.5 else word.capitalize()
            if rng.random() < 0.25:
                word += str(rng.choice(_PUNCT))
            words.append(word)
        texts.append((" " * int(rng.integers(1, 3))).join(words) + ("\t" if rng.random() < 0.2 else ""))
    return texts


def test_standardize_lowercases_strips_punctuation_and_splits(student, reference, rng):
    texts = _corpus(rng, 12) + ["", "  ...  ", "Don't STOP-me now!"]
    checks.assert_value(student.probe("standardize_probe", texts), reference.probe("standardize_probe", texts),
                        name="standardize(texts) tokens")


@pytest.mark.points(2)
def test_vocabulary_order_and_size(student, reference, rng):
    texts = _corpus(rng, 40)
    for max_tokens in (int(rng.integers(5, 9)), 100):
        got = student.call("build_vocab", texts, max_tokens)
        want = reference.call("build_vocab", texts, max_tokens)
        checks.assert_value(list(got) if isinstance(got, tuple) else got, want,
                            name=f"build_vocab(texts, max_tokens={max_tokens}) ([PAD], [UNK], then count "
                                 "descending, ties alphabetical)")


@pytest.mark.points(3)
def test_ids_masks_oov_and_post_padding(student, reference, rng):
    texts = _corpus(rng, 30, unknown=0.25) + [""]
    labels = [int(v) for v in rng.integers(0, 3, size=len(texts))]
    vocab = reference.call("build_vocab", _corpus(rng, 40), int(rng.integers(6, 12)))
    max_len, batch = int(rng.integers(5, 9)), int(rng.integers(4, 8))
    got = student.probe("text_probe", texts, labels, vocab, max_len, batch)
    want = reference.probe("text_probe", texts, labels, vocab, max_len, batch)
    checks.assert_value(got["spec"], want["spec"], name="text_pipeline element_spec ([shape, dtype])")
    checks.assert_value(got["batch_sizes"], want["batch_sizes"], name="text_pipeline batch sizes")
    for path, what in (("0/ids", "ids (unknown words -> 1, post-padding with 0, truncation keeps the first "
                                 "max_len tokens)"), ("0/mask", "mask (True at real tokens)"), ("1", "labels")):
        checks.assert_tensor(got["values"][path], want["values"][path], expect="array", atol=0, name=what)


def test_pipeline_runs_inside_a_tf_function(student, reference, rng):
    texts, labels = _corpus(rng, 9, unknown=0.2), list(range(9))
    vocab = reference.call("build_vocab", texts, 8)
    checks.assert_value(student.probe("text_pipeline_in_graph", texts, labels, vocab, 6, 4),
                        reference.probe("text_pipeline_in_graph", texts, labels, vocab, 6, 4),
                        name="sum of all ids when the dataset is iterated inside a tf.function")
