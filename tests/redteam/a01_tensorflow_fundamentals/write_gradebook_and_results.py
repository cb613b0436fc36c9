# expect: {"q5": "zero"}
# family: writing where it must not
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Tries to write the gradebook, result files, other sandboxes' HOMEs and /dev/shm.
# %% [q5]
import glob, os
_TARGETS = ["/work/main/gradebook/gradebook.db", "/tmp/tfgrade-uids/x", "/dev/shm/tfgrade-poison",
            "/home/student/../../etc/passwd", "/opt/tfgrade/graders/checks.py", "/opt/tfgrade/graders/x.py"]
_TARGETS += glob.glob("/tmp/tfgrade-job-*/results.json") + glob.glob("/tmp/pytest-of-*/**/*.db", recursive=True)
for path in _TARGETS:
    try:
        with open(path, "a") as handle:
            handle.write("pwned")
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
