from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_vertex_app_and_split", points=1, hidden=False)
def test_vertex_app_and_split(export_model, create_vertex_app, validate_traffic_split, parse_instances):
    import io
    import json
    import tempfile

    import numpy as np

    r = np.random.default_rng(0)
    path = export_model([r.normal(size=(8, 4)), np.zeros(4), r.normal(size=(4, 3)), np.zeros(3)],
                        tempfile.mkdtemp() + "/m")
    app = create_vertex_app(path)
    body = json.dumps({"instances": r.normal(size=(2, 8)).tolist()}).encode()
    status = []
    out = app({"PATH_INFO": "/predict", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body)}, lambda s, h: status.append(s))
    assert status[0].startswith("200"), status
    predictions = json.loads(b"".join(out))["predictions"]
    assert len(predictions) == 2 and abs(sum(predictions[0]["probabilities"]) - 1) < 1e-5
    validate_traffic_split({"a": 90, "b": 10})
    for bad in ({"a": 90}, {"a": 50.0, "b": 50}, {}):
        try:
            validate_traffic_split(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} should be refused")
