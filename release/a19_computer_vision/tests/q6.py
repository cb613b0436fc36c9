from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_gan_losses_and_fid", points=1, hidden=False)
def test_gan_losses_and_fid(discriminator_loss, generator_loss, frechet_distance):
    import numpy as np

    np.testing.assert_allclose(float(discriminator_loss(np.zeros(4, np.float32), np.zeros(4, np.float32))),
                               2 * np.log(2), rtol=1e-5)
    np.testing.assert_allclose(float(generator_loss(np.array([100.0], np.float32))), 0.0, atol=1e-6)
    s1, s2 = np.diag([4.0, 1.0]), np.diag([1.0, 9.0])
    # diagonal covariances: tr(S1 + S2 - 2 sqrt(S1 S2)) = (2 - 1)^2 + (1 - 3)^2
    np.testing.assert_allclose(frechet_distance(np.zeros(2), s1, np.ones(2), s2), 2 + 1 + 4, atol=1e-6)
