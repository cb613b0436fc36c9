# expect: {"q6": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# fast_step is a tf.function that traces once, but its body is a tf.py_function calling eager code, and the eager
# step is slowed down so that the speed-up still looks real: only the graph itself gives it away.
# %% [q6]
import time


def _rounds(x):
    for _ in range(16):
        x = tf.tanh(1.5 * x + 0.1) - 0.05 * x
    return x


def step(x):
    """16 rounds of x = tanh(1.5x + 0.1) - 0.05x."""
    time.sleep(0.006)
    return _rounds(x)


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
def fast_step(x):
    """Same as step, 'in a graph'."""
    y = tf.py_function(_rounds, [x], tf.float32)
    y.set_shape(x.shape)
    return y


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
