from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_score_script", points=1, hidden=False)
def test_score_script(export_model, score_py, azure_deployment, conda_yml):
    import json
    import os
    import tempfile

    import numpy as np
    import yaml

    r = np.random.default_rng(0)
    root = tempfile.mkdtemp()
    export_model([r.normal(size=(8, 4)), np.zeros(4), r.normal(size=(4, 3)), np.zeros(3)], root + "/model")
    os.environ["AZUREML_MODEL_DIR"] = root
    script = {}
    exec(score_py(), script)
    script["init"]()
    out = script["run"](json.dumps({"data": r.normal(size=(3, 8)).tolist()}))
    assert len(out["predictions"]) == 3 and len(out["probabilities"][0]) == 3
    assert "error" in script["run"]("not json")
    spec = azure_deployment("ep", "./model", "Standard_DS3_v2", 2)
    assert spec["endpoint_name"] == "ep" and spec["code_configuration"]["scoring_script"] == "score.py"
    assert "tensorflow==2.18.*" in str(yaml.safe_load(conda_yml()))
