# expect: {"q5": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# masked_mean multiplies by the mask (NaN * 0 is NaN) and divides by a count that can be 0;
# logsumexp is log(sum(exp(x))) without the max shift (overflow, log(0)). segment_mean and
# standardize are right.
# %% [q5]
def masked_mean(x, mask, axis=None, keepdims: bool = False) -> tf.Tensor:
    """sum(x * mask) / sum(mask)."""
    m = tf.cast(mask, x.dtype)
    return tf.reduce_sum(x * m, axis=axis, keepdims=keepdims) / tf.reduce_sum(m, axis=axis, keepdims=keepdims)


def logsumexp(x, axis=None, keepdims: bool = False) -> tf.Tensor:
    """The formula as written."""
    return tf.math.log(tf.reduce_sum(tf.exp(x), axis=axis, keepdims=keepdims))


def segment_mean(data, segment_ids, num_segments: int) -> tf.Tensor:
    """Segment mean (TensorFlow's own)."""
    return tf.math.unsorted_segment_mean(data, segment_ids, num_segments)


def standardize(x, axis: int = -1, epsilon: float = 1e-5) -> tf.Tensor:
    """Population standardization."""
    mean, var = tf.nn.moments(x, axes=[axis], keepdims=True)
    return (x - mean) / tf.sqrt(var + epsilon)
