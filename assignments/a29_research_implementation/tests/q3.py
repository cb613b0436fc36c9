from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_power_and_holm", points=1, hidden=False)
def test_power_and_holm(required_n, holm):
    assert required_n(0.5) == 64
    out = holm([0.01, 0.04, 0.03])
    assert out["reject"] == [True, False, False]
    assert [round(p, 6) for p in out["adjusted"]] == [0.03, 0.06, 0.06]
