# expect: {"q6": "below_full"}
# family: evidence
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Look-alike tf.functions in ordinary Python, no tampering tool: subclasses of TensorFlow's public PolymorphicFunction
# type whose __call__ loops in Python (through tf.py_function for fast_step) while get_concrete_function hands over a
# real graph of the honest code and experimental_get_tracing_count says 1.
# %% [q6]
def step(x):
    for _ in range(16):
        x = tf.tanh(1.5 * x + 0.1) - 0.05 * x
    return x


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
def _honest_fast_step(x):
    return step(x)


@tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
def _honest_collatz(n):
    steps = tf.constant(0, tf.int32)
    while n > 1:
        n = tf.where(n % 2 == 0, n // 2, 3 * n + 1)
        steps += 1
    return steps


class _LookAlike(tf.types.experimental.PolymorphicFunction):
    def __init__(self, run, honest):
        self._run, self._honest = run, honest

    def __call__(self, *args, **kwargs):
        return self._run(*args, **kwargs)

    def get_concrete_function(self, *args, **kwargs):
        return self._honest.get_concrete_function(*args, **kwargs)

    def experimental_get_tracing_count(self):
        return 1

    @property
    def function_type(self):
        return self._honest.function_type


def _python_collatz(n):
    n, steps = int(n), 0
    while n > 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return tf.constant(steps, tf.int32)


fast_step = _LookAlike(lambda x: tf.py_function(step, [x], tf.float32), _honest_fast_step)
collatz_steps = _LookAlike(_python_collatz, _honest_collatz)


@contextlib.contextmanager
def eager_debugging():
    previous = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(previous)
