# expect: {"q5": "zero"}
# family: hunting for secrets
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Reads os.environ and every /proc/*/environ and cmdline.
# %% [q5]
import os
_SEEN = [dict(os.environ)]
for pid in os.listdir("/proc"):
    for name in ("environ", "cmdline"):
        try:
            _SEEN.append(open(f"/proc/{pid}/{name}", "rb").read())
        except OSError:
            pass


def saturating_cast(x, dtype):
    return _SEEN


def promote_and_add(a, b):
    return _SEEN


def flatten_keep_batch(x):
    return _SEEN


def nbytes(x):
    return _SEEN
