from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_assignment_and_statistics", points=1, hidden=False)
def test_assignment_and_statistics(assign_variant, two_proportion_ztest, wilson_interval):
    import numpy as np

    variants = [assign_variant(f"user{i}", "exp1", {"A": 0.5, "B": 0.5}) for i in range(2000)]
    assert variants == [assign_variant(f"user{i}", "exp1", {"A": 0.5, "B": 0.5}) for i in range(2000)]
    assert 0.45 < variants.count("A") / 2000 < 0.55
    z, p = two_proportion_ztest(120, 1000, 150, 1000)
    np.testing.assert_allclose([z, p], [-1.9630498, 0.0496404], atol=1e-6)
    np.testing.assert_allclose(wilson_interval(7, 40), [0.0874541, 0.3194999], atol=1e-6)
