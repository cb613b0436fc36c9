from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_rest_status_and_predict", points=1, hidden=False)
def test_rest_status_and_predict(serve, export_for_serving, ServableManager, mlp_from_weights):
    import json
    import tempfile
    import urllib.request

    import numpy as np

    r = np.random.default_rng(1)
    weights = [r.normal(size=(4, 3)), np.zeros(3), r.normal(size=(3, 2)), np.zeros(2)]
    base = tempfile.mkdtemp()
    export_for_serving(mlp_from_weights(weights), base, "toy", 2)
    manager = ServableManager(
        f'model_config_list {{ config {{ name: "toy" base_path: "{base}/toy" model_platform: "tensorflow" }} }}')
    handle = serve(manager)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        url = f"http://127.0.0.1:{handle.rest_port}/v1/models/toy"
        status = json.loads(opener.open(url, timeout=10).read())
        assert status["model_version_status"][0]["version"] == "2"
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        request = urllib.request.Request(url + ":predict", data=json.dumps({"inputs": [[1, 2, 3, 4]]}).encode())
        body = json.loads(opener.open(request, timeout=10).read())
        want = manager.predict("toy", {"inputs": np.array([[1, 2, 3, 4]], np.uint8)})
        np.testing.assert_array_equal(np.asarray(body["outputs"]["probabilities"], np.float32), want["probabilities"])
    finally:
        handle.stop()
