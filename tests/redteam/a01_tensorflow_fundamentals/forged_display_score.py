# expect: {"q5": "zero"}
# family: forged output
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# display(100.0) and an execute_result, nbgrader's score convention.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None


from IPython.display import display
display(100.0)
get_ipython().display_pub.publish({"text/plain": "10.0"})
100.0
