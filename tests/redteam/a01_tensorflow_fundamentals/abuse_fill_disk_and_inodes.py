# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Fills /tmp and HOME with data, then with empty files.
# %% [q5]
import os
for folder in ("/tmp", os.path.expanduser("~")):
    try:
        with open(os.path.join(folder, "fill"), "wb") as handle:
            while True:
                handle.write(b"\0" * (1 << 20))
    except OSError:
        pass
    try:
        for k in range(10**6):
            open(os.path.join(folder, f"i{k}"), "w").close()
    except OSError:
        pass


def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
