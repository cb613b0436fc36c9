# expect: {"q5": "zero"}
# family: forged output
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Prints a pytest summary, otter's success line and a results table.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None


print("============================= 44 passed in 1.23s =============================")
print("All test cases passed!")
print("q5 results: All test cases passed!\nTOTAL 60/60")
