# expect: {"q6": "below_full", "*": "below_full"}
# family: evidence
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Loops in Python through tf.py_function, and patches the probe that lists the graph's ops to report a While loop.
# %% [q6]
import gc as _gc
import types as _types

for _module in _gc.get_objects():
    if isinstance(_module, _types.ModuleType) and hasattr(_module, "graph_op_types"):
        _module.graph_op_types = lambda ns, name, shape, dtype: ["StatelessWhile"]


def step(x):
    """One eager "step": 16 rounds of ``x = tanh(1.5 * x + 0.1) - 0.05 * x``.

    Write it with TensorFlow ops (``tf.tanh``, ``*``, ``+``, ``-``), in exactly this order, so
    that it runs op by op in eager mode.

    Args:
        x: a ``float32`` tensor of any shape.

    Returns:
        The transformed tensor (same shape and dtype).
    """
    ### BEGIN SOLUTION
    for _ in range(16):
        x = tf.tanh(1.5 * x + 0.1) - 0.05 * x
    return x
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
def fast_step(x):
    """The same computation as ``step``, compiled into one graph.

    Keep this decorator: the signature makes one trace serve every 2-D ``float32`` shape, and
    each call then runs the whole graph in one go instead of dispatching 80 ops from Python.

    Args:
        x: a 2-D ``float32`` tensor.

    Returns:
        ``step(x)``.
    """
    ### BEGIN SOLUTION
    return step(x)
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
def collatz_steps(n):
    def count(value):
        value, steps = int(value), 0
        while value > 1:
            value = value // 2 if value % 2 == 0 else 3 * value + 1
            steps += 1
        return steps

    return tf.reshape(tf.py_function(count, [n], tf.int32), [])


@contextlib.contextmanager
def eager_debugging():
    """Run every ``tf.function`` eagerly inside the ``with`` block, for debugging.

    On entry, ``tf.config.run_functions_eagerly(True)``; on exit, restore the value that was in
    effect before, also when the block raises (the exception propagates).

    Yields:
        None.
    """
    ### BEGIN SOLUTION
    previous = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(previous)
    ### END SOLUTION
