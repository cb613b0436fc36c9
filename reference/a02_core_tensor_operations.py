"""Reference solution for A02, Core Tensor Operations.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro): ``tf.log`` does not exist in TF 2
(use ``tf.math.log``); ``tf.where(cond, x, y)`` needs ``x`` and ``y`` of the same dtype; unseeded
``tf.random.normal`` depends on the global seed *and* on op-creation order, so reproducible draws use
the stateless ``tf.random.stateless_*`` functions.
"""

# %% [setup]

import math
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: F401  (for the student's own use)
import tensorflow as tf


# %% [q1]
def make_tensors(seed: int) -> dict:
    """Create the basic tensors of the course text, reproducibly.

    Args:
        seed: an int; the same seed must give bitwise the same random tensors.

    Returns:
        A dict with exactly these keys:

        - ``zeros33``: ``float32`` zeros of shape ``(3, 3)``.
        - ``eye4``: the ``float32`` identity matrix of shape ``(4, 4)``.
        - ``fill_2x3_7``: an ``int32`` tensor of shape ``(2, 3)`` filled with 7.
        - ``normal_2x4``: ``tf.random.stateless_normal((2, 4), seed=[seed, 0])`` (``float32``).
        - ``uniform_3``: ``tf.random.stateless_uniform((3,), seed=[seed, 1], minval=-1.0,
          maxval=1.0)`` (``float32``).
        - ``bias_10``: a trainable ``tf.Variable`` of 10 ``float32`` zeros.
    """
    ### BEGIN SOLUTION
    return {
        "zeros33": tf.zeros((3, 3), tf.float32),
        "eye4": tf.eye(4, dtype=tf.float32),
        "fill_2x3_7": tf.fill((2, 3), tf.constant(7, tf.int32)),
        # Stateless draws depend only on (shape, seed): no global state, no op-order dependence.
        "normal_2x4": tf.random.stateless_normal((2, 4), seed=[seed, 0]),
        "uniform_3": tf.random.stateless_uniform((3,), seed=[seed, 1], minval=-1.0, maxval=1.0),
        "bias_10": tf.Variable(tf.zeros((10,), tf.float32), trainable=True),
    }
    ### END SOLUTION


def compute_fans(shape) -> tuple:
    """Fan-in and fan-out of a weight tensor, as Keras computes them.

    - rank 0: ``(1, 1)``; rank 1: ``(n, n)``; rank 2 ``(n_in, n_out)``: ``(n_in, n_out)``;
    - rank >= 3 (convolution kernels ``(*spatial, in_channels, out_channels)``): the receptive
      field size ``r = prod(spatial)`` multiplies both, ``(in_channels * r, out_channels * r)``.

    Args:
        shape: a tuple or list of ints.

    Returns:
        ``(fan_in, fan_out)`` as Python ints.
    """
    ### BEGIN SOLUTION
    shape = [int(d) for d in shape]
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], shape[0])
    if len(shape) == 2:
        return (shape[0], shape[1])
    receptive = math.prod(shape[:-2])
    return (shape[-2] * receptive, shape[-1] * receptive)
    ### END SOLUTION


