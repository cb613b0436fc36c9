from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_ece_temperature_decomposition", points=1, hidden=False)
def test_ece_temperature_decomposition(expected_calibration_error, fit_temperature, uncertainty_decomposition):
    import numpy as np

    probs = np.array([[0.75, 0.25]] * 4 + [[0.05, 0.95]] * 2, np.float32)
    labels = np.array([0, 0, 0, 1, 1, 1])
    # bin 7: confidence 0.75, accuracy 0.75; bin 9: confidence 0.95, accuracy 1.0 -> ECE = (2 / 6) * 0.05
    np.testing.assert_allclose(expected_calibration_error(probs, labels, 10), 0.05 / 3, atol=1e-6)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2000, 3))
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    y = (rng.uniform(size=(2000, 1)) > np.cumsum(p, 1)).sum(1)
    t = fit_temperature((2.0 * z).astype(np.float32), y)
    assert isinstance(t, float) and 1.7 < t < 2.3, f"logits 2x too sharp: expected T near 2, got {t}"
    out = uncertainty_decomposition(np.array([[[0.9, 0.1]], [[0.1, 0.9]]], np.float32))
    np.testing.assert_allclose(out["total"].numpy(), [np.log(2)], rtol=1e-5)
    np.testing.assert_allclose(out["epistemic"].numpy(), out["total"].numpy() - out["aleatoric"].numpy(), atol=1e-6)
