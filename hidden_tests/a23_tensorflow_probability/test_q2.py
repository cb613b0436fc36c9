"""Hidden tests for A23 Q2: a Bayesian neural network with Flipout layers (KL terms, MC prediction, uncertainty)."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

N_TRAIN = 256
EPOCHS = 150


def _noise_sd(x):
    return 0.05 + 0.1 * (x + 1.0)           # heteroscedastic: 0.05 at x = -1, 0.25 at x = 1


def _data(rng, n):
    x = rng.uniform(-1, 1, size=(n, 1)).astype(np.float32)
    y = x[:, 0] ** 3 - 0.5 * x[:, 0] + _noise_sd(x[:, 0]) * rng.normal(size=n)
    return x, y.astype(np.float32)[:, None]


@pytest.fixture(scope="module")
def trained(student):
    """One training run shared by the tests below: fixed data and seed, the held-out targets stay here."""
    rng = np.random.default_rng(2323)
    x, y = _data(rng, N_TRAIN)
    x_test, y_test = _data(rng, 500)
    grid = np.linspace(-3, 3, 61, dtype=np.float32)[:, None]
    out = student.probe("bnn_fit_predict", x, y, grid, x_test, EPOCHS, 0)
    return {"grid_x": grid[:, 0], "grid": out["grid"], "test": out["test"], "y_test": y_test[:, 0]}


def _column(result, key, n, name):
    assert isinstance(result, dict) and key in result, f"{name} should be a dict with the key {key!r}"
    checks.assert_tensor(result[key], np.zeros(n, np.float32), expect="tensor", dtype="float32", atol=np.inf,
                         name=f"{name}[{key!r}]")
    return np.asarray(result[key], np.float64)


@pytest.mark.points(2)
def test_flipout_layers_add_kl_scaled_by_n_train(student, rng):
    x = rng.uniform(-1, 1, size=(16, 1)).astype(np.float32)
    got = student.probe("bnn_structure", 200, x, int(rng.integers(1, 2**30)))
    assert got["is_distribution"], "the model's output should be a tfd.Distribution (end with a DistributionLambda)"
    assert got["n_bayesian_layers"] >= 2, (
        f"expected two tfp.layers.DenseFlipout layers, found the layers {got['layer_types']}")
    assert got["n_losses"] == got["n_bayesian_layers"], (
        f"model.losses should hold one KL term per Flipout layer ({got['n_bayesian_layers']}), "
        f"it holds {got['n_losses']}")
    checks.assert_value(got["loss_sum"], got["manual_kl"] / 200, rtol=1e-4, atol=1e-6,
                        name="sum(model.losses) for n_train=200 (should be KL(posterior || prior) / n_train)")
    assert not np.allclose(got["mean_1"], got["mean_2"]), (
        "two calls of the model on the same input gave the same output: the weights should be sampled on every call")


def test_predict_mc_follows_the_law_of_total_variance(student, rng):
    x = rng.uniform(-2, 2, size=(20, 1)).astype(np.float32)
    got = student.probe("bnn_predict_untrained", 100, x, 30, int(rng.integers(1, 2**30)))
    keys = ("mean", "epistemic_std", "aleatoric_std", "total_std")
    cols = {k: _column(got, k, 20, "predict_mc(model, x)") for k in keys}
    checks.assert_tensor(cols["total_std"] ** 2, cols["epistemic_std"] ** 2 + cols["aleatoric_std"] ** 2,
                         rtol=1e-4, atol=1e-6, name="total_std^2 (should be epistemic_std^2 + aleatoric_std^2)")
    assert np.all(cols["epistemic_std"] > 0), "epistemic_std is 0 somewhere: sample the weights on every call"
    assert np.all(cols["aleatoric_std"] > 0), "aleatoric_std should be sqrt(mean of the predicted variances) > 0"


@pytest.mark.points(3)
def test_epistemic_uncertainty_grows_off_the_data(trained, thresholds):
    x = trained["grid_x"]
    epistemic = _column(trained["grid"], "epistemic_std", len(x), "predict_mc")
    inside, outside = epistemic[np.abs(x) <= 1].mean(), epistemic[np.abs(x) >= 2].mean()
    ratio = outside / max(inside, 1e-12)
    assert ratio >= thresholds["min_epistemic_ratio"], (
        f"trained on x in [-1, 1], the mean epistemic std at |x| in [2, 3] ({outside:.3f}) should be at least "
        f"{thresholds['min_epistemic_ratio']}x the one inside the data ({inside:.3f}); it is {ratio:.1f}x")


@pytest.mark.points(2)
def test_aleatoric_std_tracks_the_true_noise(trained, thresholds):
    x = trained["grid_x"]
    aleatoric = _column(trained["grid"], "aleatoric_std", len(x), "predict_mc")
    inside = np.abs(x) <= 1
    corr = float(np.corrcoef(aleatoric[inside], _noise_sd(x[inside]))[0, 1])
    assert corr >= thresholds["min_aleatoric_corr"], (
        f"inside the data the true noise sd grows linearly from 0.05 to 0.25; the correlation of aleatoric_std with "
        f"it is {corr:.2f}, below {thresholds['min_aleatoric_corr']} (does the output scale depend on x?)")


@pytest.mark.points(2)
def test_held_out_negative_log_likelihood(trained, thresholds):
    mean = _column(trained["test"], "mean", 500, "predict_mc")
    total = _column(trained["test"], "total_std", 500, "predict_mc")
    y = trained["y_test"]
    nll = float(np.mean(0.5 * np.log(2 * np.pi * total ** 2) + 0.5 * ((y - mean) / total) ** 2))
    assert nll <= thresholds["max_test_nll"], (
        f"held-out Gaussian NLL with the predictive mean and total_std is {nll:.3f}, above "
        f"{thresholds['max_test_nll']} (train on -log_prob with the KL terms; 150 epochs, Adam(0.02))")
