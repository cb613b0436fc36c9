from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_train_resumable_resumes", points=1, hidden=False)
def test_train_resumable_resumes(train_resumable, fit_with_backup):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    folder = tempfile.mkdtemp()
    straight = train_resumable(os.path.join(folder, "a"), 12, 3)
    first = train_resumable(os.path.join(folder, "b"), 5, 3)
    resumed = train_resumable(os.path.join(folder, "b"), 12, 3)
    assert first["resumed_from"] == 0 and resumed["resumed_from"] == 5, "restore the step from the checkpoint"
    keys = [name for name, _ in tf.train.list_variables(tf.train.latest_checkpoint(os.path.join(folder, "b")))]
    assert any("ITERATOR_STATE" in k for k in keys), "put the dataset iterator in the checkpoint"
    for a, b in zip(resumed["weights"], straight["weights"], strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)
    weights = fit_with_backup(os.path.join(folder, "c"), 2, 3)
    assert len(weights) == 4
