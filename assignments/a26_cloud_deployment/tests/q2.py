from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_tarball_and_handlers", points=1, hidden=False)
def test_tarball_and_handlers(export_model, build_model_tarball, inference_py, split_for_batch_transform):
    import json
    import tarfile
    import tempfile

    import numpy as np

    r = np.random.default_rng(0)
    tmp = tempfile.mkdtemp()
    path = export_model([r.normal(size=(8, 4)), np.zeros(4), r.normal(size=(4, 3)), np.zeros(3)], tmp + "/m")
    names = tarfile.open(build_model_tarball(path, tmp + "/model.tar.gz", 2)).getnames()
    assert "2/saved_model.pb" in names and "code/inference.py" in names, names
    handlers = {}
    exec(inference_py(), handlers)
    tarfile.open(tmp + "/model.tar.gz").extractall(tmp + "/opt_ml_model", filter="data")
    model = handlers["model_fn"](tmp + "/opt_ml_model")
    x = handlers["input_fn"](json.dumps({"instances": r.normal(size=(2, 8)).tolist()}), "application/json")
    body, content_type = handlers["output_fn"](handlers["predict_fn"](x, model), "application/json")
    assert content_type == "application/json" and len(json.loads(body)["predictions"]) == 2
    assert split_for_batch_transform(["ab", "cd", "e"], 5) == [["ab", "cd"], ["e"]]
