from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_losses_per_sample", points=1, hidden=False)
def test_losses_per_sample(BinaryFocalLoss, SmoothedCCE, Pinball):
    import numpy as np

    y = np.array([[1, 0], [0, 1], [1, 1]], np.int32)
    p = np.array([[0.9, 0.2], [0.3, 0.6], [0.5, 0.99]], np.float32)
    out = BinaryFocalLoss(reduction="none")(y, p).numpy()
    assert out.shape == (3,), "call must return one value per sample"
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    p_t = y * pc + (1 - y) * (1 - pc)
    a_t = y * 0.25 + (1 - y) * 0.75
    np.testing.assert_allclose(out, np.mean(-a_t * (1 - p_t) ** 2 * np.log(p_t), axis=-1), rtol=1e-5)
    onehot = np.eye(2, dtype=np.int64)[[0, 1, 1]]
    cce = SmoothedCCE(smoothing=0.1, reduction="none")(onehot, p / p.sum(1, keepdims=True)).numpy()
    assert cce.shape == (3,)
    e = np.array([[1.0], [-2.0]], np.float32)
    np.testing.assert_allclose(Pinball(q=0.9, reduction="none")(e, np.zeros_like(e)).numpy(), [0.9, 0.2], rtol=1e-6)
