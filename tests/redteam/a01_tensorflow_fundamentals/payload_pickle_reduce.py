# expect: {"q5": "zero"}
# family: payloads
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Returns objects whose __reduce__ would run code if unpickled.
# %% [q5]
import os


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/tfgrade-pickle-pwned",))


def saturating_cast(x, dtype):
    return _Boom()


def promote_and_add(a, b):
    return _Boom()


def flatten_keep_batch(x):
    return _Boom()


def nbytes(x):
    return _Boom()
