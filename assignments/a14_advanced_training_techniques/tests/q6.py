from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_nt_xent_and_views", points=1, hidden=False)
def test_nt_xent_and_views(nt_xent, augment_pair):
    import math

    import numpy as np

    same = np.ones((4, 3), np.float32)
    assert abs(float(nt_xent(same, same, 0.5)) - math.log(7)) < 1e-4, "identical embeddings give log(2N - 1)"
    z = np.eye(4, dtype=np.float32)
    assert float(nt_xent(z, z, 0.1)) < 0.01, "matching orthogonal views give a loss near 0"
    x = np.random.default_rng(0).normal(size=(5, 32)).astype(np.float32)
    v1, v2 = augment_pair(x, 0)
    assert v1.shape == v2.shape == (5, 32) and not np.allclose(v1, v2)
