# expect: {"q2": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# Correct numbers from the library routines the question asks to write by hand: the broadcast rule
# from tf.broadcast_static_shape, softmax from tf.nn.softmax, softplus from tf.math.softplus.
# %% [q2]
def broadcast_shape(shape_a, shape_b) -> tuple:
    """Broadcast shape, by TensorFlow."""
    try:
        out = tf.broadcast_static_shape(tf.TensorShape(list(shape_a)), tf.TensorShape(list(shape_b)))
    except ValueError:
        raise
    return tuple(int(d) for d in out)


def pairwise_sq_dists(a, b) -> tf.Tensor:
    """Expanded squared distances."""
    sq_a = tf.reduce_sum(a * a, axis=1)[:, None]
    sq_b = tf.reduce_sum(b * b, axis=1)[None, :]
    return tf.maximum(sq_a - 2.0 * tf.matmul(a, b, transpose_b=True) + sq_b, 0.0)


def stable_softmax(x, axis: int = -1) -> tf.Tensor:
    """Softmax, by TensorFlow."""
    return tf.nn.softmax(x, axis=axis)


def softplus(x) -> tf.Tensor:
    """Softplus, by TensorFlow."""
    return tf.math.softplus(x)
