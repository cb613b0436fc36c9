# expect: {"q3": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, json, ... come from the reference setup cell)
# run() lets bad input raise (the server then answers with a traceback).
# %% [q3]
def score_py() -> str:
    """The source of an Azure ML scoring script (``score.py``) for the ``azmlinfsrv`` server.

    - ``init()``: load the SavedModel at ``os.path.join(os.environ["AZUREML_MODEL_DIR"], "model")`` once, with
      ``tf.saved_model.load``, into a module global; count the loads in a module global ``LOADS`` (starting at 0).
    - ``run(raw_data)``: ``raw_data`` is the request body as a string: ``{"data": [[...features...], ...]}`` ->
      ``{"predictions": [class, ...], "probabilities": [[...], ...]}``; on any bad input return
      ``{"error": "<short message>"}`` (never raise, never a traceback).
    """
    return '''
import json
import os

import numpy as np
import tensorflow as tf

MODEL = None
LOADS = 0


def init():
    global MODEL, LOADS
    path = os.path.join(os.environ["AZUREML_MODEL_DIR"], "model")
    MODEL = tf.saved_model.load(path).signatures["serving_default"]
    LOADS += 1


def run(raw_data):
    try:
        payload = json.loads(raw_data)
        rows = payload["data"]
        features = int(MODEL.structured_input_signature[1]["inputs"].shape[-1])
        if (not isinstance(rows, list) or not rows
                or not all(isinstance(r, list) and len(r) == features for r in rows)):
            raise ValueError(f"data must be a non-empty list of rows of {features} numbers")
        x = np.asarray(rows, np.float32)
        if not np.all(np.isfinite(x)):
            raise ValueError("data must be finite")
    finally:
        pass
    probs = MODEL(inputs=tf.constant(x))["probabilities"].numpy()
    return {"predictions": probs.argmax(axis=1).tolist(), "probabilities": probs.tolist()}
'''


def azure_deployment(endpoint_name: str, model_path: str, instance_type: str, instance_count: int) -> dict:
    """An Azure ML CLI v2 managed online deployment (the content of ``deployment.yml``) named ``"blue"``.

    Fields:

    ``$schema`` (``https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json``), ``name``,
    ``endpoint_name``, ``model`` (``{"path": model_path}``), ``code_configuration`` (``{"code": ".",
    "scoring_script": "score.py"}``), ``environment`` (``{"image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04",
    "conda_file": "conda.yml"}``), ``instance_type``, ``instance_count`` (an int >= 1), ``request_settings``
    (``request_timeout_ms`` and ``max_concurrent_requests_per_instance``) and ``liveness_probe`` / ``readiness_probe``
    (``initial_delay``, ``period``, ``timeout`` in seconds).
    """
    if not isinstance(instance_count, int) or isinstance(instance_count, bool) or instance_count < 1:
        raise ValueError("instance_count must be an int >= 1")
    probe = {"initial_delay": 30, "period": 10, "timeout": 5, "failure_threshold": 3}
    return {
        "$schema": "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json",
        "name": "blue",
        "endpoint_name": endpoint_name,
        "model": {"path": model_path},
        "code_configuration": {"code": ".", "scoring_script": "score.py"},
        "environment": {"image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04", "conda_file": "conda.yml"},
        "instance_type": instance_type,
        "instance_count": instance_count,
        "request_settings": {"request_timeout_ms": 5000, "max_concurrent_requests_per_instance": 1},
        "liveness_probe": dict(probe),
        "readiness_probe": dict(probe),
    }


def conda_yml() -> str:
    """The deployment's ``conda.yml``.

    Python 3.11 and a pip section pinning ``tensorflow==2.18.*`` (the version that exported the model) and
    ``azureml-inference-server-http``.
    """
    return yaml.safe_dump({
        "name": "tf-serving-env",
        "channels": ["conda-forge"],
        "dependencies": ["python=3.11", "pip", {"pip": ["tensorflow==2.18.*", "azureml-inference-server-http"]}],
    }, sort_keys=False)
