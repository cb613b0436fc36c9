from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_gram_tv_adain", points=1, hidden=False)
def test_gram_tv_adain(gram_matrix, total_variation_loss, adain):
    import numpy as np

    f = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
    np.testing.assert_allclose(np.asarray(gram_matrix(f))[0], f[0].reshape(4, 3).T @ f[0].reshape(4, 3) / 4,
                               rtol=1e-6)
    img = np.zeros((1, 3, 3, 1), np.float32)
    img[0, 1, 1, 0] = 1.0
    np.testing.assert_allclose(float(total_variation_loss(img)), 4.0, rtol=1e-6)
    c = np.random.default_rng(0).normal(size=(1, 4, 4, 2)).astype(np.float32)
    s = np.random.default_rng(1).normal(3.0, 2.0, size=(1, 5, 5, 2)).astype(np.float32)
    out = np.asarray(adain(c, s))
    np.testing.assert_allclose(out.mean((1, 2)), s.mean((1, 2)), atol=1e-4)
