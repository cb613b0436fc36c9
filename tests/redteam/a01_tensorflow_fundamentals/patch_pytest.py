# expect: {"q5": "zero", "*": "below_full"}
# family: patching
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Imports pytest in the worker and neuters fail/approx, hoping the judge shares it.
# %% [q5]
def saturating_cast(x, dtype):
    return 0


def promote_and_add(a, b):
    return 0


def flatten_keep_batch(x):
    return 0


def nbytes(x):
    return 0


try:
    import pytest
    pytest.fail = lambda *a, **k: None
    pytest.approx = lambda expected, *a, **k: _Eq()
except ImportError:
    pass
import sys
sys.modules["graders.checks"] = type(sys)("graders.checks")


class _Eq:
    def __eq__(self, other): return True
