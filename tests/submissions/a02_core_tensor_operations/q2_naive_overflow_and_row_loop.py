# expect: {"q2": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The formulas straight from the textbook: softmax without the max shift and log(1 + exp(x)) both
# overflow for large inputs, and the distances loop over the rows in Python (right, but slow).
# broadcast_shape is right.
# %% [q2]
def broadcast_shape(shape_a, shape_b) -> tuple:
    """Broadcasting rule."""
    a, b = list(shape_a), list(shape_b)
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            raise ValueError("incompatible")
        out.append(y if x == 1 else x)
    return tuple(out)


def pairwise_sq_dists(a, b) -> tf.Tensor:
    """One row at a time."""
    return tf.stack([tf.reduce_sum(tf.square(b - a[i]), axis=1) for i in range(a.shape[0])])


def stable_softmax(x, axis: int = -1) -> tf.Tensor:
    """exp / sum exp."""
    e = tf.exp(x)
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)


def softplus(x) -> tf.Tensor:
    """log(1 + exp(x))."""
    return tf.math.log(1.0 + tf.exp(x))
