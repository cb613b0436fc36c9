# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Allocates 64 GB at once.
# %% [q5]
def saturating_cast(x, dtype):
    return bytearray(64 << 30)


def promote_and_add(a, b):
    return bytearray(64 << 30)


def flatten_keep_batch(x):
    return bytearray(64 << 30)


def nbytes(x):
    return bytearray(64 << 30)
