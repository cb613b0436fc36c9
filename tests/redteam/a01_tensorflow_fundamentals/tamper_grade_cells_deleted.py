# expect: {"q5": "zero"}
# family: notebook tampering
# tamper: grade_cells_deleted
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Deletes every grade (check) cell.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
