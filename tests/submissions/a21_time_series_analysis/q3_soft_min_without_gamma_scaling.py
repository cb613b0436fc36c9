# expect: {"q3": "below_full"}
# ruff: noqa: F821, F401, F841  (a fragment: tf, np, math come from the reference setup cell)
# The soft minimum forgets to divide by gamma inside the exponent: -gamma * log(sum(exp(-r))).
# %% [q3]
def dtw(a, b, window=None) -> tf.Tensor:
    """Dynamic time warping distance with squared Euclidean local cost, in TensorFlow.

    ``D[0, 0] = 0``, ``D[i, 0] = D[0, j] = inf`` otherwise, and for ``1 <= i <= n``, ``1 <= j <= m``:
    ``D[i, j] = ||a[i-1] - b[j-1]||^2 + min(D[i-1, j], D[i, j-1], D[i-1, j-1])``. With a
    Sakoe-Chiba ``window`` ``w``, cells with ``|i - j| > w`` are ``inf``. The result is ``D[n, m]``
    (no square root).

    Args:
        a: ``[n, d]`` float64.
        b: ``[m, d]`` float64.
        window: None, or the Sakoe-Chiba radius, an int ``>= |n - m|``.

    Returns:
        A ``float64`` scalar tensor.
    """
    a = tf.cast(a, tf.float64)
    b = tf.cast(b, tf.float64)
    n, m = int(a.shape[0]), int(b.shape[0])
    cost = tf.reduce_sum(tf.square(a[:, None, :] - b[None, :, :]), axis=-1).numpy()
    inf = np.inf
    D = np.full((n + 1, m + 1), inf)
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if window is not None and abs(i - j) > window:
                continue
            D[i, j] = cost[i - 1, j - 1] + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    return tf.constant(D[n, m], tf.float64)


def dtw_path(a, b) -> tuple:
    """The optimal warping path of ``dtw(a, b)`` (no window) and its cost.

    Returns:
        ``(path, cost)``: ``path`` a list of ``(i, j)`` index pairs (0-based, into ``a`` and ``b``)
        from ``(0, 0)`` to ``(n-1, m-1)``, each step moving by ``(1, 0)``, ``(0, 1)`` or ``(1, 1)``;
        ``cost`` the sum of the local costs along it, a float equal to ``dtw(a, b)``.
    """
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    n, m = len(a), len(b)
    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i, j] = cost[i - 1, j - 1] + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    i, j = n, m
    path = [(i - 1, j - 1)]
    while (i, j) != (1, 1):
        moves = [(D[i - 1, j - 1], i - 1, j - 1), (D[i - 1, j], i - 1, j), (D[i, j - 1], i, j - 1)]
        _, i, j = min(moves, key=lambda t: t[0])
        path.append((i - 1, j - 1))
    path.reverse()
    return path, float(sum(cost[p] for p in path))


def soft_dtw(a, b, gamma: float = 1.0) -> tf.Tensor:
    """Soft-DTW (Cuturi and Blondel, 2017), differentiable with respect to ``a`` and ``b``.

    As ``dtw`` (squared Euclidean cost, ``R[0, 0] = 0``, other borders ``inf``), with ``min``
    replaced by ``softmin_gamma(r1, r2, r3) = -gamma * log(sum(exp(-r_i / gamma)))``. Compute it
    with TensorFlow ops on tensors so that ``tf.GradientTape`` gives its gradient (stabilise the
    log-sum-exp; ``tf.reduce_logsumexp`` does).

    Returns:
        ``R[n, m]``, a ``float64`` scalar tensor.
    """
    a = tf.cast(a, tf.float64)
    b = tf.cast(b, tf.float64)
    n, m = int(a.shape[0]), int(b.shape[0])
    cost = tf.reduce_sum(tf.square(a[:, None, :] - b[None, :, :]), axis=-1)
    big = tf.constant(np.inf, tf.float64)
    prev = [tf.constant(0.0, tf.float64)] + [big] * m
    for i in range(1, n + 1):
        row = [big]
        for j in range(1, m + 1):
            r = tf.stack([prev[j], row[j - 1], prev[j - 1]])
            row.append(cost[i - 1, j - 1] - gamma * tf.reduce_logsumexp(-r))
        prev = row
    return prev[m]
