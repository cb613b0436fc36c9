# expect: {"q5": "zero"}
# family: patching
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# The known nbgrader cheat: every later cell becomes `pass`.
# %% [q5]
def saturating_cast(x, dtype):
    return 0


def promote_and_add(a, b):
    return 0


def flatten_keep_batch(x):
    return 0


def nbytes(x):
    return 0


get_ipython().input_transformers_post.append(lambda lines: ["pass\n"])
