from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_energy_model", points=1, hidden=False)
def test_energy_model(operating_point_cost, choose_operating_point, exit_threshold):
    point = {"f_hz": 1e9, "v": 1.0, "p_leak_w": 0.1}
    cost = operating_point_cost(2e9, point, 1e-9, 2.0)
    assert abs(cost["latency_s"] - 1.0) < 1e-12 and abs(cost["energy_j"] - 2.1) < 1e-9, cost
    table = [{"f_hz": 5e8, "v": 0.8, "p_leak_w": 0.1}, point]
    assert choose_operating_point(2e9, 1.5, table, 1e-9, 2.0) == 1
    assert exit_threshold(0.0) < exit_threshold(1.0)
