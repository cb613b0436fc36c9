from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_train_resumable_resumes", points=1, hidden=False)
def test_train_resumable_resumes(train_resumable):
    import os
    import tempfile

    import numpy as np

    folder = tempfile.mkdtemp()
    straight = train_resumable(os.path.join(folder, "a"), 10, 3)
    assert straight["resumed_from"] == 0
    first = train_resumable(os.path.join(folder, "b"), 4, 3)
    assert sorted(f for f in os.listdir(os.path.join(folder, "b")) if f.endswith(".index")) == [
        "ckpt-2.index", "ckpt-3.index", "ckpt-4.index"], "keep the last 3 checkpoints, named by step"
    resumed = train_resumable(os.path.join(folder, "b"), 10, 3)
    assert first["resumed_from"] == 0 and resumed["resumed_from"] == 4, "restore the step counter"
    for a, b in zip(resumed["weights"], straight["weights"]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7,
                                   err_msg="restore the optimizer too")
