from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_dtw_small_example", points=1, hidden=False)
def test_dtw_small_example(dtw, soft_dtw):
    import numpy as np

    a = np.array([[0.0], [1.0], [2.0]])
    b = np.array([[0.0], [2.0]])
    assert abs(float(dtw(a, b)) - 1.0) < 1e-12, "the best path pairs 1 with 0 or 2 (cost 1)"
    assert abs(float(dtw(a, a))) < 1e-12
    assert float(soft_dtw(a, b, gamma=1.0)) < 1.0, "soft-DTW is below DTW (the soft minimum is below the minimum)"
