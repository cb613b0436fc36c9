# expect: {"q5": "zero"}
# family: resource abuse
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# A double-forked daemon that should outlive the job.
# %% [q5]
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            try:
                open("/tmp/daemon-alive", "w").write(str(time.time()))
            except OSError:
                pass
            time.sleep(0.5)
    os._exit(0)


def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None
