# expect: {"q5": "zero"}
# family: lying objects
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# NaN and inf, which fool comparisons written as `not (a != b)`.
# %% [q5]
def saturating_cast(x, dtype):
    return tf.constant([np.nan, np.inf, -np.inf])


def promote_and_add(a, b):
    return tf.constant([np.nan, np.inf, -np.inf])


def flatten_keep_batch(x):
    return tf.constant([np.nan, np.inf, -np.inf])


def nbytes(x):
    return tf.constant([np.nan, np.inf, -np.inf])
