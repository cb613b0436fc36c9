from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_sampler_and_logits", points=1, hidden=False)
def test_sampler_and_logits(EpisodeSampler, prototypical_logits):
    import numpy as np

    x = np.arange(60, dtype=np.float32).reshape(30, 2)
    labels = np.repeat(np.arange(6), 5)
    xs, ys, xq, yq = EpisodeSampler(x, labels, 3, 2, 2, seed=0).sample()
    assert xs.shape == (6, 2) and xq.shape == (6, 2)
    assert list(ys) == [0, 0, 1, 1, 2, 2] and list(yq) == [0, 0, 1, 1, 2, 2]
    logits = prototypical_logits(np.array([[0.0, 0.0], [2.0, 0.0]], np.float32), np.array([0, 1]),
                                 np.array([[1.0, 1.0]], np.float32), 2)
    assert np.allclose(np.asarray(logits), [[-2.0, -2.0]])
