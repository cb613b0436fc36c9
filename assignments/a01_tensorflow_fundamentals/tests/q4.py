from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_running_stats_two_batches", points=1, hidden=False)
def test_running_stats_two_batches(RunningStats):
    import numpy as np

    rs = RunningStats(2)
    a = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    b = np.array([[5.0, 0.0]], np.float32)
    rs.update(a)
    rs.update(b)
    data = np.concatenate([a, b]).astype(np.float64)
    np.testing.assert_allclose(rs.mean.numpy(), data.mean(0), rtol=1e-12)
    np.testing.assert_allclose(rs.variance.numpy(), data.var(0), rtol=1e-12)
    assert float(rs.count.numpy()) == 3.0


@test_case(name="test_running_stats_variables", points=1, hidden=False)
def test_running_stats_variables(RunningStats):
    rs = RunningStats(3)
    assert len(rs.variables) == 3, "exactly three variables: count, mean, m2"
    assert len(rs.trainable_variables) == 0, "the variables must be non-trainable"
    assert all(v.dtype.name == "float64" for v in rs.variables), "use float64 variables"
