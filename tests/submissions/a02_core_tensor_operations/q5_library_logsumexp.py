# expect: {"q5": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# logsumexp from tf.reduce_logsumexp: right values and gradients, but the question asks for the
# max-shift by hand, so the forbidden-call check fails. The rest is the reference.
# %% [q5]
def masked_mean(x, mask, axis=None, keepdims: bool = False) -> tf.Tensor:
    """Select, then divide with divide_no_nan."""
    total = tf.reduce_sum(tf.where(mask, x, tf.zeros_like(x)), axis=axis, keepdims=keepdims)
    count = tf.reduce_sum(tf.cast(mask, x.dtype), axis=axis, keepdims=keepdims)
    return tf.math.divide_no_nan(total, count)


def logsumexp(x, axis=None, keepdims: bool = False) -> tf.Tensor:
    """By TensorFlow."""
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def segment_mean(data, segment_ids, num_segments: int) -> tf.Tensor:
    """Sums over counts."""
    sums = tf.math.unsorted_segment_sum(data, segment_ids, num_segments)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(segment_ids, data.dtype), segment_ids, num_segments)
    counts = tf.reshape(counts, [-1] + [1] * (len(data.shape) - 1))
    return tf.math.divide_no_nan(sums, counts)


def standardize(x, axis: int = -1, epsilon: float = 1e-5) -> tf.Tensor:
    """Population standardization."""
    mean = tf.reduce_mean(x, axis=axis, keepdims=True)
    var = tf.reduce_mean(tf.square(x - mean), axis=axis, keepdims=True)
    return (x - mean) / tf.sqrt(var + epsilon)