def glorot_uniform(shape, seed: int) -> tf.Tensor:
    """Glorot (Xavier) uniform initializer, from its formula.

    Draw ``tf.random.stateless_uniform(shape, seed=[seed, 0], minval=-limit, maxval=limit)`` with
    ``limit = sqrt(6 / (fan_in + fan_out))`` and the fans of ``compute_fans``. Do not call a Keras
    or ``tf.compat.v1`` initializer.

    Args:
        shape: the weight shape (tuple of ints).
        seed: an int.

    Returns:
        A ``float32`` tensor of that shape.
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = compute_fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return tf.random.stateless_uniform(tuple(shape), seed=[seed, 0], minval=-limit, maxval=limit)
    ### END SOLUTION


def he_normal(shape, seed: int) -> tf.Tensor:
    """He (Kaiming) normal initializer, from its formula.

    Draw ``tf.random.stateless_truncated_normal(shape, seed=[seed, 0], stddev=s)``. The target
    standard deviation is ``sqrt(2 / fan_in)``, but truncating at two standard deviations shrinks
    it by the factor ``0.87962566103423978``, so ``s = sqrt(2 / fan_in) / 0.87962566103423978``.
    Do not call a Keras or ``tf.compat.v1`` initializer.

    Args:
        shape: the weight shape (tuple of ints).
        seed: an int.

    Returns:
        A ``float32`` tensor of that shape.
    """
    ### BEGIN SOLUTION
    fan_in, _ = compute_fans(shape)
    # Std of a standard normal truncated to [-2, 2]; dividing restores the intended variance.
    stddev = math.sqrt(2.0 / fan_in) / 0.87962566103423978
    return tf.random.stateless_truncated_normal(tuple(shape), seed=[seed, 0], stddev=stddev)
    ### END SOLUTION


# %% [q2]
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
    """Squared Euclidean distances between the rows of ``a`` and ``b``, fully vectorized.

    Use ``||a_i||^2 - 2 a_i . b_j + ||b_j||^2`` (one ``tf.matmul`` plus broadcasting, no Python
    loop) and clip at 0, since rounding can make tiny distances slightly negative.

    Args:
        a: a float tensor of shape ``(n, d)``.
        b: a float tensor of shape ``(m, d)``.

    Returns:
        A tensor of shape ``(n, m)``, same dtype as the inputs.
    """
    ### BEGIN SOLUTION
    a = tf.convert_to_tensor(a)
    b = tf.convert_to_tensor(b, dtype=a.dtype)
    sq_a = tf.reduce_sum(a * a, axis=1, keepdims=True)  # (n, 1)
    sq_b = tf.reduce_sum(b * b, axis=1, keepdims=True)  # (m, 1)
    cross = tf.matmul(a, b, transpose_b=True)  # (n, m)
    return tf.maximum(sq_a - 2.0 * cross + tf.transpose(sq_b), tf.zeros((), a.dtype))
    ### END SOLUTION


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


# %% [q3]
def space_to_depth(x, block_size: int) -> tf.Tensor:
    """Move ``block_size x block_size`` spatial blocks into the channel axis (NHWC), by hand.

    ``(B, H, W, C) -> (B, H/b, W/b, b*b*C)``, with the same element order as
    ``tf.nn.space_to_depth``: output channel ``(dy * b + dx) * C + c`` of output pixel ``(i, j)``
    holds input pixel ``(i*b + dy, j*b + dx)``, channel ``c``. Use only ``tf.reshape`` and
    ``tf.transpose`` (with ``tf.shape`` for sizes, so it also works inside a ``tf.function`` with
    unknown dimensions). Do not call ``tf.nn.space_to_depth``.

    Args:
        x: a rank-4 tensor of any dtype.
        block_size: an int >= 1.

    Returns:
        The rearranged tensor, same dtype.

    Raises:
        ValueError: if a known ``H`` or ``W`` is not divisible by ``block_size``.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    b = int(block_size)
    for dim in (x.shape[1], x.shape[2]):
        if dim is not None and dim % b:
            raise ValueError(f"spatial size {dim} is not divisible by block_size {b}")
    s = tf.shape(x)
    batch, height, width, channels = s[0], s[1], s[2], s[3]
    y = tf.reshape(x, tf.stack([batch, height // b, b, width // b, b, channels]))
    y = tf.transpose(y, [0, 1, 3, 2, 4, 5])  # (B, H/b, W/b, dy, dx, C)
    return tf.reshape(y, tf.stack([batch, height // b, width // b, b * b * channels]))
    ### END SOLUTION


def depth_to_space(x, block_size: int) -> tf.Tensor:
    """The inverse of ``space_to_depth``: ``(B, H, W, b*b*C) -> (B, H*b, W*b, C)``, by hand.

    Same element order as ``tf.nn.depth_to_space``; only reshape/transpose with dynamic sizes.
    Do not call ``tf.nn.depth_to_space``.

    Args:
        x: a rank-4 tensor of any dtype.
        block_size: an int >= 1.

    Returns:
        The rearranged tensor, same dtype.

    Raises:
        ValueError: if a known channel count is not divisible by ``block_size ** 2``.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    b = int(block_size)
    if x.shape[3] is not None and x.shape[3] % (b * b):
        raise ValueError(f"channels {x.shape[3]} are not divisible by block_size**2 = {b * b}")
    s = tf.shape(x)
    batch, height, width, depth = s[0], s[1], s[2], s[3]
    channels = depth // (b * b)
    y = tf.reshape(x, tf.stack([batch, height, width, b, b, channels]))
    y = tf.transpose(y, [0, 1, 3, 2, 4, 5])  # (B, H, dy, W, dx, C)
    return tf.reshape(y, tf.stack([batch, height * b, width * b, channels]))
    ### END SOLUTION


def patchify(images, patch_size: int) -> tf.Tensor:
    """Cut images into non-overlapping square patches, each flattened (the ViT input).

    ``(B, H, W, C) -> (B, (H/p) * (W/p), p*p*C)``; patches in row-major order (left to right,
    then top to bottom), each flattened in ``(row, column, channel)`` order, as
    ``tf.image.extract_patches`` with ``sizes = strides = [1, p, p, 1]`` would give. Do not call
    ``tf.image.extract_patches``.

    Args:
        images: a rank-4 tensor.
        patch_size: an int ``p`` that divides ``H`` and ``W``.

    Returns:
        The patches tensor, same dtype.
    """
    ### BEGIN SOLUTION
    # A patch is exactly one output pixel of space_to_depth; only the grid gets flattened.
    blocks = space_to_depth(images, patch_size)
    s = tf.shape(blocks)
    return tf.reshape(blocks, tf.stack([s[0], s[1] * s[2], s[3]]))
    ### END SOLUTION


def unpatchify(patches, patch_size: int, height: int, width: int) -> tf.Tensor:
    """The inverse of ``patchify``: ``(B, (H/p) * (W/p), p*p*C) -> (B, H, W, C)``.

    Args:
        patches: a rank-3 tensor from ``patchify``.
        patch_size: the ``p`` used by ``patchify``.
        height: the image height ``H``.
        width: the image width ``W``.

    Returns:
        The images tensor, same dtype.
    """
    ### BEGIN SOLUTION
    p = int(patch_size)
    s = tf.shape(patches)
    grid = tf.reshape(patches, tf.stack([s[0], height // p, width // p, s[2]]))
    return depth_to_space(grid, p)
    ### END SOLUTION


# %% [q4]
def batched_gather(params, indices) -> tf.Tensor:
    """For every batch row ``i``, pick the rows ``indices[i]`` of ``params[i]``.

    ``out[i, k] = params[i, indices[i, k]]``. (``tf.gather`` with ``batch_dims=1`` does this; the
    gradient flows back to ``params`` and adds up where an index repeats.)

    Args:
        params: a tensor of shape ``(B, N, D)``.
        indices: an integer tensor of shape ``(B, K)`` with values in ``[0, N)``.

    Returns:
        A tensor of shape ``(B, K, D)``, same dtype as ``params``.
    """
    ### BEGIN SOLUTION
    return tf.gather(params, indices, batch_dims=1)
    ### END SOLUTION


def top_k_mask(x, k: int) -> tf.Tensor:
    """Boolean mask of the ``k`` largest entries along the last axis.

    Exactly ``k`` entries per row are True, also with ties: among equal values the one with the
    lower index wins, as in ``tf.math.top_k``.

    Args:
        x: a real tensor of rank >= 1 whose last axis has at least ``k`` entries.
        k: an int >= 0.

    Returns:
        A ``tf.bool`` tensor of ``x``'s shape.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    _, idx = tf.math.top_k(x, k=k)  # (..., k), ties resolved toward the lower index
    hits = tf.one_hot(idx, depth=tf.shape(x)[-1], dtype=tf.int32)  # (..., k, n)
    return tf.reduce_sum(hits, axis=-2) > 0
    ### END SOLUTION


def scatter_rows(x, rows, values) -> tf.Tensor:
    """A copy of ``x`` with ``x[rows[j]]`` replaced by ``values[j]``, out of place.

    Tensors are immutable, so use ``tf.tensor_scatter_nd_update`` (not a ``tf.Variable``: the
    result must be differentiable with respect to both ``x`` and ``values``). ``rows`` has no
    duplicates.

    Args:
        x: a tensor of shape ``(N, ...)``.
        rows: an integer tensor of shape ``(R,)`` with distinct values in ``[0, N)``.
        values: a tensor of shape ``(R, ...)``, same dtype as ``x``.

    Returns:
        A new tensor of ``x``'s shape and dtype.
    """
    ### BEGIN SOLUTION
    rows = tf.convert_to_tensor(rows)
    return tf.tensor_scatter_nd_update(x, rows[:, tf.newaxis], values)
    ### END SOLUTION


def center_crop(images, height: int, width: int) -> tf.Tensor:
    """The central ``height x width`` window of each image, by slicing.

    The window starts at row ``(H - height) // 2`` and column ``(W - width) // 2``.

    Args:
        images: a tensor of shape ``(B, H, W, C)`` with ``H >= height`` and ``W >= width``.
        height: the crop height.
        width: the crop width.

    Returns:
        A tensor of shape ``(B, height, width, C)``.
    """
    ### BEGIN SOLUTION
    images = tf.convert_to_tensor(images)
    s = tf.shape(images)
    top = (s[1] - height) // 2
    left = (s[2] - width) // 2
    return images[:, top:top + height, left:left + width, :]
    ### END SOLUTION


def select_positive(x) -> tf.Tensor:
    """The strictly positive entries of ``x``, in row-major order, as a 1-D tensor.

    Args:
        x: a real tensor of any shape.

    Returns:
        A 1-D tensor of ``x``'s dtype (possibly empty).
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    return tf.boolean_mask(tf.reshape(x, [-1]), tf.reshape(x > 0, [-1]))
    ### END SOLUTION


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
    """``log(sum(exp(x)))`` along ``axis``, without overflow, by hand.

    Subtract the maximum first. Entries of ``-inf`` contribute nothing; a slice that is all
    ``-inf`` gives ``-inf`` (not NaN). Do not call ``tf.reduce_logsumexp``.

    Args:
        x: a float tensor.
        axis: ``None`` (all axes), an int or a list of ints.
        keepdims: keep reduced axes with size 1.

    Returns:
        A tensor of ``x``'s dtype.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    peak = tf.reduce_max(x, axis=axis, keepdims=True)
    # An all -inf slice has peak -inf, and -inf - -inf is NaN: shift such slices by 0 instead.
    peak = tf.stop_gradient(tf.where(tf.math.is_finite(peak), peak, tf.zeros_like(peak)))
    out = tf.math.log(tf.reduce_sum(tf.exp(x - peak), axis=axis, keepdims=True)) + peak
    if not keepdims:
        out = tf.squeeze(out, axis=axis)
    return out
    ### END SOLUTION


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


# %% [q6]
def split_heads(x, num_heads: int) -> tf.Tensor:
    """``(B, T, D) -> (B, num_heads, T, D / num_heads)`` for multi-head attention.

    Head ``h`` takes the features ``h * D/num_heads`` to ``(h + 1) * D/num_heads - 1``. Use
    ``tf.shape`` for ``B`` and ``T`` so it works inside a ``tf.function`` with unknown sizes.

    Args:
        x: a rank-3 tensor.
        num_heads: an int that divides ``D``.

    Returns:
        The rank-4 tensor, same dtype.

    Raises:
        ValueError: if ``D`` is not divisible by ``num_heads``.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    depth = x.shape[-1]
    if depth is None or depth % num_heads:
        raise ValueError(f"feature size {depth} is not divisible by num_heads={num_heads}")
    s = tf.shape(x)
    y = tf.reshape(x, tf.stack([s[0], s[1], num_heads, depth // num_heads]))
    return tf.transpose(y, [0, 2, 1, 3])
    ### END SOLUTION


def merge_heads(x) -> tf.Tensor:
    """The inverse of ``split_heads``: ``(B, H, T, d) -> (B, T, H * d)``.

    Args:
        x: a rank-4 tensor.

    Returns:
        The rank-3 tensor, same dtype.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x)
    y = tf.transpose(x, [0, 2, 1, 3])  # (B, T, H, d)
    s = tf.shape(y)
    return tf.reshape(y, tf.stack([s[0], s[1], s[2] * s[3]]))
    ### END SOLUTION


def chunk(x, chunks: int, axis: int = 0) -> list:
    """Split into pieces of ``ceil(n / chunks)`` along ``axis``, the last one smaller.

    Like ``torch.chunk``: with ``n = x.shape[axis]`` and ``size = ceil(n / chunks)``, the pieces
    have ``size`` elements except the last, which has the remainder; so there may be fewer than
    ``chunks`` pieces (10 in 3 gives sizes ``[4, 4, 2]``; 5 in 4 gives ``[2, 2, 1]``).
    ``tf.split(x, 3)`` would raise for 10, since it needs equal sizes.

    Args:
        x: a tensor with ``n >= 1`` elements along ``axis``.
        chunks: an int >= 1.
        axis: the axis to split.

    Returns:
        A list of tensors.

    Raises:
        ValueError: if ``chunks < 1``.
    """
    ### BEGIN SOLUTION
    if chunks < 1:
        raise ValueError(f"chunks must be >= 1, got {chunks}")
    x = tf.convert_to_tensor(x)
    n = int(x.shape[axis])
    size = -(-n // chunks)
    sizes = [size] * (n // size) + ([n % size] if n % size else [])
    return tf.split(x, sizes, axis=axis)
    ### END SOLUTION


def interleave_rows(a, b) -> tf.Tensor:
    """Rows of ``a`` and ``b`` alternated: ``[a0, b0, a1, b1, ...]``, via ``tf.stack`` and a reshape.

    Args:
        a: a tensor of shape ``(N, ...)``.
        b: a tensor of ``a``'s shape and dtype.

    Returns:
        A tensor of shape ``(2N, ...)``.
    """
    ### BEGIN SOLUTION
    a = tf.convert_to_tensor(a)
    pairs = tf.stack([a, tf.convert_to_tensor(b, a.dtype)], axis=1)  # (N, 2, ...)
    s = tf.shape(a)
    return tf.reshape(pairs, tf.concat([[2 * s[0]], s[1:]], axis=0))
    ### END SOLUTION


def pad_and_stack(sequences, pad_value=0) -> tuple:
    """Stack 1-D tensors of different lengths into one padded matrix.

    Pad each sequence on the right with ``pad_value`` to the longest length (``tf.pad`` or a
    ``tf.concat`` with a filled tensor), then ``tf.stack`` them.

    Args:
        sequences: a non-empty list of 1-D tensors of one dtype.
        pad_value: the fill value.

    Returns:
        ``(padded, lengths)``: ``padded`` of shape ``(len(sequences), max_len)`` and the
        sequences' dtype, and ``lengths``, an ``int32`` tensor of shape ``(len(sequences),)``.
    """
    ### BEGIN SOLUTION
    seqs = [tf.convert_to_tensor(s) for s in sequences]
    lengths = tf.stack([tf.shape(s)[0] for s in seqs])
    longest = tf.reduce_max(lengths)
    padded = [tf.pad(s, [[0, longest - tf.shape(s)[0]]], constant_values=tf.cast(pad_value, s.dtype)) for s in seqs]
    return tf.stack(padded), lengths
    ### END SOLUTION
