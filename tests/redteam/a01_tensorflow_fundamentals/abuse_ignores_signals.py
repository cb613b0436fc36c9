# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Ignores SIGINT, SIGALRM and SIGTERM, then loops.
# %% [q5]
import signal


def _spin():
    for sig in (signal.SIGINT, signal.SIGALRM, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            pass
        except BaseException:
            pass


def saturating_cast(x, dtype):
    return _spin()


def promote_and_add(a, b):
    return _spin()


def flatten_keep_batch(x):
    return _spin()


def nbytes(x):
    return _spin()
