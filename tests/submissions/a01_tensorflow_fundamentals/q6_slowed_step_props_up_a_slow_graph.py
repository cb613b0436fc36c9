# expect: {"q6": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib come from the reference setup cell)
# fast_step is a traced-once graph with no Python callbacks, but a slow one; step sleeps so that fast_step still looks
# faster than it. The speed test times fast_step against the course's own eager step, not the student's.
# %% [q6]
import time


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
    time.sleep(0.02)  # the eager baseline, slowed down so that fast_step looks fast
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
    # A graph, but a slow one: the whole computation 40 times over, each chained to the last by a zero term.
    out = x
    for _ in range(40):
        y = x + 0.0 * tf.stop_gradient(out)
        for _ in range(16):
            y = tf.tanh(1.5 * y + 0.1) - 0.05 * y
        out = y
    return out
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
def collatz_steps(n):
    """Number of Collatz steps from ``n`` down to 1 (``collatz_steps(27) == 111``).

    Keep this decorator and write plain Python ``while``/``if`` on tensors: AutoGraph turns them
    into a graph loop. ``n <= 1`` gives 0.

    Args:
        n: an ``int32`` scalar tensor (Python ints are converted by the signature).

    Returns:
        An ``int32`` scalar tensor.
    """
    ### BEGIN SOLUTION
    steps = tf.constant(0, tf.int32)
    while n > 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps
    ### END SOLUTION


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
