from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_garch_variance_and_kupiec", points=1, hidden=False)
def test_garch_variance_and_kupiec(garch11_variance, kupiec_pof):
    import numpy as np

    r = np.array([1.0, -2.0, 0.5])
    s = np.asarray(garch11_variance(np.array([0.1, 0.2, 0.7]), r))
    want = [5.25 / 3]
    for x in r:
        want.append(0.1 + 0.2 * x * x + 0.7 * want[-1])
    np.testing.assert_allclose(s, want, rtol=1e-6)
    lr, p = kupiec_pof(10, 1000, 0.99)
    assert abs(lr) < 1e-9 and abs(p - 1.0) < 1e-6, "10 violations in 1000 days is exactly the 1% rate"
