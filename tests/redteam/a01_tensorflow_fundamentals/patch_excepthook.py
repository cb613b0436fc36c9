# expect: {"q5": "zero"}
# family: patching
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Replaces sys.excepthook and the exception types the worker reports.
# %% [q5]
def saturating_cast(x, dtype):
    return 1 / 0


def promote_and_add(a, b):
    return 1 / 0


def flatten_keep_batch(x):
    return 1 / 0


def nbytes(x):
    return 1 / 0


import sys
sys.excepthook = lambda *a: None
ZeroDivisionError.__str__ = lambda self: "ok"
