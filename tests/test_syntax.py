"""Parsing from many threads at once: CPython 3.11's AST conversion is not thread-safe without the engine's lock."""

import ast
import gc
import threading
import time

from graders import syntax

# Deep enough that converting it to ``ast`` objects allocates a lot (the garbage collector, and with it a thread
# switch, can run in the middle of a conversion).
SOURCE = "\n".join(f"def f{k}(x):\n    return [(x + {k}) * y for y in range({k}) if y % 3]\n" for k in range(300))


def test_threads_parsing_at_once_get_the_same_trees():
    want = ast.dump(ast.parse(SOURCE))
    errors, trees = [], []
    # Collections in the middle of a conversion, each handing the interpreter to another thread: what makes the race
    # of python/cpython#106905 happen at once instead of once in a long while (plain ast.parse fails here).
    thresholds = gc.get_threshold()
    gc.set_threshold(50)
    gc.callbacks.append(switch := lambda phase, info: time.sleep(0))

    def parse_many():
        try:
            for _ in range(20):
                trees.append(ast.dump(syntax.parse(SOURCE)))
        except Exception as exc:  # noqa: BLE001 -- any failure is the finding
            errors.append(repr(exc))

    threads = [threading.Thread(target=parse_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:
        gc.callbacks.remove(switch)
        gc.set_threshold(*thresholds)
    assert not errors, errors[:3]
    assert len(trees) == 80 and all(tree == want for tree in trees)
