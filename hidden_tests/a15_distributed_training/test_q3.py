"""Hidden tests for A15 Q3: pipeline stages on their devices, micro-batching equals full-batch training, and a
Megatron-style tensor-parallel MLP equals the dense one, gradients included."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")

SIZES = [7, 12, 10, 4]
STAGE_DEVICES = ["/device:CPU:1", "/device:CPU:3", "/device:CPU:2"]
N, MICRO, LR = 30, 4, 0.2  # micro-batches of 8, 8, 7, 7


def _weights(rng):
    out = []
    for a, b in zip(SIZES[:-1], SIZES[1:], strict=True):
        out += [rng.normal(0, 1 / np.sqrt(a), (a, b)).astype(np.float32), rng.normal(0, 0.1, b).astype(np.float32)]
    return out


@pytest.fixture(scope="module")
def runs(student, reference):
    rng = np.random.default_rng(1503)
    weights = _weights(rng)
    x = rng.normal(size=(N, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=N).astype(np.int32)
    got = student.probe("pipeline_run", SIZES, STAGE_DEVICES, weights, x, y, MICRO, LR)
    # The same model unsplit: every stage on one device, one micro-batch.
    want = reference.probe("pipeline_run", SIZES, ["/device:CPU:0"] * 3, weights, x, y, 1, LR, MICRO)
    return {"got": got, "want": want, "x": x, "weights": weights}


def _numpy_forward(x, weights):
    h = x.astype(np.float64)
    for i in range(0, len(weights), 2):
        h = h @ weights[i] + weights[i + 1]
        if i + 2 < len(weights):
            h = np.maximum(h, 0)
    return h


@pytest.mark.points(2)
def test_stage_variables_live_on_their_devices(runs):
    got = runs["got"]
    assert len(got["variable_devices"]) == len(STAGE_DEVICES), (
        f"PipelineModel should have {len(STAGE_DEVICES)} stages (one Dense per stage), "
        f"got {len(got['variable_devices'])}")
    for i, (devices, expected) in enumerate(zip(got["variable_devices"], STAGE_DEVICES, strict=True)):
        suffix = expected.split("/")[-1]
        assert devices and all(d.upper().endswith(suffix.upper()) for d in devices), (
            f"stage {i}'s variables live on {devices}; build the layer under tf.device({expected!r})")
    assert got["output_device"].upper().endswith(STAGE_DEVICES[-1].split("/")[-1].upper()), (
        f"the model's output was computed on {got['output_device']}; run each stage under its own tf.device")


def test_output_equals_the_unsplit_model(runs):
    want = _numpy_forward(runs["x"], runs["weights"])
    checks.assert_tensor(runs["got"]["output"], want.astype(np.float32), dtype="float32", rtol=1e-4, atol=1e-5,
                         name="PipelineModel output (Dense+ReLU stages, no activation on the last)")


@pytest.mark.points(3)
def test_microbatch_gradients_equal_full_batch(runs):
    got, want = runs["got"], runs["want"]
    checks.assert_value(got["loss"], want["loss"], rtol=1e-5, atol=1e-6,
                        name="loss of microbatch_gradients (the mean over the whole batch of 30, not the last "
                             "micro-batch's)")
    assert len(got["grads"]) == len(want["grads"]), f"expected {len(want['grads'])} gradients"
    for i, (g, w) in enumerate(zip(got["grads"], want["grads"], strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=1e-4, atol=1e-6,
                             name=f"accumulated gradient {i} over micro-batches of 8, 8, 7, 7 vs the full batch "
                                  "(weight each micro-batch by its size)")


@pytest.mark.points(2)
def test_gradients_come_from_micro_batches_of_the_right_sizes(runs):
    # The probe wraps the model so that each call centres its batch on the batch's own mean: micro-batches of
    # 8, 8, 7, 7 now give other gradients than one pass over all 30, and only they match the reference.
    got, want = runs["got"], runs["want"]
    checks.assert_value(got["coupled_loss"], want["coupled_loss"], rtol=1e-5, atol=1e-6,
                        name="loss of microbatch_gradients on a model whose output depends on the batch it sees "
                             "(run the model once per micro-batch, on consecutive slices of sizes 8, 8, 7, 7)")
    assert len(got["coupled_grads"]) == len(want["coupled_grads"]), f"expected {len(want['coupled_grads'])} gradients"
    for i, (g, w) in enumerate(zip(got["coupled_grads"], want["coupled_grads"], strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=1e-4, atol=1e-6,
                             name=f"gradient {i} on a model whose output depends on the batch it sees (forward and "
                                  "backward once per micro-batch, not once over the whole batch)")


@pytest.mark.points(2)
def test_train_step_applies_one_full_batch_update(runs):
    got, want = runs["got"], runs["want"]
    checks.assert_value(got["updates"], 1, name="optimizer updates made by one pipeline_train_step")
    checks.assert_value(got["step_loss"], want["step_loss"], rtol=1e-5, atol=1e-6,
                        name="loss returned by pipeline_train_step")
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=1e-4, atol=1e-6, name=f"weight {i} after the step")


@pytest.mark.points(2)
def test_tensor_parallel_mlp_equals_the_dense_mlp(student, rng):
    d, hidden, units, devices = 5, 12, 3, ["/device:CPU:0", "/device:CPU:2", "/device:CPU:3"]
    w1 = rng.normal(0, 0.5, (d, hidden)).astype(np.float32)
    b1 = rng.normal(0, 0.5, hidden).astype(np.float32)
    w2 = rng.normal(0, 0.5, (hidden, units)).astype(np.float32)
    b2 = rng.normal(0, 0.5, units).astype(np.float32)
    x = rng.normal(size=(9, d)).astype(np.float32)
    u = rng.normal(size=(9, units)).astype(np.float32)
    got = student.probe("tensor_parallel_run", hidden, units, devices, w1, b1, w2, b2, x, u)
    shard = hidden // len(devices)
    checks.assert_value(got["column_shapes"], [[d, shard]] * 3,
                        name="shapes of the column-parallel W1 shards (W1 split by columns)")
    checks.assert_value(got["row_shapes"], [[shard, units]] * 3,
                        name="shapes of the row-parallel W2 shards (W2 split by the matching rows)")
    for kind in ("column_devices", "row_devices"):
        for k, (device, expected) in enumerate(zip(got[kind], devices, strict=True)):
            assert device.upper().endswith(expected.split("/")[-1].upper()), (
                f"shard {k} of {kind.split('_')[0]}_kernels lives on {device}; create it under tf.device({expected!r})")
    pre = x.astype(np.float64) @ w1 + b1
    h = np.maximum(pre, 0)
    checks.assert_tensor(got["output"], (h @ w2 + b2).astype(np.float32), dtype="float32", rtol=1e-4, atol=1e-5,
                         name="TensorParallelMLP output vs relu(x @ W1 + b1) @ W2 + b2 (sum the partial outputs of "
                              "the shards, add b2 once)")
    dh = (u @ w2.T) * (pre > 0)
    dw1, dw2 = x.T.astype(np.float64) @ dh, h.T @ u
    for k in range(len(devices)):
        cols = slice(k * shard, (k + 1) * shard)
        assert got["column_grads"][k] is not None and got["row_grads"][k] is not None, (
            f"shard {k} gets no gradient: use the shard variables in call()")
        checks.assert_tensor(got["column_grads"][k], dw1[:, cols].astype(np.float32), rtol=1e-4, atol=1e-5,
                             name=f"gradient of W1 shard {k} (the matching columns of the dense gradient)")
        checks.assert_tensor(got["row_grads"][k], dw2[cols].astype(np.float32), rtol=1e-4, atol=1e-5,
                             name=f"gradient of W2 shard {k} (the matching rows of the dense gradient)")
