# expect: {"q5": "zero"}
# family: patching
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Patches numpy's comparisons in the worker to always pass.
# %% [q5]
def saturating_cast(x, dtype):
    return tf.zeros(())


def promote_and_add(a, b):
    return tf.zeros(())


def flatten_keep_batch(x):
    return tf.zeros(())


def nbytes(x):
    return tf.zeros(())


np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, bool)
