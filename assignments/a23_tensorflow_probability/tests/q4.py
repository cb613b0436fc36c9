from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_mean_field_on_a_known_gaussian", points=1, hidden=False)
def test_mean_field_on_a_known_gaussian(fit_mean_field, elbo):
    import numpy as np
    import tensorflow_probability as tfp

    target = tfp.distributions.MultivariateNormalDiag([1.0, -2.0], [0.5, 2.0])
    q = fit_mean_field(target.log_prob, 2, num_steps=400, seed=(1, 2))
    assert isinstance(q, tfp.distributions.Distribution), "return the fitted surrogate distribution"
    draws = q.sample(20000, seed=(3, 4)).numpy()
    np.testing.assert_allclose(draws.mean(0), [1.0, -2.0], atol=0.1)
    np.testing.assert_allclose(draws.std(0), [0.5, 2.0], rtol=0.1)
    value = elbo(target.log_prob, q, 4096, (5, 6))
    assert isinstance(value, float) and -0.05 < value <= 0.02, f"the target is normalized: ELBO ~ 0, got {value}"
