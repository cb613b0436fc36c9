from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_metrics_drift_and_alert", points=1, hidden=False)
def test_metrics_drift_and_alert(ServingMetrics, instrument, psi, ks_2sample, ThresholdAlert):
    import numpy as np
    import prometheus_client

    registry = prometheus_client.CollectorRegistry()
    metrics = ServingMetrics(registry)
    ticks = iter([0.0, 0.02])
    wrapped = instrument(lambda x: x + 1, metrics, "toy", 1, clock=lambda: next(ticks))
    assert wrapped(1) == 2
    assert registry.get_sample_value("serving_requests_total", {"model": "toy", "version": "1", "status": "ok"}) == 1
    assert registry.get_sample_value("serving_request_latency_seconds_bucket", {"model": "toy", "le": "0.025"}) == 1
    r = np.random.default_rng(3)
    a = r.normal(size=2000)
    assert psi(a, a) < 1e-9 and psi(a, a + 1.0) > 0.1
    d, p = ks_2sample(a, a + 1.0)
    assert 0.3 < d < 0.5 and p < 1e-10
    rule = ThresholdAlert(0.5, 10)
    assert [rule.update(t, v) for t, v in [(0, 1), (5, 1), (10, 1), (11, 0)]] == [
        "pending", "pending", "firing", "inactive"]
