"""Hidden tests for A15 Q4: TPU readiness without a TPU.

A fallback that really tries the TPU entry points, the TPU path itself against recording fakes, and
the properties a TPU needs that can be checked honestly on a CPU: static shapes, no retracing, an
XLA step lowered to HLO with bfloat16 matmuls, the mixed_bfloat16 policy with a float32 output, and
steps_per_execution seen in how often Keras returns to Python. "It compiles" alone proves nothing.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _data(rng, n, d=8, classes=3):
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.integers(0, classes, size=n).astype(np.int64)
    return x, y


def _weights(rng, d=8, hidden=16, classes=3):
    return [rng.normal(0, 1 / np.sqrt(d), (d, hidden)).astype(np.float32), np.zeros(hidden, np.float32),
            rng.normal(0, 1 / np.sqrt(hidden), (hidden, classes)).astype(np.float32), np.zeros(classes, np.float32)]


def test_falls_back_cleanly_without_a_tpu(student):
    got = student.probe("fallback_strategy")
    assert not got["is_tpu"], "resolve_strategy() returned a TPUStrategy on a machine without a TPU"
    assert got["type"] == "MirroredStrategy" and got["replicas"] == len(got["devices"]), (
        f"without a TPU, resolve_strategy() should fall back to a MirroredStrategy over the {len(got['devices'])} "
        f"logical devices; got a {got['type']} with {got['replicas']} replica(s)")


@pytest.mark.points(2)
def test_tpu_path_calls_the_entry_points_in_order(student):
    got = student.probe("mocked_tpu_path", "local")
    want = [["resolver", "local"], ["connect", True], ["initialize", True], ["strategy", True]]
    assert got["calls"] == want, (
        f"with a TPU present, resolve_strategy('local') should call TPUClusterResolver(tpu='local'), "
        f"tf.config.experimental_connect_to_cluster(resolver), tf.tpu.experimental.initialize_tpu_system(resolver) "
        f"and tf.distribute.TPUStrategy(resolver), in this order; the calls were {got['calls']}")
    assert got["returned_tpu_strategy"], "resolve_strategy must return the TPUStrategy it created"


@pytest.mark.points(2)
def test_static_dataset_has_static_shapes_and_never_retraces(student, rng):
    x, y = _data(rng, 100)
    got = student.probe("static_dataset_info", x, y, 16)
    assert got["shapes"] == [[16, 8], [16]], (
        f"make_static_dataset(100 examples, global_batch=16) has element shapes {got['shapes']}; expected "
        "[[16, 8], [16]] (batch with drop_remainder=True so the batch dimension is static)")
    assert got["dtypes"] == ["float32", "int32"], f"element dtypes are {got['dtypes']}; expected float32 and int32"
    checks.assert_value(got["num_batches"], 6, name="number of batches (100 // 16; the incomplete batch dropped)")
    checks.assert_tensor(got["x"], x[:96], rtol=0, atol=0, name="the dataset's features (in order, no shuffling)")
    checks.assert_tensor(got["y"], y[:96].astype(np.int32), rtol=0, atol=0, name="the dataset's labels")
    assert got["extra_traces"] == 0, (
        f"an XLA training step traced {got['extra_traces']} more time(s) over one epoch of your dataset after its "
        "first call; every batch must have the same static shape")


@pytest.mark.points(2)
def test_bf16_policy_with_float32_output(student):
    got = student.probe("bf16_info", 8, 16, 3)
    assert got["global_policy_after"] == "float32", (
        f"build_bf16_model left the global policy at {got['global_policy_after']!r}; set the layers' dtype "
        "policies, or restore the global policy to float32")
    assert len(got["compute"]) == 2, f"expected 2 Dense layers with weights, found {len(got['compute'])}"
    assert got["compute"][0] == "bfloat16", (
        f"the hidden layer computes in {got['compute'][0]}; use the 'mixed_bfloat16' policy")
    assert got["variables"] == ["float32", "float32"] and set(got["weight_dtypes"]) == {"float32"}, (
        f"variables should stay float32 under mixed_bfloat16; got {got['variables']} / {got['weight_dtypes']}")
    assert got["compute"][1] == "float32" and got["output_dtype"] == "float32", (
        f"the output layer computes in {got['compute'][1]} and returns {got['output_dtype']}; give it "
        "dtype='float32' so the logits and the loss are float32")


@pytest.mark.points(2)
def test_xla_step_is_compiled_static_and_trains(student, reference, rng):
    x, y = _data(rng, 150)
    weights = _weights(rng)
    got = student.probe("xla_step_run", x, y, weights, 32)
    want = reference.probe("xla_step_run", x, y, weights, 32)
    assert got["is_tf_function"], "make_xla_train_step must return a tf.function"
    assert got["jit_compile"], "the step must be a tf.function(jit_compile=True)"
    assert got["extra_traces"] == 0, (
        f"the step traced {got['extra_traces']} more time(s) over batches of one shape after its first call; "
        "capture the model and optimizer instead of passing them, and pass tensors only")
    assert got["hlo_has_bf16"], "the step's HLO has no bfloat16 values: the model should compute in bfloat16"
    assert not got["hlo_dynamic"], "the step's HLO has dynamic (bounded) shapes"
    checks.assert_value(got["losses"], want["losses"], rtol=2e-2, atol=1e-3,
                        name="losses of the XLA step over 4 batches (mean sparse cross-entropy from float32 logits)")
    assert len(got["weights"]) == len(want["weights"]), f"the model should have {len(want['weights'])} weight arrays"
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        # bfloat16 matmuls: the tolerance is bfloat16's, far below one SGD(0.1) step's change.
        checks.assert_tensor(g, w, dtype="float32", rtol=2e-2, atol=2e-3,
                             name=f"weight {i} after 4 XLA steps of SGD(0.1) (each call applies one update)")


def test_compiled_with_steps_per_execution_and_no_loss_scaling(student, reference, rng):
    x, y = _data(rng, 128)
    weights = _weights(rng)
    got = student.probe("spe_run", x, y, weights, 16, 4, 2)
    want = reference.probe("spe_run", x, y, weights, 16, 4, 2)
    checks.assert_value(got["steps_per_execution"], 4, name="the model's steps_per_execution")
    assert got["jit_compile"], "compile the model with jit_compile=True"
    assert not got["loss_scale"], "bfloat16 needs no loss scaling: do not wrap the optimizer in a LossScaleOptimizer"
    checks.assert_value(got["batch_callbacks"], want["batch_callbacks"],
                        name="batches after which Keras returned to Python (8 steps per epoch, 4 per execution)")
    checks.assert_value(got["loss"], want["loss"], rtol=1e-4, atol=1e-5, name="fit loss per epoch (Adam(lr))")
