"""Hidden tests for A15 Q6: training killed mid-run resumes to the weights of an uninterrupted run.

The interruptions are real: the judge kills the student's worker (the whole sandbox) once a
checkpoint appears in its scratch folder, which survives the kill, then calls the same function in a
fresh worker. Deterministic training restarted from scratch would also end with the right weights,
so the fresh worker's models start from other initial weights: only a restored run ends where an
uninterrupted one does. The checkpoint's contents are read by the inspector.
"""

import pytest

from graders import checks
from graders.judge.inspector import copy_artefact

pytestmark = pytest.mark.question("q6")

TOTAL, SEED = 60, 1506
EPOCHS = 8


def _assert_weights(got, want, what):
    assert isinstance(got, list) and len(got) == len(want), f"{what}: expected {len(want)} weight arrays"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        checks.assert_tensor(g, w, expect="any", dtype="float32", rtol=1e-6, atol=1e-7, name=f"{what}, weight {i}")


@pytest.fixture(scope="module")
def killed_loop(student, reference, inspector):
    folder = f"{student.scratch}/loop"
    student.harness("open_folder", folder)

    def saved_four_steps():
        # Once ckpt-4 is on disk, the manager's state names ckpt-3 at least (max_to_keep=3 keeps it).
        return any(student.scratch_exists(f"loop/ckpt-{n}.index") for n in range(4, TOTAL))

    killed = student.interrupt("train_resumable", folder, TOTAL, SEED, when=saved_four_steps)
    # The checkpoint is read by the inspector, where no student code runs.
    keys = inspector.probe("checkpoint_keys", copy_artefact(student, folder, inspector)) if killed else []
    # In the fresh worker, models start from other weights: only a run that restores the checkpoint ends with the
    # uninterrupted weights.
    student.probe("shift_initial_weights", 0.5)
    try:
        resumed = student.call("train_resumable", folder, TOTAL, SEED)
    finally:
        student.probe("shift_initial_weights", 0.0)
    want = reference.call("train_resumable", f"{reference.scratch}/straight-loop", TOTAL, SEED)
    return {"killed": killed, "keys": keys, "resumed": resumed, "want": want}


def test_uninterrupted_loop_matches_reference(student, reference, rng):
    seed = int(rng.integers(0, 2**20))
    got = student.call("train_resumable", f"{student.scratch}/plain-{seed}", 10, seed)
    want = reference.call("train_resumable", f"{reference.scratch}/plain-{seed}", 10, seed)
    assert isinstance(got, dict) and "weights" in got, (
        "train_resumable must return {'weights': ..., 'resumed_from': ...}")
    _assert_weights(got["weights"], want["weights"], "weights after 10 uninterrupted steps")
    checks.assert_value(got["resumed_from"], 0, name="resumed_from of a fresh start")


@pytest.mark.points(2)
def test_checkpoint_holds_the_iterator_state(killed_loop):
    assert killed_loop["killed"], (
        f"train_resumable({TOTAL} steps) finished before its fourth checkpoint appeared, so it could not be killed; "
        "save every step when save_every=1")
    assert any("ITERATOR_STATE" in key for key in killed_loop["keys"]), (
        "the checkpoint holds no tf.data iterator state: add the dataset iterator to the tf.train.Checkpoint "
        "(iterator=iterator), or a resumed run replays batches it has already seen")
    assert any("optimizer" in key for key in killed_loop["keys"]), "the checkpoint holds no optimizer state"


@pytest.mark.points(3)
def test_killed_loop_resumes_exactly(killed_loop):
    run = killed_loop
    assert run["killed"], "the run could not be interrupted (see the iterator-state test)"
    start = run["resumed"]["resumed_from"]
    assert isinstance(start, int) and 3 <= start < TOTAL, (
        f"the resumed call reported resumed_from={start!r}; after a kill past checkpoint 4 it should restore step 3 "
        "or later from the latest checkpoint")
    _assert_weights(run["resumed"]["weights"], run["want"]["weights"],
                    "weights after a run killed mid-training and resumed, vs an uninterrupted run (checkpoint the "
                    "model, the optimizer, the step and the data iterator)")


@pytest.mark.points(4)
def test_backup_and_restore_resumes_a_killed_fit(student, reference):
    folder = f"{student.scratch}/backup"
    student.harness("open_folder", folder)
    slow = student.probe("epoch_recorder", 0.3)

    def backed_up_four_epochs():
        # Once ckpt-4 is on disk, the backup's state names ckpt-3 at least (it is deleted only afterwards).
        return any(student.scratch_exists(f"backup/chief/ckpt-{n}.index") for n in range(4, EPOCHS + 1))

    killed = student.interrupt("fit_with_backup", folder, EPOCHS, SEED, callbacks=[slow],
                               when=backed_up_four_epochs)
    assert killed, (
        f"fit_with_backup({EPOCHS} epochs) finished before a backup of its fourth epoch appeared under "
        "backup_dir/chief; "
        "use tf.keras.callbacks.BackupAndRestore(backup_dir, save_freq='epoch') and pass the given callbacks to fit")
    recorder = student.probe("epoch_recorder", 0.0)
    resumed = student.call("fit_with_backup", folder, EPOCHS, SEED, callbacks=[recorder])
    epochs = recorder.attr("epochs")
    want = reference.call("fit_with_backup", f"{reference.scratch}/straight-backup", EPOCHS, SEED)
    assert epochs and epochs[0] >= 3 and epochs[-1] == EPOCHS - 1, (
        f"after the kill, the resumed fit ran epochs {epochs}; it should continue from the last backed-up epoch "
        f"(3 or later) to epoch {EPOCHS - 1}, not start again")
    _assert_weights(resumed, want, "weights of a fit killed mid-way and resumed, vs an uninterrupted fit")
