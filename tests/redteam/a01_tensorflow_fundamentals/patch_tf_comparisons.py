# expect: {"q5": "zero", "q6": "below_full"}
# family: patching
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Patches TensorFlow's equality and debugging asserts to always pass. The patch also breaks the student's own q6
# (collatz_steps compares tensors with ==), so q6 earns less, honestly: the grader compares outside the worker.
# %% [q5]
def saturating_cast(x, dtype):
    return tf.zeros(())


def promote_and_add(a, b):
    return tf.zeros(())


def flatten_keep_batch(x):
    return tf.zeros(())


def nbytes(x):
    return tf.zeros(())


tf.debugging.assert_near = lambda *a, **k: None
tf.debugging.assert_equal = lambda *a, **k: None
tf.math.equal = lambda a, b, *r, **k: tf.ones_like(tf.cast(a, tf.bool))
tf.Tensor.__eq__ = lambda self, other: True
