# expect: {"q5": "zero"}
# family: payloads
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Returns a 3 GB array.
# %% [q5]
def saturating_cast(x, dtype):
    return np.ones((30000, 13000), np.float64)


def promote_and_add(a, b):
    return np.ones((30000, 13000), np.float64)


def flatten_keep_batch(x):
    return np.ones((30000, 13000), np.float64)


def nbytes(x):
    return np.ones((30000, 13000), np.float64)
