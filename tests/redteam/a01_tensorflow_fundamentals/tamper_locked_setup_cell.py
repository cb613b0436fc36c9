# expect: {"q5": "zero"}
# family: notebook tampering
# tamper: locked_setup_cell
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Edits the locked setup cell to patch numpy's comparisons.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
