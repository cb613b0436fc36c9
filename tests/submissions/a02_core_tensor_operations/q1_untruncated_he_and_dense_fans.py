# expect: {"q1": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# Two textbook slips: the conv fans forget the receptive field (fan_in = in_channels), and He's
# stddev is sqrt(2 / fan_in) without the truncation correction. make_tensors is right.
# %% [q1]
def make_tensors(seed: int) -> dict:
    """The course's basic tensors."""
    return {
        "zeros33": tf.zeros((3, 3)),
        "eye4": tf.eye(4),
        "fill_2x3_7": tf.fill((2, 3), 7),
        "normal_2x4": tf.random.stateless_normal((2, 4), seed=[seed, 0]),
        "uniform_3": tf.random.stateless_uniform((3,), seed=[seed, 1], minval=-1.0, maxval=1.0),
        "bias_10": tf.Variable(tf.zeros((10,))),
    }


def compute_fans(shape) -> tuple:
    """Fans: the last two dimensions."""
    shape = list(shape)
    if not shape:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], shape[0])
    return (shape[-2], shape[-1])


def glorot_uniform(shape, seed: int) -> tf.Tensor:
    """Glorot uniform."""
    fan_in, fan_out = compute_fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return tf.random.stateless_uniform(shape, seed=[seed, 0], minval=-limit, maxval=limit)


def he_normal(shape, seed: int) -> tf.Tensor:
    """He normal."""
    fan_in, _ = compute_fans(shape)
    return tf.random.stateless_truncated_normal(shape, seed=[seed, 0], stddev=math.sqrt(2.0 / fan_in))
