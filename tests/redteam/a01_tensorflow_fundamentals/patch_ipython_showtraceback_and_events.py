# expect: {"q5": "zero"}
# family: patching
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Silences tracebacks and hooks IPython's run-cell events.
# %% [q5]
def saturating_cast(x, dtype):
    return (_ for _ in ()).throw(AssertionError())


def promote_and_add(a, b):
    return (_ for _ in ()).throw(AssertionError())


def flatten_keep_batch(x):
    return (_ for _ in ()).throw(AssertionError())


def nbytes(x):
    return (_ for _ in ()).throw(AssertionError())


ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip.showsyntaxerror = lambda *a, **k: None
ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
ip.events.register("pre_run_cell", lambda info: None)
