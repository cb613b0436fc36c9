# expect: {"q5": "zero", "q6": "zero"}
# family: patching
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# The known nbgrader cheat: every later cell becomes `pass`. Against us it gains nothing, and it turns the
# student's own q6 cell into `pass` too, so q6 honestly scores zero; the hidden tests never run through IPython.
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
