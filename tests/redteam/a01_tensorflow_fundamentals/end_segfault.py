# expect: {"q5": "zero", "*": "below_full"}
# family: ending abruptly
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# A segfault through ctypes.
# %% [q5]
__import__('ctypes').string_at(0)


def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
