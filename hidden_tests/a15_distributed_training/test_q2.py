"""Hidden tests for A15 Q2: a custom data-parallel loop equals single-device SGD, ragged batches included."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")

N, BATCH, N_EVAL = 202, 64, 198  # last batches: 10 examples split 3, 3, 3, 1; 6 examples split 2, 2, 2, 0


def _problem(rng, n, d=6, hidden=12, classes=3):
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.integers(0, classes, size=n).astype(np.int32)
    weights = [rng.uniform(-0.5, 0.5, (d, hidden)).astype(np.float32), rng.normal(0, 0.1, hidden).astype(np.float32),
               rng.uniform(-0.5, 0.5, (hidden, classes)).astype(np.float32),
               rng.normal(0, 0.1, classes).astype(np.float32)]
    return x, y, weights


@pytest.fixture(scope="module")
def runs(student, reference):
    rng = np.random.default_rng(1502)
    x, y, weights = _problem(rng, N)
    x_eval, y_eval, _ = _problem(rng, N_EVAL)
    args = (x, y, weights, 0.5, BATCH, x_eval, y_eval)
    return {"got": student.probe("data_parallel_run", 4, *args), "want": reference.probe("data_parallel_run", 1, *args)}


def _assert_weights(got, want, what):
    assert len(got) == len(want), f"{what}: expected {len(want)} weight arrays, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, dtype="float32", rtol=1e-4, atol=2e-5, name=f"{what}, weight {i}")


def test_distributed_dataset_splits_each_global_batch(runs):
    got = runs["got"]
    assert got["is_distributed"], (
        "distribute_batches must return strategy.experimental_distribute_dataset(...) (a DistributedDataset)")
    want = [[16, 16, 16, 16]] * 3 + [[3, 3, 3, 1]]
    assert got["split"] == want, (
        f"202 examples in global batches of 64 over 4 replicas should give per-replica batches {want} (batch by "
        f"the global batch size, in order, keep the last batch); got {got['split']}")


@pytest.mark.points(3)
def test_first_step_loss_and_update_match_single_device(runs):
    got, want = runs["got"], runs["want"]
    assert got["loss1_shape"] == [], f"train_step must return a scalar loss, got shape {got['loss1_shape']}"
    checks.assert_value(got["loss1"], want["loss1"], rtol=1e-5, atol=1e-6,
                        name="loss returned by train_step for one global batch (the mean over the whole batch: "
                             "reduce the per-replica losses with SUM only if each is already divided by the "
                             "global count)")
    _assert_weights(got["weights1"], want["weights1"],
                    "weights after one step on 4 replicas vs single-device SGD (the optimizer sums the replicas' "
                    "gradients)")


@pytest.mark.points(4)
def test_ragged_epoch_matches_single_device(runs):
    got, want = runs["got"], runs["want"]
    checks.assert_value(got["losses"], want["losses"], rtol=1e-5, atol=1e-6,
                        name="losses of the remaining steps (the last batch has 10 examples, split 3, 3, 3, 1)")
    _assert_weights(got["weights"], want["weights"],
                    "weights after an epoch whose last batch is ragged (divide by the all-reduced number of "
                    "examples in the global batch, not by num_replicas_in_sync x the local batch)")


@pytest.mark.points(2)
def test_evaluate_is_exact_over_all_examples(runs):
    got, want = runs["got"], runs["want"]
    checks.assert_value(got["evaluation"], want["evaluation"], rtol=1e-5, atol=1e-6,
                        name="evaluate() on 198 examples in batches of 64 over 4 replicas (the last batch splits "
                             "2, 2, 2, 0: sum the per-replica sums and counts, then divide)")
