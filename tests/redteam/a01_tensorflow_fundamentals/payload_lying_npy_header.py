# expect: {"*": "below_full"}
# family: payloads
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Patches the worker's encoder so arrays travel with lying headers. The judge rejects every such answer
# (invalid_result) and gains nothing; but the patch lives in the notebook's own process, so it costs the student
# every later answer that carries an array, in every question (a known limit, in SECURITY.md).
# %% [q5]
def saturating_cast(x, dtype):
    return tf.zeros((3,))


def promote_and_add(a, b):
    return tf.zeros((3,))


def flatten_keep_batch(x):
    return tf.zeros((3,))


def nbytes(x):
    return tf.zeros((3,))


import graders.wire as _wire
_original = _wire.np.lib.format.header_data_from_array_1_0
_wire.np.lib.format.header_data_from_array_1_0 = lambda array: dict(_original(array), shape=(10**9, 10**9))
