# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Starts threads until it cannot.
# %% [q5]
import threading, time


def _threads():
    while True:
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()


def saturating_cast(x, dtype):
    return _threads()


def promote_and_add(a, b):
    return _threads()


def flatten_keep_batch(x):
    return _threads()


def nbytes(x):
    return _threads()
