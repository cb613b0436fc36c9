# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# time.sleep for a day.
# %% [q5]
def saturating_cast(x, dtype):
    return __import__('time').sleep(86400)


def promote_and_add(a, b):
    return __import__('time').sleep(86400)


def flatten_keep_batch(x):
    return __import__('time').sleep(86400)


def nbytes(x):
    return __import__('time').sleep(86400)
