# expect: {"q5": "zero"}
# family: notebook tampering
# tamper: cell_types_changed
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Turns the q5 solution into markdown and a markdown cell into code.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
