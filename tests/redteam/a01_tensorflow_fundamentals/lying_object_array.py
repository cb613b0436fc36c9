# expect: {"q5": "zero"}
# family: lying objects
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Object arrays holding objects that compare equal to anything.
# %% [q5]
class _Any:
    def __eq__(self, other): return True


def saturating_cast(x, dtype):
    return np.array([_Any()] * 4, dtype=object)


def promote_and_add(a, b):
    return np.array([_Any()] * 4, dtype=object)


def flatten_keep_batch(x):
    return np.array([_Any()] * 4, dtype=object)


def nbytes(x):
    return np.array([_Any()] * 4, dtype=object)
