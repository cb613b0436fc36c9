from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_sliced_metrics_and_fairness", points=1, hidden=False)
def test_sliced_metrics_and_fairness(binary_metrics, evaluate_slices, fairness_metrics):
    labels = [0, 0, 1, 1, 1, 0]
    scores = [0.1, 0.6, 0.6, 0.9, 0.3, 0.2]
    m = binary_metrics(labels, scores, 0.5)
    assert m["example_count"] == 6 and abs(m["accuracy"] - 4 / 6) < 1e-12
    assert abs(m["precision"] - 2 / 3) < 1e-12 and abs(m["recall"] - 2 / 3) < 1e-12
    assert abs(m["auc"] - 7.5 / 9) < 1e-12, "tied scores count one half"
    out = evaluate_slices(labels, scores, {"g": ["a", "a", "a", "b", "b", "b"]}, [[], ["g"]])
    assert sorted(out) == ["Overall", "g:a", "g:b"]
    assert out["g:a"]["example_count"] == 3
    fair = fairness_metrics(labels, scores, ["a", "a", "a", "b", "b", "b"])
    assert abs(fair["demographic_parity_difference"] - 1 / 3) < 1e-12
