# expect: {"q2": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, json, ... come from the reference setup cell)
# input_fn only knows JSON; text/csv requests fail.
# %% [q2]
def inference_py() -> str:
    """The source of ``code/inference.py`` for a SageMaker model (the handlers of the ``sagemaker-inference`` toolkit).

    - ``model_fn(model_dir)``: load (with ``tf.saved_model.load``) the highest numeric version folder under
      ``model_dir`` that holds a ``saved_model.pb``; return an object ``predict_fn`` can use.
    - ``input_fn(input_data, content_type)``: ``application/json`` (``{"instances": [[...], ...]}``, ``str`` or
      ``bytes``) or ``text/csv`` (one instance per line, no header) -> float32 ``(n, features)``; any other type raises
      ``ValueError`` with "unsupported content type" in its message.
    - ``predict_fn(data, model)``: probabilities, ``(n, classes)``.
    - ``output_fn(prediction, accept)``: ``application/json`` -> ``(json.dumps({"predictions": [[...], ...]}),
      "application/json")``; ``text/csv`` -> ``(lines of comma-joined probabilities, "text/csv")``; other accept types
      raise ``ValueError``.
    """
    return '''
import csv
import io
import json
import os

import numpy as np
import tensorflow as tf


def model_fn(model_dir):
    versions = [int(d) for d in os.listdir(model_dir)
                if d.isdigit() and os.path.isfile(os.path.join(model_dir, d, "saved_model.pb"))]
    if not versions:
        raise FileNotFoundError(f"no numeric version folder with a saved_model.pb in {model_dir}")
    loaded = tf.saved_model.load(os.path.join(model_dir, str(max(versions))))
    return loaded.signatures["serving_default"]


def input_fn(input_data, content_type):
    if isinstance(input_data, (bytes, bytearray)):
        input_data = input_data.decode("utf-8")
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        payload = json.loads(input_data)
        rows = payload["instances"] if isinstance(payload, dict) else payload
    else:
        raise ValueError(f"unsupported content type {content_type!r}")
    x = np.asarray(rows, np.float32)
    if x.ndim != 2:
        raise ValueError("expected a list of instances")
    return x


def predict_fn(data, model):
    return model(inputs=tf.constant(data))["probabilities"].numpy()


def output_fn(prediction, accept):
    accept = (accept or "application/json").split(";")[0].strip().lower()
    if accept == "application/json":
        return json.dumps({"predictions": np.asarray(prediction).tolist()}), "application/json"
    if accept == "text/csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\\n").writerows(np.asarray(prediction).tolist())
        return out.getvalue(), "text/csv"
    raise ValueError(f"unsupported accept type {accept!r}")
'''


def build_model_tarball(saved_model_dir: str, out_path: str, version: int = 1, requirements: str = "") -> str:
    """Write SageMaker's ``model.tar.gz`` (gzip) with relative member names only.

    Layout::

        <version>/saved_model.pb, <version>/variables/...   the SavedModel at saved_model_dir
        code/inference.py                                   inference_py()
        code/requirements.txt                               requirements

    Returns ``out_path``.
    """
    def add_text(tar, name, text):
        data = text.encode("utf-8")
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(out_path, "w:gz") as tar:
        tar.add(saved_model_dir, arcname=str(int(version)))
        add_text(tar, "code/inference.py", inference_py())
        add_text(tar, "code/requirements.txt", requirements)
    return out_path


def split_for_batch_transform(records: list, max_payload_bytes: int) -> list:
    """Split records for SageMaker batch transform with ``SplitType=Line``.

    Group records (strings, one line each) in order into mini-batches whose payload (the records' UTF-8 bytes joined
    with newlines) is at most ``max_payload_bytes``; never cut a record; raise ``ValueError`` if one record alone is
    larger. Returns a list of lists of records.
    """
    batches, current, size = [], [], 0
    for record in records:
        n = len(record.encode("utf-8"))
        if n > max_payload_bytes:
            raise ValueError(f"a record of {n} bytes exceeds the payload limit of {max_payload_bytes}")
        added = n if not current else size + 1 + n
        if current and added > max_payload_bytes:
            batches.append(current)
            current, added = [], n
        current.append(record)
        size = added
    if current:
        batches.append(current)
    return batches
