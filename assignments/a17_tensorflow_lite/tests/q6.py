from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_benchmark_helpers", points=1, hidden=False)
def test_benchmark_helpers(latency_stats, measure_latency, measure_throughput, make_tflite_runner):
    import numpy as np

    stats = latency_stats([1.0, 2.0, 3.0, 4.0])
    assert stats["mean"] == 2.5 and abs(stats["std"] - np.std([1, 2, 3, 4])) < 1e-12 and stats["p50"] == 2.5
    ticks = iter([0.0, 0.001, 1.0, 1.003])
    out = measure_latency(lambda: None, runs=2, warmup=1, timer=lambda: next(ticks))
    assert abs(out["mean"] - 2.0) < 1e-9 and abs(out["max"] - 3.0) < 1e-9, out
    ticks = iter([10.0, 12.0])
    assert abs(measure_throughput(lambda: None, 8, iterations=5, timer=lambda: next(ticks)) - 20.0) < 1e-9
