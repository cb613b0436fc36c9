from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_pacing_and_batches", points=1, hidden=False)
def test_pacing_and_batches(pacing, curriculum_batches, self_paced_weights):
    import math

    import numpy as np

    assert abs(pacing(50, 100, 0.1, "linear") - 0.55) < 1e-9
    assert abs(pacing(50, 100, 0.1, "root") - math.sqrt(0.5 * 0.99 + 0.01)) < 1e-9
    assert pacing(200, 100, 0.1, "exp") == 1.0
    scores = np.arange(100, dtype=np.float32)[::-1]  # example 99 is the easiest
    batches = curriculum_batches(scores, 10, 8, "linear", 0.1)
    assert batches.shape == (10, 8)
    assert set(batches[0].tolist()) <= set(range(90, 100)), "step 0 draws from the 10 easiest examples"
    np.testing.assert_array_equal(np.asarray(self_paced_weights(np.array([0.1, 2.0, 0.5]), 1.0)), [1.0, 0.0, 1.0])
