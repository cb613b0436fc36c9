# expect: {"q3": "zero"}
# reason: worker_died
# family: ending abruptly
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# q3's functions SIGKILL their own process whenever they are called: q3 alone pays, with the reason named, and
# every other question (graded in the restarted worker) keeps its full marks.
# %% [q3]
import os
import signal


def tensor_info(x):
    os.kill(os.getpid(), signal.SIGKILL)


def run_v1_graph(build_fn, feeds):
    os.kill(os.getpid(), signal.SIGKILL)
