from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_drift_and_delayed_labels", points=1, hidden=False)
def test_drift_and_delayed_labels(feature_drift, benjamini_hochberg, DelayedLabelMonitor):
    import numpy as np

    adj = benjamini_hochberg([0.01, 0.04, 0.03])
    assert np.allclose(adj, [0.03, 0.04, 0.04])
    rng = np.random.default_rng(0)
    ref = {"x": rng.normal(size=300).tolist(), "c": rng.choice(["a", "b"], 300).tolist()}
    cur = {"x": rng.normal(1.0, size=300).tolist(), "c": rng.choice(["a", "b"], 300).tolist()}
    out = feature_drift(ref, cur, ["c"])
    assert out["x"]["test"] == "ks" and out["x"]["drifted"] is True
    assert out["c"]["test"] == "chi2"
    mon = DelayedLabelMonitor()
    mon.log_prediction("r1", 1, 0.0)
    mon.log_prediction("r2", 0, 1.0)
    assert mon.log_label("r1", 1, 5.0) is True and mon.log_label("r1", 0, 6.0) is False
    assert mon.log_label("nope", 1, 6.0) is False
    m = mon.window_metrics(now=4.0, window_s=10.0)
    assert m["n_predictions"] == 2 and m["n_labeled"] == 0 and m["accuracy"] is None
    m = mon.window_metrics(now=6.0, window_s=10.0)
    assert m["n_labeled"] == 1 and m["accuracy"] == 1.0 and m["mean_label_delay_s"] == 5.0
