# expect: {"q5": "zero"}
# family: payloads
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Raises exceptions whose __str__ is huge, or never returns.
# %% [q5]
class _Loud(Exception):
    def __str__(self):
        return "x" * (200 << 20)


class _Forever(Exception):
    def __str__(self):
        while True:
            pass


_calls = [0]


def _raise():
    _calls[0] += 1
    raise (_Loud() if _calls[0] % 2 else _Forever())


def saturating_cast(x, dtype):
    return _raise()


def promote_and_add(a, b):
    return _raise()


def flatten_keep_batch(x):
    return _raise()


def nbytes(x):
    return _raise()
