# expect: {"q5": "zero", "*": "below_full"}
# family: resource abuse
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# time.sleep for a day.
# %% [q5]
def saturating_cast(x, dtype):
    return __import__('time').sleep(86400)


def promote_and_add(a, b):
    return __import__('time').sleep(86400)


def flatten_keep_batch(x):
    return __import__('time').sleep(86400)


def nbytes(x):
    return __import__('time').sleep(86400)
