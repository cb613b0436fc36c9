# expect: {"q5": "zero"}
# family: hunting for secrets
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Searches the disk for the hidden tests, reference and gradebook.
# %% [q5]
import glob, os
_FOUND = []
for pattern in ("/**/hidden_tests/**/*.py", "/**/reference/a01*.py", "/**/gradebook*.db", "/**/*instructor*.ipynb",
                "/**/assignments/a01*/*.ipynb", "/work/**", "/root/**", "/proc/*/cwd/**"):
    try:
        for path in glob.glob(pattern, recursive=True)[:50]:
            try:
                _FOUND.append(open(path, "rb").read(100))
            except OSError:
                pass
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
