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


def _target_encoding(keys, targets, smoothing):
    """The judge's smoothed mean encoder, with pandas."""
    import pandas as pd

    frame = pd.DataFrame({"key": keys, "y": targets.astype(np.float64)})
    prior = frame["y"].mean()
    stats = frame.groupby("key")["y"].agg(["sum", "count"])
    return lambda queries: np.array([(stats["sum"].get(q, 0.0) + smoothing * prior) / (stats["count"].get(q, 0)
                                                                                     + smoothing) for q in queries])


@pytest.mark.points(3)
def test_target_encoding_is_smoothed_and_out_of_fold(student, rng):
    from sklearn.model_selection import KFold

    levels = [f"c{i}" for i in range(12)]
    weights = rng.dirichlet(np.full(12, 0.6))  # a few rare levels, where smoothing matters
    train = rng.choice(levels, size=int(rng.integers(80, 120)), p=weights)
    effect = {level: rng.normal() for level in levels}
    targets = (np.array([effect[v] for v in train]) + rng.normal(size=len(train)) > 0).astype(np.float64)
    held_out = np.concatenate([rng.choice(levels, size=15), ["never_seen", "c_unknown"]])
    for smoothing, folds, seed in ((10.0, 5, int(rng.integers(100))), (2.0, 3, int(rng.integers(100)))):
        got_train, got = student.call("target_encode", train.tolist(), targets.tolist(), held_out.tolist(),
                                      smoothing, folds, seed)
        checks.assert_tensor(got, _target_encoding(train, targets, smoothing)(held_out), dtype="float32",
                             rtol=1e-5, atol=1e-6,
                             name=f"target_encode(..., smoothing={smoothing}) of held-out values (all training "
                                  "rows' statistics; an unseen value gets the prior)")
        want_train = np.empty(len(train))
        for fit_rows, encode_rows in KFold(folds, shuffle=True, random_state=seed).split(train):
            encode = _target_encoding(train[fit_rows], targets[fit_rows], smoothing)
            want_train[encode_rows] = encode(train[encode_rows])
        checks.assert_tensor(got_train, want_train, dtype="float32", rtol=1e-5, atol=1e-6,
                             name=f"target_encode(..., smoothing={smoothing}, n_folds={folds}, seed={seed}) of the "
                                  "training rows (out-of-fold: each row encoded with the other folds' statistics)")
