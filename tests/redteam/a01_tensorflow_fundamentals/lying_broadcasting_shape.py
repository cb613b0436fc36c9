# expect: {"q5": "zero"}
# family: lying objects
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# A (1,) tensor that broadcasts against any expected value.
# %% [q5]
def saturating_cast(x, dtype):
    return tf.zeros((1,), tf.float32)


def promote_and_add(a, b):
    return tf.zeros((1,), tf.float32)


def flatten_keep_batch(x):
    return tf.zeros((1,), tf.float32)


def nbytes(x):
    return tf.zeros((1,), tf.float32)
