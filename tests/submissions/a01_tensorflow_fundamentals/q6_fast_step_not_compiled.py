# expect: {"q6": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# The decorator on fast_step was dropped ("it gives the same numbers anyway"): no graph, no speedup.
# %% [q6]
def step(x):
    """16 rounds of x = tanh(1.5x + 0.1) - 0.05x."""
    for _ in range(16):
        x = tf.tanh(1.5 * x + 0.1) - 0.05 * x
    return x


def fast_step(x):
    """Same as step."""
    return step(x)


@tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
def collatz_steps(n):
    """Collatz steps."""
    steps = tf.constant(0, tf.int32)
    while n > 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@contextlib.contextmanager
def eager_debugging():
    """Run tf.functions eagerly inside the block."""
    previous = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(previous)
