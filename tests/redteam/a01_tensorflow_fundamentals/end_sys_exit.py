# expect: {"q5": "zero"}
# family: ending abruptly
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# sys.exit in the cell.
# %% [q5]
raise SystemExit(0)


def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
