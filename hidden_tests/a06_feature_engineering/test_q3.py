"""Hidden tests for A06 Q3: numerical normalization, statistics from the training split only."""

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q3")


def _split(rng, constant=True):
    """Training data with very different feature scales and a constant column; held-out data shifted."""
    n, f = int(rng.integers(40, 80)), 5
    scales = np.array([1e-2, 1.0, 30.0, 1e3, 1.0])
    train = (rng.standard_t(3, size=(n, f)) * scales + np.array([0, 5, -40, 2e3, 0])).astype(np.float32)
    if constant:
        train[:, 4] = 3.0  # constant: max == min and IQR == 0
    held_out = (rng.normal(2.0, 3.0, size=(n // 2, f)) * scales).astype(np.float32)
    return train, held_out


def _check(student, name, scaler, rng, rtol, atol, constant=True):
    train, held_out = _split(rng, constant)
    want = scaler.fit(train.astype(np.float64)).transform(held_out.astype(np.float64))
    checks.assert_tensor(student.call(name, train, held_out), want, expect="tensor", dtype="float32", rtol=rtol,
                         atol=atol, name=f"{name}(train, x) vs scikit-learn's {type(scaler).__name__} fitted on train")


@pytest.mark.points(2)
def test_standardize_matches_standard_scaler(student, rng):
    # No constant column here: Normalization divides by max(std, 1e-7) where StandardScaler divides by 1.
    _check(student, "standardize", StandardScaler(), rng, rtol=1e-3, atol=1e-3, constant=False)


@pytest.mark.points(1)
def test_minmax_scale_matches_minmax_scaler(student, rng):
    _check(student, "minmax_scale", MinMaxScaler(), rng, rtol=1e-4, atol=1e-4)


@pytest.mark.points(2)
def test_robust_scale_matches_robust_scaler(student, rng):
    _check(student, "robust_scale", RobustScaler(), rng, rtol=1e-4, atol=1e-4)


@pytest.mark.points(2)
def test_held_out_rows_do_not_change_the_statistics(student, rng):
    train, held_out = _split(rng, constant=False)
    outliers = (held_out[:3] * 1e3).astype(np.float32)
    for name in ("standardize", "minmax_scale", "robust_scale"):
        alone = np.asarray(student.call(name, train, held_out[:4]))
        with_outliers = np.asarray(student.call(name, train, np.concatenate([held_out[:4], outliers])))[:4]
        checks.assert_tensor(with_outliers, alone, rtol=1e-5, atol=1e-5,
                             name=f"{name}: the same held-out rows scaled alone and next to extreme rows (fit the "
                                  "statistics on train only, never on the data being transformed)")


def _skewed(rng, positive):
    n = int(rng.integers(50, 90))
    shapes = rng.uniform(0.4, 1.3, size=4)
    train = rng.lognormal(0.0, shapes, size=(n, 4))
    held_out = rng.lognormal(0.3, shapes * 1.2, size=(n // 2, 4))
    if not positive:  # heavy tails on both sides for Yeo-Johnson's negative branch
        train, held_out = train - np.median(train, axis=0) * 1.5, held_out - np.median(train, axis=0) * 1.5
    return train.astype(np.float32), held_out.astype(np.float32)


@pytest.mark.points(2)
def test_power_transforms_fit_lambda_by_maximum_likelihood_on_train(student, rng):
    for method, transform, llf, normmax in (
            ("box-cox", stats.boxcox, stats.boxcox_llf, lambda c: stats.boxcox_normmax(c, method="mle")),
            ("yeo-johnson", stats.yeojohnson, stats.yeojohnson_llf, stats.yeojohnson_normmax)):
        train, held_out = _skewed(rng, positive=method == "box-cox")
        got = student.call("power_transform", train, held_out, method)
        assert isinstance(got, (list, tuple)) and len(got) == 2, (
            f"power_transform(..., {method!r}) should return (transformed, lambdas), got {type(got).__name__}")
        lambdas = np.asarray(got[1], np.float64)
        assert lambdas.shape == (4,), f"one lambda per feature: expected shape (4,), got {lambdas.shape}"
        for j in range(4):
            column = train[:, j].astype(np.float64)
            best = normmax(column)
            # The student's lambda must be (nearly) as likely as SciPy's maximum: no held-out data in the fit.
            shortfall = llf(best, column) - llf(lambdas[j], column)
            assert abs(lambdas[j] - best) <= 0.02 or shortfall <= 1e-4, (
                f"{method} feature {j}: your lambda {lambdas[j]:.4f}, the maximum-likelihood lambda on train "
                f"{best:.4f} (log-likelihood lower by {shortfall:.4f}); fit lambda on the training column only")
        want = np.stack([transform(held_out[:, j].astype(np.float64), lmbda=lambdas[j]) for j in range(4)], axis=1)
        checks.assert_tensor(got[0], want, expect="tensor", dtype="float32", rtol=1e-4, atol=1e-4,
                             name=f"power_transform(train, x, {method!r}) against scipy.stats.{transform.__name__} "
                                  "of x with your lambdas")
    train, held_out = _skewed(rng, positive=False)
    checks.assert_raises(student.call, "power_transform", train, held_out, "box-cox", exc_type="ValueError")
    # Either side alone is enough: positive training data does not make a zero in x transformable, nor the reverse.
    train, held_out = _skewed(rng, positive=True)
    with_zero = held_out.copy()
    with_zero[0, 0] = 0.0
    checks.assert_raises(student.call, "power_transform", train, with_zero, "box-cox", exc_type="ValueError")
    negative_train = train.copy()
    negative_train[0, 1] = -1.0
    checks.assert_raises(student.call, "power_transform", negative_train, held_out, "box-cox", exc_type="ValueError")


@pytest.mark.points(2)
def test_quantile_transform_matches_quantile_transformer(student, rng):
    for n_quantiles, ties in ((100, False), (25, False), (100, True)):
        train, held_out = _split(rng, constant=False)
        if ties:
            train = np.round(train[:, :4] / np.array([1e-2, 1.0, 30.0, 1e3], np.float32)).astype(np.float32)
            held_out = np.round(held_out[:, :4] / np.array([1e-2, 1.0, 30.0, 1e3], np.float32)).astype(np.float32)
        want = QuantileTransformer(n_quantiles=min(n_quantiles, len(train))).fit(
            train.astype(np.float64)).transform(held_out.astype(np.float64))
        what = f"quantile_transform(train, x, n_quantiles={n_quantiles}){' on tied values' if ties else ''}"
        checks.assert_tensor(student.call("quantile_transform", train, held_out, n_quantiles), want, expect="tensor",
                             dtype="float32", rtol=1e-4, atol=1e-5,
                             name=f"{what} against scikit-learn's QuantileTransformer fitted on train")


@pytest.mark.points(3)
def test_numeric_model_accuracy_on_held_out_breast_cancer(student, thresholds):
    data = load_breast_cancer()
    order = np.random.default_rng(3).permutation(len(data.target))  # a fixed split, as calibrated
    n_train = int(0.6 * len(order))
    tr, te = order[:n_train], order[n_train:]
    # Mixed features on the raw features' own scales (0.001 to 4000): they still need normalising, and no row
    # can be looked up.
    x = disguise(data.data, fit=data.data[tr], seed=303, keep_scales=True)
    predicted = student.call("fit_predict_numeric", x[tr], data.target[tr].astype(np.int64), x[te])
    checks.assert_accuracy(np.asarray(predicted), data.target[te].astype(np.int64),
                           thresholds["min_cancer_accuracy"],
                           name="accuracy of fit_predict_numeric on held-out breast-cancer samples")
