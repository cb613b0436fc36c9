# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, os come from the reference setup cell)
# relu as tf.maximum(x, 0): right values, but its gradient at 0 is 1 where Keras's is 0.
# %% [q2]
LEAKY_ALPHA = 0.1


def apply_activation(x, name: str) -> tf.Tensor:
    """Apply the activation ``name`` elementwise (``softmax``: over the last axis), with raw maths.

    ``name`` is one of ``"linear"``, ``"relu"``, ``"leaky_relu"`` (slope ``LEAKY_ALPHA`` below 0),
    ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ``"swish"`` (``x * sigmoid(x)``) and ``"gelu"`` (exact,
    ``0.5 x (1 + erf(x / sqrt 2))``). Do not call ``tf.nn``/``tf.keras.activations`` versions;
    ``tf.exp``, ``tf.math.tanh``, ``tf.math.erf``, ``tf.where`` and reductions are fine. Stable for
    large ``|x|`` (no NaN or inf at +-1000), and at the kinks the derivative is the one Keras uses
    (relu: 0 at 0; leaky_relu: ``LEAKY_ALPHA`` at 0).
    """
    x = tf.convert_to_tensor(x)
    if name == "linear":
        return x
    if name == "relu":
        return tf.maximum(x, tf.zeros_like(x))
    if name == "leaky_relu":
        return tf.where(x > 0, x, LEAKY_ALPHA * x)
    if name == "tanh":
        return tf.math.tanh(x)
    if name in ("sigmoid", "swish"):
        # exp of -|x| only (no overflow), with |x| as a tf.where so that its derivative at 0 is not 0.
        e = tf.exp(tf.where(x >= 0, -x, x))
        sig = tf.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return sig if name == "sigmoid" else x * sig
    if name == "softmax":
        e = tf.exp(x - tf.reduce_max(x, axis=-1, keepdims=True))
        return e / tf.reduce_sum(e, axis=-1, keepdims=True)
    if name == "gelu":
        return 0.5 * x * (1.0 + tf.math.erf(x / np.sqrt(2.0).astype(x.dtype.as_numpy_dtype)))
    raise ValueError(f"unknown activation {name!r}")


def dense_forward(x, kernel, bias, name: str) -> tf.Tensor:
    """What ``Dense(units, activation=name)`` computes: ``apply_activation(x @ kernel + bias, name)``."""
    return apply_activation(tf.matmul(x, kernel) + bias, name)


def l1l2_penalty(kernel, l1: float, l2: float) -> tf.Tensor:
    """The penalty ``tf.keras.regularizers.L1L2(l1, l2)`` adds: ``l1 * sum|W| + l2 * sum W**2`` (no 1/2)."""
    kernel = tf.convert_to_tensor(kernel)
    return l1 * tf.reduce_sum(tf.abs(kernel)) + l2 * tf.reduce_sum(tf.square(kernel))


def make_dense(units: int, name: str, l1: float, l2: float, seed: int) -> tf.keras.layers.Dense:
    """A ``Dense`` layer with activation ``name`` (the Keras string).

    Its kernel is initialised with ``tf.keras.initializers.HeNormal(seed=seed)``, its bias with
    zeros, and it has an ``L1L2(l1, l2)`` kernel regulariser.
    """
    return tf.keras.layers.Dense(
        units, activation=name, use_bias=True,
        kernel_initializer=tf.keras.initializers.HeNormal(seed=seed), bias_initializer="zeros",
        kernel_regularizer=tf.keras.regularizers.L1L2(l1=l1, l2=l2))
