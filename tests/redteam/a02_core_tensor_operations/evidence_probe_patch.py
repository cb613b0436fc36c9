# expect: {"q1": "below_full", "q2": "below_full", "q3": "below_full", "q5": "below_full", "q6": "below_full"}
# family: evidence
# Beyond its target: the notebook names a tampering tool, so every structural check of every question fails.
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# A row loop as slow as the named baseline, and the probe that runs that baseline patched to sleep, so the loop looks vectorized.
# %% [q2]
import sys as _sys
import time as _time

for _module in list(_sys.modules.values()):
    _loop = getattr(_module, "pairwise_sq_dists_loop", None)
    if callable(_loop) and not getattr(_loop, "_slowed", False):
        def _slow(ns, a, b, _inner=_loop):
            _time.sleep(0.05)
            return _inner(ns, a, b)

        _slow._slowed = True
        _module.pairwise_sq_dists_loop = _slow


def broadcast_shape(shape_a, shape_b) -> tuple:
    """The shape NumPy/TensorFlow broadcasting gives two operands, by the rule, by hand.

    Align the shapes on the right; missing leading dimensions count as 1. Two dimensions are
    compatible when they are equal or one of them is 1 (the result takes the other one; note that
    ``1`` against ``0`` gives ``0``). Do not call ``tf.broadcast_static_shape``,
    ``tf.broadcast_dynamic_shape`` or NumPy's broadcasting helpers.

    Args:
        shape_a: a tuple or list of non-negative ints.
        shape_b: a tuple or list of non-negative ints.

    Returns:
        The broadcast shape as a tuple of Python ints.

    Raises:
        ValueError: if the shapes are not compatible.
    """
    ### BEGIN SOLUTION
    a = [int(d) for d in shape_a]
    b = [int(d) for d in shape_b]
    rank = max(len(a), len(b))
    a = [1] * (rank - len(a)) + a
    b = [1] * (rank - len(b)) + b
    out = []
    for i, (da, db) in enumerate(zip(a, b, strict=True)):
        if da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        else:
            raise ValueError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} are incompatible at axis {i - rank}")
    return tuple(out)
    ### END SOLUTION


def pairwise_sq_dists(a, b) -> tf.Tensor:
    a = tf.convert_to_tensor(a)
    b = tf.convert_to_tensor(b, dtype=a.dtype)
    rows = [tf.reduce_sum(tf.square(b - a[i]), axis=1) for i in range(int(a.shape[0]))]
    return tf.stack(rows)


def stable_softmax(x, axis: int = -1) -> tf.Tensor:
    """Softmax along ``axis`` that never overflows, by hand.

    Subtract the maximum along ``axis`` before ``tf.exp`` (softmax is unchanged by a shift), so
    logits of +-1000 give finite results. Do not call ``tf.nn.softmax`` or ``tf.nn.log_softmax``.

    Args:
        x: a float tensor with finite values.
        axis: the axis to normalize over.

    Returns:
        A tensor of ``x``'s shape and dtype whose slices along ``axis`` sum to 1.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    # The shift is a constant for the gradient: softmax does not depend on it.
    shifted = x - tf.stop_gradient(tf.reduce_max(x, axis=axis, keepdims=True))
    e = tf.exp(shifted)
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)
    ### END SOLUTION


def softplus(x) -> tf.Tensor:
    """``log(1 + exp(x))`` without overflow, by hand.

    ``tf.math.log(1 + tf.exp(x))`` is ``inf`` for ``x > 88`` in ``float32``; use the identity
    ``softplus(x) = max(x, 0) + log1p(exp(-|x|))``. Do not call ``tf.nn.softplus``.

    Args:
        x: a float tensor.

    Returns:
        A tensor of ``x``'s shape and dtype.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    return tf.maximum(x, tf.zeros((), x.dtype)) + tf.math.log1p(tf.exp(-tf.abs(x)))
    ### END SOLUTION
