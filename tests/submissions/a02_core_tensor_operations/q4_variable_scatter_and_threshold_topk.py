# expect: {"q4": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# scatter_rows copies x into a tf.Variable and updates it in place: the values are right but the
# result is cut off from x and values, so the gradients are None. top_k_mask keeps everything at
# least as large as the k-th value, so ties give more than k entries. The rest is right.
# %% [q4]
def batched_gather(params, indices) -> tf.Tensor:
    """Gather per batch row."""
    return tf.gather(params, indices, batch_dims=1)


def top_k_mask(x, k: int) -> tf.Tensor:
    """Threshold at the k-th largest value."""
    if k == 0:
        return tf.zeros_like(x, dtype=tf.bool)
    values, _ = tf.math.top_k(x, k=k)
    return x >= values[..., -1:]


def scatter_rows(x, rows, values) -> tf.Tensor:
    """Update a variable copy."""
    var = tf.Variable(x)
    var.scatter_nd_update(tf.reshape(rows, [-1, 1]), values)
    return tf.convert_to_tensor(var)


def center_crop(images, height: int, width: int) -> tf.Tensor:
    """Slice the middle."""
    top = (images.shape[1] - height) // 2
    left = (images.shape[2] - width) // 2
    return images[:, top:top + height, left:left + width, :]


def select_positive(x) -> tf.Tensor:
    """Boolean mask."""
    return tf.boolean_mask(x, x > 0)
