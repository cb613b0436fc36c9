from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_partition_and_secure_sum", points=1, hidden=False)
def test_partition_and_secure_sum(dirichlet_partition, secure_aggregate, dp_aggregate):
    import numpy as np

    labels = np.repeat(np.arange(4), 25)
    parts = dirichlet_partition(labels, 5, 0.5, seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(100))
    updates = [np.array([0.5, -1.25]), np.array([1.0, 2.0]), np.array([-0.25, 0.0])]
    masked, total = secure_aggregate(updates, seed=1)
    assert np.allclose(total, [1.25, 0.75], atol=0)
    assert not np.allclose(np.asarray(masked[0], np.float64), np.round(updates[0] * 2**16))
    clipped, _ = dp_aggregate([np.array([3.0, 4.0])], 1.0, 0.0, seed=0)
    assert np.allclose(clipped[0], [0.6, 0.8])
