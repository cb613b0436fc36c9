# expect: {"q6": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# split_heads reshapes straight to (B, h, T, d) without the transpose (heads then mix time steps),
# and chunk calls tf.split(x, chunks), which needs an even split. interleave_rows, pad_and_stack
# and merge_heads are right.
# %% [q6]
def split_heads(x, num_heads: int) -> tf.Tensor:
    """Reshape to (B, h, T, d)."""
    depth = x.shape[-1]
    if depth % num_heads:
        raise ValueError("indivisible")
    s = tf.shape(x)
    return tf.reshape(x, [s[0], num_heads, s[1], depth // num_heads])


def merge_heads(x) -> tf.Tensor:
    """(B, H, T, d) -> (B, T, H*d)."""
    y = tf.transpose(x, [0, 2, 1, 3])
    s = tf.shape(y)
    return tf.reshape(y, [s[0], s[1], s[2] * s[3]])


def chunk(x, chunks: int, axis: int = 0) -> list:
    """Even pieces."""
    if chunks < 1:
        raise ValueError("chunks must be positive")
    return tf.split(x, chunks, axis=axis)


def interleave_rows(a, b) -> tf.Tensor:
    """Stack on axis 1, then merge the first two axes."""
    s = tf.shape(a)
    return tf.reshape(tf.stack([a, b], axis=1), tf.concat([[2 * s[0]], s[1:]], 0))


def pad_and_stack(sequences, pad_value=0) -> tuple:
    """Pad to the longest, then stack."""
    lengths = [int(s.shape[0]) for s in sequences]
    longest = max(lengths)
    padded = [tf.pad(s, [[0, longest - n]], constant_values=pad_value) for s, n in zip(sequences, lengths, strict=True)]
    return tf.stack(padded), tf.constant(lengths, tf.int32)
