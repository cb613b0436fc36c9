from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_backends_agree_and_schedule", points=1, hidden=False)
def test_backends_agree_and_schedule(make_interpreter, predict, schedule_heterogeneous, tiny_mlp, to_tflite):
    import numpy as np

    model = tiny_mlp((8, 16, 3))
    content = to_tflite(model)
    x = np.random.default_rng(1).random((1, 8)).astype(np.float32)
    want = model(x).numpy()
    for backend in ("xnnpack", "builtin", "reference"):
        np.testing.assert_allclose(predict(make_interpreter(content, backend), x), want, atol=1e-5)
    tasks = [{"name": "a", "latency": {"cpu": 3.0, "npu": 1.0}}, {"name": "b", "latency": {"cpu": 2.0, "npu": None}}]
    got = schedule_heterogeneous(tasks, ["cpu", "npu"])
    assert got["assignment"] == {"a": "npu", "b": "cpu"} and got["makespan"] == 2.0, got
