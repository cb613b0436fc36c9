from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_pareto_front", points=1, hidden=False)
def test_pareto_front(pareto_front, run_local_automl):
    points = [(0.9, 100), (0.95, 300), (0.9, 50), (0.8, 10), (0.95, 300), (0.7, 200)]
    assert list(pareto_front(points, (True, False))) == [1, 2, 3, 4]
    assert list(pareto_front([(1, 1)], (False, False))) == [0]
