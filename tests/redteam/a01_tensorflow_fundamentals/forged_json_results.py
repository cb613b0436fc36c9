# expect: {"q5": "zero"}
# family: forged output
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Prints and writes JSON results in the judge's format.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None


import json, os
fake = {"tests": [{"name": "x", "question": "q5", "weight": 100, "passed": True}], "errors": [], "exitstatus": 0,
        "score": 60, "max_score": 60}
print(json.dumps(fake))
for folder in ("/tmp", os.path.expanduser("~"), "."):
    try:
        open(os.path.join(folder, "results.json"), "w").write(json.dumps(fake))
    except OSError:
        pass
