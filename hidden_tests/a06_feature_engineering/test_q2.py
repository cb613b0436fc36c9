"""Hidden tests for A06 Q2: categorical encodings (one-hot, ordinal, hashing, multi-hot) and a model on them."""

import numpy as np
import pytest
from sklearn.datasets import load_wine

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q2")

WORDS = ["red", "green", "blue", "amber", "teal", "ochre", "plum", "sand", "jade", "rust"]


def _wine_tokens(split_seed):
    """Wine measurements, mixed and binned into quartiles of the training split: purely categorical features."""
    data = load_wine()
    order = np.random.default_rng(split_seed).permutation(len(data.target))
    n_train = int(0.6 * len(order))
    tr, te = order[:n_train], order[n_train:]
    # Binned after a random mixing of the measurements, so that no token row can be looked up in the readable dataset.
    mixed = disguise(data.data, fit=data.data[tr], seed=split_seed + 101)
    edges = np.percentile(mixed[tr], [25, 50, 75], axis=0)
    bins = np.stack([np.searchsorted(edges[:, j], mixed[:, j], side="right") for j in range(mixed.shape[1])], axis=1)
    names = [f"mix{j}" for j in range(mixed.shape[1])]
    tokens = np.array([[f"{names[j]}=q{b}" for j, b in enumerate(row)] for row in bins])
    return tokens[tr], data.target[tr].astype(np.int64), tokens[te], data.target[te].astype(np.int64)


@pytest.mark.points(2)
def test_one_hot_and_ordinal(student, rng):
    vocab = list(rng.choice(WORDS, size=5, replace=False))
    values = rng.choice(WORDS, size=30)
    got = student.call("one_hot_encode", values, vocab)
    index = np.array([vocab.index(v) + 1 if v in vocab else 0 for v in values])
    checks.assert_tensor(got, np.eye(len(vocab) + 1, dtype=np.float32)[index], expect="tensor", dtype="float32",
                         atol=0, name=f"one_hot_encode(values, {vocab}) (column 0 is the OOV slot)")
    order = ["poor", "fair", "good", "excellent"]
    levels = rng.choice(order + ["unknown", "Good"], size=20)
    want = np.array([order.index(v) if v in order else -1 for v in levels], np.int64)
    checks.assert_tensor(student.call("ordinal_encode", levels, order), want, expect="tensor", dtype="int64", atol=0,
                         name=f"ordinal_encode(values, {order}) (unknown levels give -1)")


@pytest.mark.points(2)
def test_hash_encode_is_farmhash_and_stable_across_processes(student, reference, rng):
    values = np.array([f"user_{int(i)}" for i in rng.integers(0, 10**6, size=40)])
    bins = int(rng.integers(50, 1000))
    got = student.call("hash_encode", values, bins)
    want = reference.call("hash_encode", values, bins)
    checks.assert_tensor(got, want, expect="tensor", dtype="int64", atol=0,
                         name=f"hash_encode(values, {bins}) (use tf.keras.layers.Hashing, not Python's hash())")
    student.kill()  # a new process: Python's str hash would be salted differently
    checks.assert_tensor(student.call("hash_encode", values, bins), want, expect="tensor", dtype="int64", atol=0,
                         name="hash_encode in a new process (buckets must not change between processes)")


def test_multi_hot_ids(student, rng):
    vocab = [int(v) for v in rng.choice(np.arange(100, 200), size=6, replace=False)]
    ids = rng.choice(vocab + [7, 999], size=(12, 3)).astype(np.int64)
    ids[0] = -1
    want = np.zeros((12, len(vocab) + 1), np.float32)
    for i, row in enumerate(ids):
        for v in row:
            want[i, vocab.index(v) + 1 if v in vocab else 0] = 1
    checks.assert_tensor(student.call("multi_hot_ids", ids, vocab), want, expect="tensor", dtype="float32", atol=0,
                         name=f"multi_hot_ids(ids, {vocab}) (column 0 = out of vocabulary)")


@pytest.mark.points(5)
def test_categorical_model_accuracy_on_held_out_wine(student, thresholds):
    # A fixed split: the calibrated threshold belongs to it. The held-out labels stay here.
    train_x, train_y, test_x, test_y = _wine_tokens(split_seed=2)
    predicted = student.call("fit_predict_categorical", train_x, train_y, test_x)
    checks.assert_accuracy(np.asarray(predicted), test_y, thresholds["min_wine_accuracy"],
                           name="accuracy of fit_predict_categorical on held-out wine samples")
