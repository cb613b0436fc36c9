"""Generic worker-side operations that hidden tests call through ``Remote.harness``.

They run next to the student's code, so their answers are only as honest as the student's objects; the judge uses
them for gradients, graph structure and call tracing, and checks values against the reference worker.
"""

from __future__ import annotations

import inspect
import os
import random
import sys
import threading

import numpy as np

from graders.worker import artefacts, tf_functions

_EAGER_TENSOR = None
_MAX_STRING_BYTES = 1 << 24


def warm_up() -> None:
    """Imports TensorFlow and runs a first op, so that a slow first op never counts against a notebook cell."""
    global _EAGER_TENSOR
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    value = tf.linalg.matmul(tf.ones((4, 4)), tf.ones((4, 4)))
    tf.function(lambda x: x + 1)(value)
    _EAGER_TENSOR = type(value)


def reseed(seed: int) -> None:
    """Seeds Python, NumPy and TensorFlow the way ``tf.keras.utils.set_random_seed`` does."""
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed % 2**32)
    tf.random.set_seed(seed)


# -- conversions used by the wire decoder/encoder in the worker ---------------------------------------------------


def classify(value):
    """Returns ``(array, origin)`` for tensors and variables, so they travel as arrays; None otherwise."""
    tf = sys.modules.get("tensorflow")
    if tf is None or _EAGER_TENSOR is None:
        return None
    if type(value) is _EAGER_TENSOR:
        origin = "tf.Tensor"
    elif isinstance(value, tf.Variable):
        value, origin = tf.convert_to_tensor(value), "tf.Variable"
        if type(value) is not _EAGER_TENSOR:
            return None
    else:
        return None
    array = value.numpy()
    if array.dtype == object:  # tf.string
        if sum(len(b) for b in array.ravel()) > _MAX_STRING_BYTES:
            return None
        array = array.astype(bytes)
    return array, origin


def make_tensor(array, dtype):
    import tensorflow as tf

    return tf.constant(array, dtype=None if dtype is None else tf.as_dtype(dtype))


def make_dtype(name: str):
    import tensorflow as tf

    return tf.as_dtype(name)


def make_spec(shape, dtype):
    import tensorflow as tf

    return tf.TensorSpec(shape, tf.as_dtype(dtype))


# -- operations -----------------------------------------------------------------------------------------------------


def gradient(worker, fn, args, wrt=(0,), upstream_seed=None, kwargs=None):
    """Gradients of ``sum(fn(*args) * w)`` with respect to ``args[i]`` for ``i`` in ``wrt``, via ``tf.GradientTape``.

    ``w`` is all ones, or NumPy's standard normal draw for ``upstream_seed`` (the judge can redraw it), so that every
    output element matters.
    Returns one entry per ``wrt`` index: the gradient, or None where it is disconnected.
    """
    import tensorflow as tf

    fn = worker.resolve(fn)
    args = list(args)
    for i in wrt:
        args[i] = tf.convert_to_tensor(args[i])
    with tf.GradientTape() as tape:
        for i in wrt:
            tape.watch(args[i])
        output = tf.convert_to_tensor(fn(*args, **(kwargs or {})))
        if upstream_seed is None:
            weights = tf.ones_like(output)
        else:
            draw = np.random.default_rng(int(upstream_seed)).standard_normal(tuple(output.shape))
            weights = tf.constant(draw, dtype=output.dtype)
        loss = tf.reduce_sum(output * weights)
    grads = tape.gradient(loss, [args[i] for i in wrt])
    return [None if g is None else tf.convert_to_tensor(g) for g in grads]


def map_call(worker, fn, arg_lists, kwargs=None):
    """Calls ``fn(*args)`` for each argument list; the judge times the whole round trip."""
    fn = worker.resolve(fn)
    return [fn(*args, **(kwargs or {})) for args in arg_lists]


