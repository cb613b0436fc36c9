"""Worker-side probes for A02, Core Tensor Operations.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker, so they hold no
expected answers: they wrap the namespace's functions (in a ``tf.function``, say), or are named
baselines the judge times against the student's code; the judge compares the outputs.
"""

import tensorflow as tf


def pairwise_sq_dists_loop(ns, a, b):
    """The named Python-loop baseline of Q2: one row of ``a`` at a time against all of ``b``."""
    a = tf.convert_to_tensor(a)
    b = tf.convert_to_tensor(b, a.dtype)
    rows = [tf.reduce_sum(tf.square(b - a[i]), axis=1) for i in range(int(a.shape[0]))]
    return tf.stack(rows)


def bias_variable_info(ns, seed):
    """What ``make_tensors(seed)["bias_10"]`` is: a variable? trainable?"""
    bias = ns["make_tensors"](seed)["bias_10"]
    return {"is_variable": isinstance(bias, tf.Variable), "trainable": bool(getattr(bias, "trainable", False))}


def traced_calls(ns, name, shape, dtype, inputs, extra=()):
    """Wrap ``ns[name]`` in a ``tf.function`` with one input of static ``shape`` (``None`` = unknown).

    Calls it on each input (with the extra positional arguments after it) and returns the outputs
    and the tracing count, so a function that reads unknown sizes from ``x.shape`` fails here.
    """
    fn = ns[name]
    wrapped = tf.function(lambda x: fn(x, *extra), input_signature=[tf.TensorSpec(shape, tf.as_dtype(dtype))])
    outputs = [wrapped(tf.constant(x, tf.as_dtype(dtype))) for x in inputs]
    return {"outputs": outputs, "traces": int(wrapped.experimental_get_tracing_count())}


def import_keras3(ns):
    """Import Keras 3 so that forbidden names in it resolve in this worker."""
    import keras  # noqa: F401

    return True
