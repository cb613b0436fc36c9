# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, hub, make_regressor, ... come from the reference setup cell)
# The stopping check comes after the update, so x moves once more than the history says.
# %% [q1]
def minimize_eager(loss_fn, x0, lr: float, max_steps: int, tol: float) -> tuple:
    """Minimise ``loss_fn`` by gradient descent, eagerly, with Python-level early stopping.

    ``x`` lives in a ``float64`` ``tf.Variable`` initialised from ``x0``. For ``k = 0, 1, ...,
    max_steps - 1``:

    1. under a ``tf.GradientTape``, compute ``L_k = loss_fn(x)`` and then its gradient ``g_k``;
    2. append ``float(L_k)`` to the history;
    3. if ``k >= 1`` and ``abs(L_k - L_{k-1}) < tol``, stop (``x`` is not updated again);
    4. otherwise ``x <- x - lr * g_k`` (``assign_sub``).

    Args:
        loss_fn: a function of a ``float64`` vector tensor returning a scalar tensor.
        x0: the starting point (array-like).
        lr: the learning rate.
        max_steps: the largest number of loss evaluations (and updates).
        tol: the early-stopping tolerance on the change of the loss.

    Returns:
        ``(x, history)``: the final ``x`` as a ``float64`` NumPy array and the list of Python
        floats ``L_0, L_1, ...``.
    """
    x = tf.Variable(np.asarray(x0, dtype=np.float64))
    history = []
    for k in range(max_steps):
        with tf.GradientTape() as tape:
            loss = loss_fn(x)
        grad = tape.gradient(loss, x)
        # Eager tensors have concrete values, so ordinary Python control flow decides when to stop.
        history.append(float(loss))
        x.assign_sub(lr * grad)
        if k >= 1 and abs(history[-1] - history[-2]) < tol:
            break
    return x.numpy(), history


def hessian_vector_product(loss_fn, x, v) -> tf.Tensor:
    """The product ``H(x) @ v`` of the Hessian of ``loss_fn`` at ``x`` with ``v``, without forming ``H``.

    Use two nested ``tf.GradientTape``s: the inner one gives the gradient ``g(x)``; the outer one
    differentiates ``sum(g(x) * v)`` with respect to ``x``.

    Args:
        loss_fn: a function of a ``float64`` vector tensor returning a scalar tensor.
        x: the point (array-like or tensor), used as ``float64``.
        v: the vector (array-like or tensor, same shape as ``x``), used as ``float64``.

    Returns:
        A ``float64`` tensor of the shape of ``x``.
    """
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float64))
    v = tf.convert_to_tensor(np.asarray(v, dtype=np.float64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            loss = loss_fn(x)
        grad = inner.gradient(loss, x)
        projected = tf.reduce_sum(grad * v)
    return outer.gradient(projected, x)