def traced_ops(worker, fn, signature):
    """Op types (with counts) of the graph that ``fn`` traces for ``signature``, nested functions included."""
    concrete = tf_functions.concrete_function(worker.resolve(fn), *signature)
    counts: dict[str, int] = {}
    for op in concrete.graph.get_operations():
        counts[op.type] = counts.get(op.type, 0) + 1
    for function in concrete.graph.as_graph_def().library.function:
        for node in function.node_def:
            counts[node.op] = counts.get(node.op, 0) + 1
    return counts


def tracing_count(worker, fn):
    """How many times a ``tf.function`` has traced; None if ``fn`` is not one."""
    return tf_functions.tracing_count(worker.resolve(fn))


def is_tf_function(worker, fn) -> bool:
    """Whether ``fn`` is a real ``tf.function`` (``graders.worker.tf_functions``: not a look-alike)."""
    return tf_functions.genuine(worker.resolve(fn))


def calls_made(worker, fn, args, forbidden, kwargs=None):
    """Runs ``fn(*args)`` under a profiler and returns which of the ``forbidden`` dotted names it really invoked.

    The functions are matched by identity of their innermost code object, so aliases and re-imports are caught, and
    wrappers such as TensorFlow's dispatch decorators are seen through. ``tf.function`` bodies run eagerly during the
    check: a graph that was traced earlier would otherwise run without calling any Python at all.
    """
    import tensorflow as tf

    fn = worker.resolve(fn)
    codes, builtins = {}, {}
    for name in forbidden:
        target = inspect.unwrap(_resolve_dotted(name))
        code = getattr(target, "__code__", None)
        if code is not None:
            codes[code] = name
        else:
            builtins[id(target)] = name
    seen: list[str] = []

    def profiler(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            seen.append(codes[frame.f_code])
        elif event == "c_call" and id(arg) in builtins:
            seen.append(builtins[id(arg)])

    previous, was_eager = sys.getprofile(), tf.config.functions_run_eagerly()
    previous_threads = threading.getprofile()
    tf.config.run_functions_eagerly(True)
    threading.setprofile(profiler)  # threads the call starts are profiled too
    sys.setprofile(profiler)
    try:
        fn(*args, **(kwargs or {}))
        still_on = sys.getprofile() is profiler and threading.getprofile() is profiler
    finally:
        sys.setprofile(previous)
        threading.setprofile(previous_threads)
        tf.config.run_functions_eagerly(was_eager)
    if not still_on:
        # Fails closed: a call that turned the profiler off cannot show that it called nothing forbidden.
        raise RuntimeError("the call turned the profiler off, so what it invoked cannot be checked")
    return sorted(set(seen))


def isinstance_of(worker, obj, dotted: str) -> bool:
    """``isinstance(obj, X)`` where ``X`` is a dotted name such as ``tf.Module`` or ``tf.keras.layers.Layer``."""
    return isinstance(worker.resolve(obj), _resolve_dotted(dotted))


def type_info(worker, obj) -> dict:
    """The object's type name and the qualified names of its MRO."""
    kind = type(worker.resolve(obj))
    names = [f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__]
    return {"type": names[0], "mro": names, "callable": callable(obj)}


def open_folder(worker, path: str) -> str:
    """Creates ``path`` writable by every uid, so that a worker started after a kill can write into it.

    A restarted sandbox may run under another unprivileged uid than the one it replaces, and the sandbox's umask makes
    new folders 0755: without this a resumed run could read the killed run's checkpoints but not save new ones.
    """
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o777)
    return path


def _resolve_dotted(dotted: str):
    import tensorflow as tf

    roots = {"tf": tf, "np": np, "numpy": np}
    head, *rest = dotted.split(".")
    obj = roots[head] if head in roots else __import__(head)
    for part in rest:
        obj = getattr(obj, part)
    return obj


OPERATIONS = {
    "gradient": gradient,
    "map_call": map_call,
    "traced_ops": traced_ops,
    "tracing_count": tracing_count,
    "is_tf_function": is_tf_function,
    "calls_made": calls_made,
    "isinstance_of": isinstance_of,
    "type_info": type_info,
    "open_folder": open_folder,
    **artefacts.OPERATIONS,
}
