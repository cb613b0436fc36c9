"""Hidden tests for A06 Q1: preprocessing layers (and the legacy feature-column equivalent)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

CITIES = ["Lyon", "Oslo", "Quito", "Perth", "Tunis", "Hanoi"]


def _data(rng, n_test=24):
    """Training and held-out features; the held-out ages come from another distribution."""
    counts = rng.permutation(np.arange(4, 4 + 3 * len(CITIES), 3))  # distinct counts: a defined vocabulary order
    cities = np.repeat(CITIES, counts)
    n = len(cities)
    boundaries = sorted(float(b) for b in rng.choice(np.arange(-10, 80, 5), size=4, replace=False))
    train = {"age": rng.normal(40, 12, size=(n, 1)).astype(np.float32),
             "city": rng.permutation(cities).reshape(n, 1),
             "income": rng.uniform(-20, 90, size=(n, 1)).astype(np.float32)}
    test_income = rng.uniform(-20, 90, size=n_test).astype(np.float32)
    test_income[: len(boundaries)] = boundaries  # values exactly on a boundary go to the upper bin
    test = {"age": rng.normal(65, 5, size=(n_test, 1)).astype(np.float32),
            "city": rng.choice(CITIES + ["Atlantis", "lyon"], size=(n_test, 1)),
            "income": test_income.reshape(n_test, 1)}
    return train, test, boundaries


def _expected(train, test, boundaries, oov_last=False):
    """The preprocessor's output, computed with NumPy in the judge."""
    age = train["age"].astype(np.float64)
    z = (test["age"] - age.mean()) / age.std()
    names, counts = np.unique(train["city"], return_counts=True)
    vocab = [str(v) for v in names[np.argsort(-counts, kind="stable")]]
    index = np.array([vocab.index(c) + 1 if c in vocab else 0 for c in test["city"][:, 0]])
    if oov_last:
        index = np.where(index == 0, len(vocab) + 1, index) - 1
    city = np.eye(len(vocab) + 1)[index]
    bins = np.searchsorted(np.asarray(boundaries, np.float32), test["income"][:, 0], side="right")
    income = np.eye(len(boundaries) + 1)[bins]
    return np.concatenate([z, city, income], axis=1).astype(np.float32), vocab, float(age.mean()), float(age.std())


@pytest.mark.points(3)
def test_preprocessor_output_matches_numpy(student, reference, rng):
    train, test, boundaries = _data(rng)
    want, _, _, _ = _expected(train, test, boundaries)
    got = student.probe("preprocessor_outputs", train, test, boundaries)
    ref = reference.probe("preprocessor_outputs", train, test, boundaries)
    checks.assert_tensor(ref["out"], want, rtol=1e-4, atol=1e-4, name="reference output")
    checks.assert_tensor(got["out"], want, expect="tensor", dtype="float32", rtol=1e-4, atol=1e-4,
                         name="build_preprocessor(train, boundaries)(test): columns are [standardized age, city "
                              "one-hot (column 0 = OOV, vocabulary most frequent first), income-bin one-hot]")


@pytest.mark.points(2)
def test_unseen_city_and_boundary_incomes(student, rng):
    train, test, boundaries = _data(rng)
    got = np.asarray(student.probe("preprocessor_outputs", train, test, boundaries)["out"])
    want, vocab, _, _ = _expected(train, test, boundaries)
    city = slice(1, 2 + len(vocab))
    unseen = ~np.isin(test["city"][:, 0], vocab)
    assert unseen.any()
    assert np.array_equal(got[unseen, city], want[unseen, city]), (
        "an unseen city (also 'lyon', lower-case) must set only the out-of-vocabulary column 0 of the city block")
    income = slice(2 + len(vocab), None)
    k = len(boundaries)
    assert np.array_equal(got[:k, income], want[:k, income]), (
        f"incomes exactly on the boundaries {boundaries} must fall in the upper bin, as "
        "tf.keras.layers.Discretization does ([0, 10) is bin 1 for boundaries [0, 10, ...])")


@pytest.mark.points(2)
def test_saved_keras_model_reloads_with_same_outputs(student, rng):
    train, test, boundaries = _data(rng, n_test=10)
    got = student.probe("preprocessor_outputs", train, test, boundaries)
    checks.assert_tensor(got["reloaded"], np.asarray(got["out"]), rtol=1e-6, atol=1e-6,
                         name="the model reloaded from a .keras file (keep all preprocessing inside the model)")


@pytest.mark.points(3)
def test_legacy_feature_columns_match_the_layers(student, reference, rng):
    train, test, boundaries = _data(rng)
    want, vocab, mean, std = _expected(train, test, boundaries, oov_last=True)
    got = student.probe("legacy_outputs", test, vocab, boundaries, mean, std)
    ref = reference.probe("legacy_outputs", test, vocab, boundaries, mean, std)
    checks.assert_tensor(ref, want, rtol=1e-4, atol=1e-4, name="reference legacy output")
    checks.assert_tensor(got, want, dtype="float32", rtol=1e-4, atol=1e-4,
                         name="DenseFeatures(legacy_feature_columns(...)) (columns sorted by name: age, city with "
                              "the OOV bucket last, income buckets)")


@pytest.mark.points(2)
def test_crossed_ids_hash_city_and_income_bucket_together(student, reference, rng):
    train, test, boundaries = _data(rng, n_test=60)
    city, income = test["city"][:, 0].tolist(), test["income"][:, 0]
    got = student.call("crossed_ids", city, income, boundaries, 64)
    checks.assert_tensor(got, reference.call("crossed_ids", city, income, boundaries, 64), expect="tensor",
                         dtype="int64", atol=0,
                         name="crossed_ids(city, income, boundaries, 64) (Discretization, then HashedCrossing of "
                              "(city, bucket))")
    ids = np.asarray(got)
    buckets = np.searchsorted(np.asarray(boundaries, np.float32), income, side="right")
    pairs = {}
    for key, value in zip(zip(city, buckets.tolist(), strict=True), ids.tolist(), strict=True):
        assert pairs.setdefault(key, value) == value, f"the pair {key} got two different ids"
    assert len(set(ids.tolist())) > len({c for c in city}), (
        "crossed_ids should depend on the income bucket too, not on the city alone")


@pytest.mark.points(2)
def test_embed_cities_shares_one_row_for_unseen_cities(student, reference, rng):
    train, test, _ = _data(rng, n_test=40)
    train_city, city = train["city"][:, 0].tolist(), test["city"][:, 0].tolist()
    seed = int(rng.integers(1000))
    got = np.asarray(student.call("embed_cities", train_city, city, 6, seed))
    assert got.shape == (40, 6), f"embed_cities should return (40, 6) vectors, got {got.shape}"
    known = [i for i, c in enumerate(city) if c in CITIES]
    unknown = [i for i, c in enumerate(city) if c not in CITIES]
    for group in ([i for i in known if city[i] == city[known[0]]], unknown):
        if len(group) > 1:
            checks.assert_tensor(got[group], np.broadcast_to(got[group[0]], got[group].shape), atol=0,
                                 name="rows of one city (and of all unseen cities, the out-of-vocabulary slot) "
                                      "must be identical")
    checks.assert_tensor(got, reference.call("embed_cities", train_city, city, 6, seed), dtype="float32", atol=1e-7,
                         name=f"embed_cities(..., embedding_dim=6, seed={seed}) (StringLookup adapted on train, then "
                              "Embedding with RandomUniform(-0.05, 0.05, seed))")
