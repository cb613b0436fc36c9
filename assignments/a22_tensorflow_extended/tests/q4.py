from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_push_and_route", points=1, hidden=False)
def test_push_and_route(push_model, TrafficRouter, serve_request, canary_decision):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    class Double(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def __call__(self, x):
            return 2.0 * x

    base = os.path.join(tempfile.mkdtemp(), "model")
    assert push_model(Double(), base).endswith(os.sep + "1")
    assert push_model(Double(), base).endswith(os.sep + "2")
    assert sorted(os.listdir(base)) == ["1", "2"]
    router = TrafficRouter(1)
    router.start_canary(2, 50)
    served = {router.route(f"id{i}")["serve"] for i in range(100)}
    assert served == {1, 2}
    assert router.route("id7") == router.route("id7")
    router.promote()
    assert router.route("anyone")["serve"] == 2
    out = serve_request(base, router, "x", np.ones((1, 2), np.float32), {})
    np.testing.assert_allclose(out["outputs"], [[2.0, 2.0]])
    assert canary_decision({"requests": 100, "errors": 0, "p95_latency_ms": 10.0},
                           {"requests": 10, "errors": 5, "p95_latency_ms": 10.0}) == "rollback"
