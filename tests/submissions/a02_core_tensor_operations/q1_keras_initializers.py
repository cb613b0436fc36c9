# expect: {"q1": "partial"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# The initializers come from Keras instead of the formulas. With a seed, tf_keras draws exactly the
# same stateless numbers, so every value check passes: only the forbidden-call check catches it.
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
    """Fans as Keras computes them."""
    shape = list(shape)
    if not shape:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], shape[0])
    if len(shape) == 2:
        return (shape[0], shape[1])
    receptive = math.prod(shape[:-2])
    return (shape[-2] * receptive, shape[-1] * receptive)


def glorot_uniform(shape, seed: int) -> tf.Tensor:
    """Glorot uniform, by Keras."""
    return tf.keras.initializers.GlorotUniform(seed=seed)(shape)


def he_normal(shape, seed: int) -> tf.Tensor:
    """He normal, by Keras."""
    return tf.keras.initializers.HeNormal(seed=seed)(shape)
