from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_bnn_is_stochastic_with_kl_terms", points=1, hidden=False)
def test_bnn_is_stochastic_with_kl_terms(build_bnn, predict_mc):
    import numpy as np
    import tensorflow_probability as tfp

    model = build_bnn(100)
    x = np.linspace(-1, 1, 8, dtype=np.float32)[:, None]
    dist = model(x)
    assert isinstance(dist, tfp.distributions.Distribution), "the model should output a distribution"
    assert len(model.losses) == 2, "each DenseFlipout layer adds one KL term to model.losses"
    out = predict_mc(model, x, n_samples=10)
    for key in ("mean", "epistemic_std", "aleatoric_std", "total_std"):
        assert tuple(out[key].shape) == (8,), f"{key} should have shape (8,)"
    np.testing.assert_allclose(out["total_std"].numpy() ** 2,
                               out["epistemic_std"].numpy() ** 2 + out["aleatoric_std"].numpy() ** 2, rtol=1e-4)
    assert np.all(out["epistemic_std"].numpy() > 0), "forward passes should differ (weights are sampled)"
