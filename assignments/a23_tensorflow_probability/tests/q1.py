from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_blr_model_and_bijector", points=1, hidden=False)
def test_blr_model_and_bijector(make_blr_model, blr_posterior, make_positive_bijector, shifted_lognormal):
    import numpy as np
    import tensorflow_probability as tfp

    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32)
    model = make_blr_model(X, prior_scale=1.0, noise_scale=0.5)
    assert isinstance(model, tfp.distributions.JointDistribution), "return a tfd.JointDistribution"
    draw = model.sample(4, seed=1)
    assert draw._fields == ("w", "y"), "with a known noise the variables are w and y"
    assert tuple(draw.w.shape) == (4, 2) and tuple(draw.y.shape) == (4, 3)
    w, y = np.zeros(2, np.float32), np.zeros(3, np.float32)
    want = 2 * (-0.5 * np.log(2 * np.pi)) + 3 * (-0.5 * np.log(2 * np.pi) - np.log(0.5))
    np.testing.assert_allclose(model.log_prob(w=w, y=y).numpy(), want, rtol=1e-5)
    mean, cov = blr_posterior(X, np.array([1.0, 2.0, 3.0]), 1.0, 0.5)
    np.testing.assert_allclose(cov.numpy(), np.linalg.inv(X.T @ X / 0.25 + np.eye(2)), rtol=1e-8)
    bij = make_positive_bijector(1.0, 2.0)
    np.testing.assert_allclose(bij.forward(np.float32(0.0)).numpy(), 3.0, rtol=1e-6)
    dist = shifted_lognormal(0.0, 1.0, 2.0)
    np.testing.assert_allclose(dist.log_prob(np.float32(3.0)).numpy(), -0.5 * np.log(2 * np.pi), rtol=1e-5)
