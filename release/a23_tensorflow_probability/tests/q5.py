from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_nuts_on_a_standard_normal", points=1, hidden=False)
def test_nuts_on_a_standard_normal(run_nuts):
    import numpy as np
    import tensorflow_probability as tfp

    target = tfp.distributions.MultivariateNormalDiag([0.0, 3.0], [1.0, 0.5])
    out = run_nuts(target.log_prob, np.zeros((2, 2), np.float32), num_results=200, num_burnin_steps=100, seed=(1, 2))
    samples = out["samples"].numpy()
    assert samples.shape == (200, 2, 2), "samples: (num_results, chains, D)"
    np.testing.assert_allclose(samples.reshape(-1, 2).mean(0), [0.0, 3.0], atol=0.25)
    assert tuple(out["ess"].shape) == (2,) and tuple(out["rhat"].shape) == (2,)
    assert np.all(out["rhat"].numpy() < 1.05), out["rhat"]
    assert out["step_size"] != 0.1, "the step size should be adapted"
