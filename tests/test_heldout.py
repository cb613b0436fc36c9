"""Disguised held-out rows: a model learns from them as before, a lookup in the readable dataset finds nothing."""

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from graders.heldout import disguise


def _split(x, y, seed=0):
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(0.7 * len(y))
    return order[:cut], order[cut:]


def test_a_model_learns_as_well_from_disguised_rows():
    for loader in (load_digits, load_breast_cancer):
        x, y = loader(return_X_y=True)
        tr, te = _split(x, y)
        plain = StandardScaler().fit(x[tr])
        before = LogisticRegression(max_iter=3000).fit(plain.transform(x[tr]), y[tr]).score(plain.transform(x[te]),
                                                                                             y[te])
        mixed = disguise(x, fit=x[tr], seed=11, keep_scales=True)
        scaler = StandardScaler().fit(mixed[tr])
        after = LogisticRegression(max_iter=3000).fit(scaler.transform(mixed[tr]), y[tr]).score(
            scaler.transform(mixed[te]), y[te])
        assert after >= before - 0.02, (loader.__name__, before, after)


def test_a_lookup_in_the_readable_dataset_labels_nothing():
    x, y = load_digits(return_X_y=True)
    tr, te = _split(x, y)
    mixed = disguise(x, fit=x[tr], seed=5)
    lookup = KNeighborsClassifier(n_neighbors=1).fit(x, y)  # every row of the dataset, with its label
    assert lookup.score(x[te], y[te]) == 1.0  # the undisguised rows: a perfect lookup
    chance = np.bincount(y[te]).max() / len(te)
    assert lookup.score(mixed[te], y[te]) < chance + 0.1
    scaled = StandardScaler().fit(x)
    lookup = KNeighborsClassifier(n_neighbors=1).fit(scaled.transform(x), y)
    assert lookup.score(StandardScaler().fit_transform(mixed[te]), y[te]) < chance + 0.1
    assert not np.isin(mixed[te].round(4), x.round(4)).all(axis=1).any()


def test_the_same_seed_maps_alike_and_kept_scales_stay_uneven():
    x = np.random.default_rng(0).normal(size=(50, 6))
    x = x * np.array([1e-3, 1e-2, 1, 10, 1e2, 4e3]) + np.array([0, 0, 5, 50, 500, 8000])
    first = disguise(x, fit=x[:30], seed=3, keep_scales=True)
    assert first.dtype == np.float32 and first.shape == x.shape
    np.testing.assert_array_equal(first, disguise(x, fit=x[:30], seed=3, keep_scales=True))
    assert not np.allclose(first, disguise(x, fit=x[:30], seed=4, keep_scales=True))
    # the original features' spreads, in another order: just as uneven
    np.testing.assert_allclose(np.sort(first[:30].std(axis=0)), np.sort(x[:30].std(axis=0)), rtol=0.5)
    assert (first.mean(axis=0) > 0).all()
