"""Facts about a student's ``tf.function``, read through TensorFlow's own class, never through the object's methods.

An object with a ``get_concrete_function`` that returns a decoy graph and an ``experimental_get_tracing_count`` that
returns 1 is ordinary Python, which the source policy does not forbid. So a structural check accepts only an object
whose type is exactly TensorFlow's ``Function`` (what ``tf.function`` returns, decorated methods included), and calls
that class's methods on it, so nothing the object or a subclass defines answers for it. Anything else callable is
traced afresh with ``tf.function``: its graph is then what its ``__call__`` really computes.
"""

from __future__ import annotations


def _function_class():
    from tensorflow.python.eager.polymorphic_function.polymorphic_function import Function

    return Function


def genuine(fn) -> bool:
    """Whether ``fn`` is a real ``tf.function`` (its type exactly TensorFlow's, not a subclass or a look-alike)."""
    return type(fn) is _function_class()


def concrete_function(fn, *signature):
    """The concrete function that ``fn`` traces for ``signature``; a non-``tf.function`` is wrapped in one first."""
    import tensorflow as tf

    function = _function_class()
    if not genuine(fn):
        fn = tf.function(fn)
    return function.get_concrete_function(fn, *signature)


def tracing_count(fn) -> int | None:
    """How many times a real ``tf.function`` has traced; None for anything else."""
    return int(_function_class().experimental_get_tracing_count(fn)) if genuine(fn) else None
