"""Hidden tests for A03 Q3: porting a TF1 graph and its v1 Saver checkpoint to a TF2 tf.Module.

Both workers build the same TF1 graph from the same seed and save it with ``tf.compat.v1.train.Saver``.
The expected outputs are the TF1 Session's, computed in the reference worker; the student's module reads
the checkpoint its own worker wrote.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")


def _case(student, reference, rng, sizes, batch=6):
    seed = int(rng.integers(0, 2**20))
    x = rng.normal(size=(batch, sizes[0])).astype(np.float32)
    v1 = reference.probe("build_v1_checkpoint", sizes, seed, x=x)
    prefix = student.probe("build_v1_checkpoint", sizes, seed)["prefix"]
    return x, v1, prefix


@pytest.mark.points(3)
def test_migrated_mlp_matches_the_tf1_session(student, reference, rng):
    x, v1, prefix = _case(student, reference, rng, [6, 10, 4])
    got = student.probe("migrated_outputs", prefix, x)
    checks.assert_tensor(got["probs"], v1["probs"], expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="MigratedMLP(prefix)(x) compared with the TF1 Session's probs")


@pytest.mark.points(2)
def test_migrated_mlp_takes_depth_and_sizes_from_the_checkpoint(student, reference, rng):
    sizes = [int(rng.integers(3, 9)), int(rng.integers(5, 40)), int(rng.integers(5, 20)), int(rng.integers(2, 6))]
    x, v1, prefix = _case(student, reference, rng, sizes)
    got = student.probe("migrated_outputs", prefix, x)
    checks.assert_tensor(got["probs"], v1["probs"], expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name=f"probs of a 3-layer TF1 MLP with sizes {sizes} (read the layer count and every "
                              "shape from the checkpoint; hard-code nothing)")


@pytest.mark.points(2)
def test_migrated_mlp_creates_its_variables_once(student, reference, rng):
    sizes = [5, 12, 3]
    x, _, prefix = _case(student, reference, rng, sizes)
    got = student.probe("migrated_outputs", prefix, x)
    assert got["is_tf_module"], "MigratedMLP must subclass tf.Module"
    assert got["n_trainable"] == 4, (
        f"MigratedMLP has {got['n_trainable']} trainable variables; it should hold exactly the 2 kernels and "
        "2 biases (leave global_step out)")
    assert got["n_variables_after_calls"] == got["n_variables"], (
        "calling the module created new variables: create them once, in __init__, never inside __call__")
    checks.assert_value(got["variable_shapes"], [[3], [5, 12], [12], [12, 3]],
                        name="shapes of the module's trainable variables")


def test_v1_variable_shapes_lists_every_checkpoint_variable(student, reference, rng):
    sizes = [int(rng.integers(2, 9)), int(rng.integers(2, 9)), int(rng.integers(2, 9))]
    _, v1, prefix = _case(student, reference, rng, sizes, batch=1)
    got = student.call("v1_variable_shapes", prefix)
    want = reference.call("v1_variable_shapes", v1["prefix"])
    checks.assert_value(got, want, name="v1_variable_shapes(prefix)")


@pytest.mark.points(2)
def test_export_migrated_reloads_as_a_saved_model(student, reference, rng):
    x, v1, prefix = _case(student, reference, rng, [4, 7, 3])
    got = student.probe("saved_model_roundtrip", prefix, x)
    assert got["has_saved_model_pb"], "export_migrated must write a SavedModel (saved_model.pb) to export_dir"
    checks.assert_tensor(got["reloaded"], v1["probs"], expect="tensor", dtype="float32", rtol=1e-5, atol=1e-6,
                         name="tf.saved_model.load(export_dir)(x)")


def test_migrated_mlp_does_not_run_the_tf1_graph(student, reference, rng):
    x, v1, prefix = _case(student, reference, rng, [6, 8, 3])
    # A working answer first, so that a stub that calls nothing cannot pass.
    checks.assert_tensor(student.probe("migrate_only", prefix, x), v1["probs"], expect="tensor", dtype="float32",
                         rtol=1e-5, atol=1e-6, name="MigratedMLP(prefix)(x)")
    student.probe("import_v1_training")
    checks.assert_no_forbidden_calls(
        student, "probes.migrate_only", [prefix, x],
        forbidden=["tf.compat.v1.Session.__init__", "tf.compat.v1.train.Saver.restore",
                   "tf.compat.v1.train.import_meta_graph"],
        why="port the model to TF2: read the checkpoint with tf.train.load_checkpoint instead of running TF1",
    )
