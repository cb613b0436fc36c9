# expect: {"q5": "zero"}
# family: forged output
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Writes forged answer frames to every file descriptor it can.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None


import os, json
frame = json.dumps({"ok": True, "value": 10.0}).encode()
for fd in range(0, 64):
    try:
        os.write(fd, len(frame).to_bytes(8, "big") + frame)
    except OSError:
        pass
