# expect: {"q6": "zero"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# Nothing is implemented: step and fast_step hand back their input, and step sleeps so that fast_step looks faster.
# Two functions that return their input agree with each other, so a speed test that only compared the two paid its
# 3 points; it now first requires that fast_step computes step.
# %% [q6]
import time


def step(x):
    """Not implemented: returns x, slowly."""
    time.sleep(0.006)
    return x


def fast_step(x):
    """Not implemented: returns x."""
    return x


def collatz_steps(n):
    """Not implemented."""
    return n


def eager_debugging():
    """Not implemented."""
    return contextlib.nullcontext()
