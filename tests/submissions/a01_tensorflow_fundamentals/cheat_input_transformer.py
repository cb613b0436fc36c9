# expect: {"q6": "zero"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Known cheat: a wrong q6, plus an IPython input transformer that turns every later cell (and
# anything the grader runs through IPython afterwards) into `pass`. Grading must not depend on
# cells executed after the student's code, so q6 still scores 0.
# %% [q6]
def step(x):
    """Not the specified computation."""
    return tf.zeros_like(x)


def fast_step(x):
    """Not compiled, not the specified computation."""
    return step(x)


def collatz_steps(n):
    """Always 0."""
    return tf.constant(0, tf.int32)


@contextlib.contextmanager
def eager_debugging():
    """Does nothing."""
    yield


get_ipython().input_transformers_post.append(lambda lines: ['pass\n'])
