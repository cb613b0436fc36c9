"""The inspector: artefacts a worker exported, moved as bytes the judge never opens, read where no student code runs."""

import io
import tarfile

import numpy as np
import pytest

from graders import wire
from graders.checks import CheckFailed
from graders.judge.inspector import copy_artefact
from graders.judge.remote import Cell, Remote
from graders.judge.worker_process import WorkerConfig
from tests.conftest import requires_bwrap

pytestmark = requires_bwrap

STUDENT_CELLS = [Cell(0, '''
import os
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(3)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, activation="relu"),
                             tf.keras.layers.Dense(2)])
os.makedirs("exported", exist_ok=True)
model.save("exported/model.keras")
model.save("exported/saved")

class Sneaky(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def __call__(self, x):
        return tf.py_function(lambda t: t * 2.0, [x], tf.float32)

tf.saved_model.save(Sneaky(), "exported/sneaky")
os.symlink("/etc/hostname", "exported/link")
''')]

PROBES = '''
import os
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tensorflow as tf


def keras_predict(ns, path, x):
    return tf.keras.models.load_model(path, safe_mode=True)(x).numpy()


def serving_call(ns, path, x):
    serve = tf.saved_model.load(path).signatures["serving_default"]
    return list(serve(tf.constant(x)).values())[0].numpy()
'''


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    probes = tmp_path_factory.mktemp("probes") / "probes.py"
    probes.write_text(PROBES)
    config = WorkerConfig(assignment="a00_mini", probes=str(probes))
    student = Remote("student", config, STUDENT_CELLS, cell_timeout=90, call_timeout=60)
    inspector = Remote("inspector", config, [], cell_timeout=90, call_timeout=60)
    yield student, inspector
    student.close()
    inspector.close()


def test_a_keras_file_and_a_saved_model_give_the_student_models_outputs_in_the_inspector(workers):
    student, inspector = workers
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    want = student.call("model", wire.Tensor(x))
    for exported, probe in (("exported/model.keras", "keras_predict"), ("exported/saved", "serving_call")):
        path = copy_artefact(student, exported, inspector)
        assert path.startswith("/home/student/artefact-"), path
        np.testing.assert_allclose(inspector.probe(probe, path, x), want, rtol=1e-6, atol=1e-6)
    assert inspector.has("model") is False, "no student code runs in the inspector"


def test_graph_ops_are_read_from_the_protocol_buffer_and_outside_ops_are_named(workers):
    student, inspector = workers
    saved = copy_artefact(student, "exported/saved", inspector)
    ops = inspector.harness("artefact_ops", saved)
    assert ops.get("MatMul", 0) >= 1 and ops.get("Relu", 0) >= 1
    assert inspector.harness("artefact_outside_ops", saved) == []
    sneaky = copy_artefact(student, "exported/sneaky", inspector)
    assert inspector.harness("artefact_outside_ops", sneaky) == ["EagerPyFunc"]


def test_links_and_missing_paths_fail_the_check_with_a_message(workers):
    student, inspector = workers
    with pytest.raises(CheckFailed, match="link"):
        copy_artefact(student, "exported", inspector)
    with pytest.raises(CheckFailed, match="nothing was written"):
        copy_artefact(student, "exported/never_written.keras", inspector)


@pytest.mark.parametrize("member", ["../escape.txt", "/abs.txt", "top/../../escape.txt"])
def test_an_archive_that_points_outside_its_folder_is_refused(workers, member):
    _, inspector = workers
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(member)
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    data = np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy()
    with pytest.raises(wire.StudentException):
        inspector.harness("unpack_artefact", data)
