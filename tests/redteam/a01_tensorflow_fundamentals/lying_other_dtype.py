# expect: {"q5": "zero"}
# family: lying objects
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# float64 values where integer tensors are expected.
# %% [q5]
def saturating_cast(x, dtype):
    return tf.zeros((2, 3), tf.float64)


def promote_and_add(a, b):
    return tf.zeros((2, 3), tf.float64)


def flatten_keep_batch(x):
    return tf.zeros((2, 3), tf.float64)


def nbytes(x):
    return tf.zeros((2, 3), tf.float64)
