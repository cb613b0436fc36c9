# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Grows memory 64 MB at a time.
# %% [q5]
def _grow():
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))


def saturating_cast(x, dtype):
    return _grow()


def promote_and_add(a, b):
    return _grow()


def flatten_keep_batch(x):
    return _grow()


def nbytes(x):
    return _grow()
