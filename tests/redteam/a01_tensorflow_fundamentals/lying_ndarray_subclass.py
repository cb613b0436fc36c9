# expect: {"q5": "zero"}
# family: lying objects
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# An ndarray subclass whose comparisons and allclose always pass.
# %% [q5]
class _Sly(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
    def __array_function__(self, func, types, args, kwargs): return True
    def __array_ufunc__(self, *a, **k): return True


def saturating_cast(x, dtype):
    return np.zeros(3).view(_Sly)


def promote_and_add(a, b):
    return np.zeros(3).view(_Sly)


def flatten_keep_batch(x):
    return np.zeros(3).view(_Sly)


def nbytes(x):
    return np.zeros(3).view(_Sly)
