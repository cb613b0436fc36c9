# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, math come from the reference setup cell)
# L1 trained by plain (sub)gradient descent, as in the course's training loop: no exact zeros.
# %% [q4]
def elastic_net_penalty(weights: list, l1: float, l2: float) -> tf.Tensor:
    """The elastic-net penalty of a list of weight tensors.

    ``sum over tensors of l1 * sum(|w|) + l2 * sum(w**2)``, the convention of
    ``tf.keras.regularizers.L1L2`` (no 1/2 on the L2 term). A scalar float32 tensor, differentiable.
    """
    total = tf.constant(0.0, tf.float32)
    for w in weights:
        w = tf.cast(w, tf.float32)
        total += l1 * tf.reduce_sum(tf.abs(w)) + l2 * tf.reduce_sum(tf.square(w))
    return total


def regularized_loss(model, x, y, l1: float, l2: float) -> tf.Tensor:
    """Data loss plus the elastic-net penalty of the kernels, by hand.

    Mean squared error of ``model(x, training=False)`` against ``y`` plus ``elastic_net_penalty``
    of the kernels of ``model``'s Dense layers (biases are not penalised): equal to the
    ``compiled_loss`` of the same model built with ``kernel_regularizer=L1L2(l1, l2)``.
    """
    pred = model(x, training=False)
    data = tf.reduce_mean(tf.square(tf.cast(y, tf.float32) - pred))
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    return data + elastic_net_penalty(kernels, l1, l2)


def fit_elastic_net(x, y, l1: float, l2: float, steps: int = 2000) -> np.ndarray:
    """Linear regression without intercept under an elastic-net penalty, by proximal gradient (ISTA).

    Minimise ``1/(2n) * ||y - x w||**2 + l1 * ||w||_1 + l2 * ||w||**2`` from ``w = 0`` with step
    ``lr = 1 / L``, ``L = largest eigenvalue of x.T x / n + 2 * l2``: a gradient step on the smooth
    part, then soft-thresholding ``sign(z) * max(|z| - lr * l1, 0)``, so that L1 gives exact zeros.
    Work in float64. ``y`` has shape ``(n,)`` or ``(n, 1)``. Do not call scikit-learn.

    Returns:
        ``w`` as a float64 NumPy array of shape ``(features,)``.
    """
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64).reshape(-1)
    n = x.shape[0]
    lr = 1.0 / (np.linalg.eigvalsh(x.T @ x / n).max() + 2.0 * l2)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        grad = x.T @ (x @ w - y) / n + 2.0 * l2 * w
        w = w - lr * (grad + l1 * np.sign(w))
    return w
