from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_ewma_first_values", points=1, hidden=False)
def test_ewma_first_values(ewma_chart):
    import numpy as np

    z, lcl, ucl = ewma_chart(np.array([1.0, 0.0, 2.0]), 0.5, 3.0, 0.0, 1.0)
    np.testing.assert_allclose(np.asarray(z), [0.5, 0.25, 1.125])
    np.testing.assert_allclose(np.asarray(ucl)[0], 3.0 * np.sqrt(0.5 / 1.5 * (1 - 0.25)))
    np.testing.assert_allclose(np.asarray(lcl), -np.asarray(ucl))


@test_case(name="test_cusum_alarms_on_a_shift", points=1, hidden=False)
def test_cusum_alarms_on_a_shift(cusum):
    import numpy as np

    x = np.r_[np.zeros(10), np.full(10, 2.0)]
    cp, cm, alarms = cusum(x, 0.0, 1.0, k=0.5, h=4.0)
    assert np.asarray(alarms).astype(bool).nonzero()[0].tolist()[0] == 12, "C+ grows by 1.5 a step after the shift"
    assert float(np.asarray(cm).max()) == 0.0
