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


@test_case(name="test_flow_is_a_normalized_density", points=1, hidden=False)
def test_flow_is_a_normalized_density(fit_flow):
    import numpy as np
    import tensorflow_probability as tfp

    # A correlated Gaussian target: the flow must at least fit this, and its log_prob must match its samples.
    target = tfp.distributions.MultivariateNormalTriL([0.5, -1.0], [[1.0, 0.0], [0.8, 0.6]])
    q = fit_flow(target.log_prob, 2, num_steps=300, seed=(1, 2))
    assert isinstance(q, tfp.distributions.Distribution) and hasattr(q, "bijector"), (
        "return the fitted TransformedDistribution")
    draws = q.sample(4000, seed=(3, 4))
    np.testing.assert_allclose(draws.numpy().mean(0), [0.5, -1.0], atol=0.15)
    gap = float(np.mean(target.log_prob(draws) - q.log_prob(draws)))
    assert -0.2 < gap <= 0.02, f"the target is normalized: the ELBO should be close to 0 and at most 0, got {gap:.3f}"
