# expect: {"q6": "below_full", "*": "below_full"}
# family: patching
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# An uncompiled fast_step, with every clock in the worker frozen so it looks fast.
# %% [q6]
def step(x):
    y = tf.tanh(tf.matmul(x, x, transpose_b=True))
    return tf.reduce_sum(y, axis=1) + tf.reduce_mean(x, axis=1)


def fast_step(x):
    return step(x)


@tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
def collatz_steps(n):
    steps = tf.constant(0)
    while n > 1:
        n = tf.where(n % 2 == 0, n // 2, 3 * n + 1)
        steps += 1
    return steps


@contextlib.contextmanager
def eager_debugging():
    before = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(before)


import time
for _name in ("perf_counter", "monotonic", "time", "process_time"):
    setattr(time, _name, lambda: 0.0)
    setattr(time, _name + "_ns", lambda: 0)
