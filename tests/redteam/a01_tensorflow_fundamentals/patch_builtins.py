# expect: {"q5": "zero", "*": "below_full"}
# family: patching
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Replaces isinstance, type, len and repr in builtins for everyone.
# %% [q5]
def saturating_cast(x, dtype):
    return object()


def promote_and_add(a, b):
    return object()


def flatten_keep_batch(x):
    return object()


def nbytes(x):
    return object()


import builtins
builtins.isinstance = lambda obj, cls: True
builtins.len = lambda obj: 0
builtins.repr = lambda obj: "tf.Tensor(True)"
