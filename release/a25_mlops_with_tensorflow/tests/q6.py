from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_latency_and_paired_tests", points=1, hidden=False)
def test_latency_and_paired_tests(latency_summary, windowed_throughput, mcnemar_test, paired_bootstrap):
    import numpy as np

    s = latency_summary([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s["count"] == 5 and s["p50"] == 3.0 and s["max"] == 100.0 and abs(s["p90"] - 61.6) < 1e-9
    assert windowed_throughput([0.5, 1.0, 1.5, 2.0, 9.0], now=2.0, window_s=2.0) == 2.0
    y = np.array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1])
    a = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 1])
    b = np.array([0, 1, 1, 0, 0, 1, 0, 1, 0, 1])
    stat, p = mcnemar_test(y, a, b)
    assert stat == 0.0 and abs(p - 0.125) < 1e-12
    out = paired_bootstrap(y, a, b, n_boot=500, seed=1)
    assert abs(out["diff"] - 0.4) < 1e-12 and out["lo"] <= out["diff"] <= out["hi"]
