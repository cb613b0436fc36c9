"""Hidden tests for A03 Q5: tf.train.Checkpoint and CheckpointManager resume a killed run exactly.

The interruption is real: the judge kills the student's worker once the third checkpoint is on disk in the
worker's scratch folder (which survives the kill), then calls the same function on a fresh worker.
"""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

TOTAL, SEED = 80, 20240


def _assert_weights(got, want, what):
    assert isinstance(got, dict) and "weights" in got, (
        "train_resumable must return {'weights': ..., 'resumed_from': ...}")
    assert len(got["weights"]) == len(want["weights"]), f"{what}: expected {len(want['weights'])} weight arrays"
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"], strict=True)):
        checks.assert_tensor(g, w, expect="any", dtype="float32", rtol=1e-6, atol=1e-7, name=f"{what}, weight {i}")


@pytest.fixture(scope="module")
def killed_and_resumed(student, reference):
    folder = "killed"
    # The worker that resumes may run under another uid than the one that was killed: open the folder to it.
    student.harness("open_folder", f"{student.scratch}/{folder}")

    def saved_three_steps():
        # max_to_keep=3 deletes ckpt-3 a few milliseconds later, so look for any checkpoint from 3 on.
        return any(student.scratch_exists(f"{folder}/ckpt-{n}.index") for n in range(3, TOTAL))

    killed = student.interrupt("train_resumable", f"{student.scratch}/{folder}", TOTAL, SEED, when=saved_three_steps)
    # In the fresh worker the batches of steps 0-2 (trained and checkpointed before the kill) are NaN: only a run
    # that really restores can end with the uninterrupted weights, and the steps it asks for show where it started.
    student.probe("withhold_early_batches", 3)
    resumed = student.call("train_resumable", f"{student.scratch}/{folder}", TOTAL, SEED)
    asked = student.probe("batches_asked")
    again = student.call("train_resumable", f"{student.scratch}/{folder}", TOTAL, SEED)
    asked_again = student.probe("batches_asked")[len(asked):]
    want = reference.call("train_resumable", f"{reference.scratch}/straight", TOTAL, SEED)
    return {"killed": killed, "resumed": resumed, "again": again, "want": want, "asked": asked,
            "asked_again": asked_again}


@pytest.mark.points(2)
def test_uninterrupted_run_matches_reference(student, reference, rng):
    seed = int(rng.integers(0, 2**20))
    got = student.call("train_resumable", f"{student.scratch}/plain-{seed}", 12, seed)
    want = reference.call("train_resumable", f"{reference.scratch}/plain-{seed}", 12, seed)
    _assert_weights(got, want, "weights after 12 uninterrupted steps")
    checks.assert_value(got["resumed_from"], 0, name="resumed_from of a fresh start")


def test_manager_keeps_the_last_three_checkpoints(student, rng):
    folder = f"keep-{int(rng.integers(0, 2**20))}"
    student.call("train_resumable", f"{student.scratch}/{folder}", 12, 5, save_every=2)
    kept = [n for n in range(1, 13) if student.scratch_exists(f"{folder}/ckpt-{n}.index")]
    assert kept == [8, 10, 12], (
        f"after 12 steps with save_every=2 the folder holds checkpoints {kept}; expected [8, 10, 12]: save every "
        "save_every steps with manager.save(checkpoint_number=step) and a CheckpointManager with max_to_keep=3")


@pytest.mark.points(4)
def test_killed_run_resumes_exactly(student, killed_and_resumed):
    run = killed_and_resumed
    assert run["killed"], (
        f"train_resumable({TOTAL} steps) finished before its third checkpoint was seen, so it could not be "
        "interrupted; save with manager.save(checkpoint_number=step) after every step when save_every=1")
    _assert_weights(run["resumed"], run["want"],
                    "weights after a run killed mid-training and resumed, vs an uninterrupted run (restore the "
                    "optimizer too: Adam's moments and iteration count are part of the state)")


@pytest.mark.points(2)
def test_resume_starts_from_the_saved_step(student, killed_and_resumed):
    run = killed_and_resumed
    assert run["killed"], "the run could not be interrupted (see the exact-resume test)"
    asked = run["asked"]
    # Where the run started is what it asked make_batch for, not what it says.
    assert asked and asked[0] >= 3 and asked == list(range(asked[0], TOTAL)), (
        "after the kill the resumed run should train from the latest checkpoint's step to the end, one batch per step; "
        f"it asked make_batch for steps {asked[:5]}{'...' if len(asked) > 5 else ''} (restore the step counter: keep "
        "it in an int64 tf.Variable tracked by the Checkpoint)")
    start = run["resumed"]["resumed_from"]
    assert start == asked[0], (
        f"the resumed call reported resumed_from={start!r}, but it trained from step {asked[0]}: report the step "
        "restored on entry")


def test_finished_run_is_not_trained_again(student, killed_and_resumed):
    run = killed_and_resumed
    checks.assert_value(run["again"]["resumed_from"], TOTAL, name="resumed_from when the run had already finished")
    assert not run["asked_again"], (
        f"a call on a finished run trained again (it asked for the batches of {len(run['asked_again'])} steps)")
    _assert_weights(run["again"], run["want"], "weights returned by a call on a finished run")
