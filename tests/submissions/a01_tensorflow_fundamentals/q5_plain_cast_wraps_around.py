# expect: {"q5": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# A student who trusts tf.cast to clamp: out-of-range values wrap around (300.7 -> 44 for uint8).
# %% [q5]
def saturating_cast(x, dtype) -> tf.Tensor:
    """Cast to an integer dtype, clamping out-of-range values."""
    return tf.cast(x, dtype)


def promote_and_add(a, b) -> tf.Tensor:
    """Add after explicit promotion (reference solution)."""
    a, b = tf.convert_to_tensor(a), tf.convert_to_tensor(b)
    for t in (a, b):
        if t.dtype == tf.string:
            raise TypeError("strings")
    out = tf.as_dtype(np.promote_types(a.dtype.as_numpy_dtype, b.dtype.as_numpy_dtype))
    if out == tf.bool:
        return tf.logical_or(a, b)
    return tf.cast(a, out) + tf.cast(b, out)


@tf.function(input_signature=[tf.TensorSpec([None, None, None], tf.float32)])
def flatten_keep_batch(x):
    """Flatten (B, H, W) to (B, H*W)."""
    s = tf.shape(x)
    return tf.reshape(x, [s[0], s[1] * s[2]])


def nbytes(x) -> int:
    """Bytes of a tensor."""
    t = tf.convert_to_tensor(x)
    if t.dtype == tf.string:
        raise TypeError("strings")
    return int(tf.size(t)) * t.dtype.size
