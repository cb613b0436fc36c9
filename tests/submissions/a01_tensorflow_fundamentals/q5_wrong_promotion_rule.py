# expect: {"q5": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, contextlib, ... come from the reference setup cell)
# "The wider dtype wins, floats beat ints at equal width": int32 + float32 -> float32 (loses
# integers above 2**24), uint8 + int8 -> int8 (wraps 200). Everything else in q5 is right.
# %% [q5]
def saturating_cast(x, dtype) -> tf.Tensor:
    """Cast to an integer dtype, clamping out-of-range values."""
    x = tf.convert_to_tensor(x)
    dtype = tf.as_dtype(dtype)
    wide = tf.cast(x, tf.float64) if x.dtype.is_floating else tf.cast(x, tf.int64)
    if x.dtype.is_floating:
        wide = tf.where(tf.math.is_nan(wide), tf.zeros_like(wide), wide)
        lo, hi = float(dtype.min), float(dtype.max)
    else:
        lo, hi = int(dtype.min), int(min(dtype.max, 2**63 - 1))
    below, above = wide <= lo, wide >= hi
    cast = tf.cast(tf.where(below | above, tf.zeros_like(wide), wide), dtype)
    return tf.where(above, tf.constant(dtype.max, dtype), tf.where(below, tf.constant(dtype.min, dtype), cast))


def promote_and_add(a, b) -> tf.Tensor:
    """Add after promotion to the wider dtype."""
    a, b = tf.convert_to_tensor(a), tf.convert_to_tensor(b)
    if tf.string in (a.dtype, b.dtype):
        raise TypeError("strings")

    def rank(d):
        return (d.size, 0 if d.is_integer or d == tf.bool else 1 if d.is_floating else 2)

    out = a.dtype if rank(a.dtype) >= rank(b.dtype) else b.dtype
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
