# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf comes from the reference setup cell)
# A look-alike tf.function, no tampering tool: retraces for every call, reports one trace and an honest graph.
# %% [q2]
def ema_eager(x, alpha):
    """Exponential moving average of a vector, written once for eager and graph execution.

    ``s[0] = x[0]`` and ``s[i] = alpha * x[i] + (1 - alpha) * s[i - 1]``. Write a Python ``for``
    loop over ``tf.range(n)`` with ``n = tf.shape(x)[0]`` and collect the values in a
    ``tf.TensorArray``. Called directly, the loop runs eagerly, op by op; inside ``tf.function``
    AutoGraph turns the same loop into one graph ``While`` op.

    Args:
        x: a ``float32`` vector with at least one element.
        alpha: the smoothing factor in ``(0, 1]``, a Python float or a ``float32`` scalar.

    Returns:
        A ``float32`` vector of the shape of ``x``.
    """
    ### BEGIN SOLUTION
    n = tf.shape(x)[0]
    out = tf.TensorArray(tf.float32, size=n)
    s = x[0]
    for i in tf.range(n):
        s = alpha * x[i] + (1.0 - alpha) * s
        out = out.write(i, s)
    return out.stack()
    ### END SOLUTION


def make_ema():
    """Compile ``ema_eager`` into a ``tf.function`` that traces only once.

    Callers pass vectors of every length and ``alpha`` as a Python float. A plain
    ``tf.function(ema_eager)`` retraces for every new length and for every new Python float
    (Python values are baked into the graph as constants); give it an input signature instead.

    Returns:
        The ``tf.function``.
    """
    ### BEGIN SOLUTION
    # The cheat: a plain tf.function (it retraces for every length and every Python float) dressed as one that
    # traced once, handing over the graph of an honest twin with an input signature.
    retracing = tf.function(ema_eager)
    honest = tf.function(ema_eager, input_signature=[tf.TensorSpec([None], tf.float32),
                                                     tf.TensorSpec([], tf.float32)])

    class LookAlike(tf.types.experimental.PolymorphicFunction):
        def __call__(self, *args, **kwargs):
            return retracing(*args, **kwargs)

        def get_concrete_function(self, *args, **kwargs):
            return honest.get_concrete_function(*args, **kwargs)

        def experimental_get_tracing_count(self):
            return 1

        @property
        def function_type(self):
            return honest.function_type

    return LookAlike()
    ### END SOLUTION


@tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
def clip_or_scale(x):
    """Bring a vector into ``[-1, 1]`` with a data-dependent branch.

    Keep this decorator. If ``tf.reduce_max(tf.abs(x)) > 1``: when ``tf.reduce_sum(x) > 0``
    return ``x / tf.reduce_max(tf.abs(x))`` (scale), otherwise ``tf.clip_by_value(x, -1, 1)``
    (clip). A vector already inside ``[-1, 1]`` is returned unchanged. Write Python ``if``
    statements on tensors; AutoGraph turns them into graph ``If`` ops (``tf.cond``).

    Args:
        x: a ``float32`` vector.

    Returns:
        A ``float32`` vector of the shape of ``x``.
    """
    ### BEGIN SOLUTION
    peak = tf.reduce_max(tf.abs(x))
    if peak > 1.0:
        if tf.reduce_sum(x) > 0.0:
            x = x / peak
        else:
            x = tf.clip_by_value(x, -1.0, 1.0)
    return x
    ### END SOLUTION


ema = make_ema()


