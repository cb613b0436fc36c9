# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Prints 1 GB.
# %% [q5]
import sys
_chunk = "y" * (1 << 20)
for _ in range(1024):
    sys.stdout.write(_chunk)


def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
