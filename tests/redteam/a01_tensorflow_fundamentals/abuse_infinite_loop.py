# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# An infinite loop in every call.
# %% [q5]
def _spin():
    while True:
        pass


def saturating_cast(x, dtype):
    return _spin()


def promote_and_add(a, b):
    return _spin()


def flatten_keep_batch(x):
    return _spin()


def nbytes(x):
    return _spin()
