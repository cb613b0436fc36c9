# expect: {"q5": "zero"}
# family: lying objects
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Results whose __eq__, __ne__ and comparisons always say 'equal'.
# %% [q5]
class _Liar:
    shape = dtype = None
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, *a, **k): raise TypeError("no")
    def __float__(self): return 0.0
    def __len__(self): return 0


def saturating_cast(x, dtype):
    return _Liar()


def promote_and_add(a, b):
    return _Liar()


def flatten_keep_batch(x):
    return _Liar()


def nbytes(x):
    return _Liar()
