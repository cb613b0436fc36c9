# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PACKAGE come from the reference setup cell)
# snake's custom gradient returns None for alpha, so alpha could never be trained.
# %% [q2]
def softplus_stable(x):
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``."""
    x = tf.convert_to_tensor(x)
    return tf.maximum(x, 0.0) + tf.math.log1p(tf.exp(-tf.abs(x)))


@tf.custom_gradient
def _mish_with_gradient(x):
    t = tf.tanh(softplus_stable(x))

    def grad(upstream):
        # d/dx [x tanh(sp(x))] = tanh(sp(x)) + x * sigmoid(x) * (1 - tanh(sp(x))**2): every factor is bounded.
        return upstream * (t + x * tf.sigmoid(x) * (1.0 - t * t))

    return x * t, grad


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
def stable_mish(x):
    """Mish ``x * tanh(softplus(x))``, registered as ``"course>stable_mish"``.

    Its derivative comes from ``_mish_with_gradient``'s ``tf.custom_gradient``; values and gradients are finite
    and exact in float32 up to ``|x| = 1e4``.
    """
    return _mish_with_gradient(tf.convert_to_tensor(x))


def hard_swish(x):
    """``x * relu6(x + 3) / 6`` (tf_keras 2.18 has no built-in)."""
    x = tf.convert_to_tensor(x)
    return x * tf.nn.relu6(x + 3.0) / 6.0


@tf.custom_gradient
def snake(x, alpha):
    """Snake ``x + sin(alpha x)**2 / alpha`` with a ``tf.custom_gradient`` for both ``x`` and ``alpha``.

    ``alpha`` is a scalar tensor of the dtype of ``x``. The gradient for ``x`` is ``1 + sin(2 alpha x)``;
    the gradient for ``alpha`` is ``x sin(2 alpha x) / alpha - sin(alpha x)**2 / alpha**2``, summed to a scalar.
    """
    s = tf.sin(alpha * x)
    y = x + s * s / alpha

    def grad(upstream):
        s2 = tf.sin(2.0 * alpha * x)
        d_x = upstream * (1.0 + s2)
        return d_x, None

    return y, grad
