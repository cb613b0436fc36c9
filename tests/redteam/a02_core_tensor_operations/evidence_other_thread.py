# expect: {"q5": "below_full"}
# family: evidence
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Calls the forbidden routine from a thread of its own, outside the profiled thread; no tampering tool (a tape does not follow it there, so gradients are lost too).
# %% [q5]
def masked_mean(x, mask, axis=None, keepdims: bool = False) -> tf.Tensor:
    """Mean of the entries of ``x`` where ``mask`` is True.

    Masked-out entries may hold NaN or inf and must not affect the result (select, do not
    multiply: ``nan * 0`` is ``nan``). Where no entry is selected, the mean is 0.

    Args:
        x: a float tensor.
        mask: a ``tf.bool`` tensor of ``x``'s shape.
        axis: ``None`` (all axes), an int or a list of ints.
        keepdims: keep reduced axes with size 1.

    Returns:
        A tensor of ``x``'s dtype.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    mask = tf.convert_to_tensor(mask, tf.bool)
    total = tf.reduce_sum(tf.where(mask, x, tf.zeros_like(x)), axis=axis, keepdims=keepdims)
    count = tf.reduce_sum(tf.cast(mask, x.dtype), axis=axis, keepdims=keepdims)
    return tf.math.divide_no_nan(total, count)
    ### END SOLUTION


def logsumexp(x, axis=None, keepdims: bool = False) -> tf.Tensor:
    import threading
    out = {}
    worker = threading.Thread(target=lambda: out.update(value=tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)))
    worker.start()
    worker.join()
    return out["value"]


def segment_mean(data, segment_ids, num_segments: int) -> tf.Tensor:
    """Mean of the rows of ``data`` in each segment; ids need not be sorted.

    Empty segments give 0. ``tf.math.unsorted_segment_sum`` (or ``_mean``) may be used.

    Args:
        data: a float tensor of shape ``(N, ...)``.
        segment_ids: an integer tensor of shape ``(N,)`` with values in ``[0, num_segments)``.
        num_segments: the number of segments.

    Returns:
        A tensor of shape ``(num_segments, ...)``, same dtype as ``data``.
    """
    ### BEGIN SOLUTION
    data = tf.convert_to_tensor(data)
    sums = tf.math.unsorted_segment_sum(data, segment_ids, num_segments)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(segment_ids, dtype=data.dtype), segment_ids, num_segments)
    counts = tf.reshape(counts, tf.concat([[num_segments], tf.ones([tf.rank(data) - 1], tf.int32)], axis=0))
    return tf.math.divide_no_nan(sums, counts)
    ### END SOLUTION


def standardize(x, axis: int = -1, epsilon: float = 1e-5) -> tf.Tensor:
    """``(x - mean) / sqrt(var + epsilon)`` along ``axis``, with the population variance.

    Args:
        x: a float tensor.
        axis: the axis to standardize over.
        epsilon: added to the variance.

    Returns:
        A tensor of ``x``'s shape and dtype.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    mean = tf.reduce_mean(x, axis=axis, keepdims=True)
    var = tf.reduce_mean(tf.square(x - mean), axis=axis, keepdims=True)
    return (x - mean) / tf.sqrt(var + tf.cast(epsilon, x.dtype))
    ### END SOLUTION
