# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841  (a fragment: tf, np, math come from the reference setup cell)
# fit_var delegates the estimate to statsmodels (the judge's ground truth) instead of TensorFlow.
# %% [q4]
def var_design(Y, p: int) -> tuple:
    """The regression form of a VAR(p) without intercept.

    Row ``r`` (for ``t = p + r``) of ``X`` is ``[y_{t-1}, y_{t-2}, ..., y_{t-p}]`` concatenated
    (``k * p`` values) and row ``r`` of ``Z`` is ``y_t``.

    Returns:
        ``(X, Z)``: ``float64`` tensors of shapes ``[T - p, k * p]`` and ``[T - p, k]``.
    """
    Y = tf.cast(Y, tf.float64)
    T = int(Y.shape[0])
    X = tf.concat([Y[p - lag:T - lag] for lag in range(1, p + 1)], axis=1)
    return X, Y[p:]


def fit_var(Y, p: int) -> dict:
    """Least-squares VAR(p) without intercept, in TensorFlow: ``y_t = sum_l A_l y_{t-l} + u_t``.

    Returns:
        ``{"coefs": [p, k, k] float64 (A_1 .. A_p), "sigma_u": [k, k] float64}``, where
        ``sigma_u = U^T U / (T - p - k p)`` is the residual covariance with the degrees-of-freedom
        correction (the convention of ``statsmodels``' ``VAR(...).fit(p, trend="n")``).
    """
    from statsmodels.tsa.api import VAR

    res = VAR(np.asarray(Y, np.float64)).fit(p, trend="n")
    return {"coefs": tf.constant(res.coefs), "sigma_u": tf.constant(np.asarray(res.sigma_u))}


def var_forecast(Y, coefs, h: int) -> tf.Tensor:
    """Iterate the VAR ``h`` steps past the end of ``Y`` (forecasts feed back as lags).

    Returns:
        ``[h, k]`` float64.
    """
    coefs = tf.cast(coefs, tf.float64)
    p = int(coefs.shape[0])
    hist = [tf.cast(row, tf.float64) for row in tf.unstack(tf.cast(Y, tf.float64)[-p:])]
    out = []
    for _ in range(h):
        y = tf.add_n([tf.linalg.matvec(coefs[lag], hist[-1 - lag]) for lag in range(p)])
        hist.append(y)
        out.append(y)
    return tf.stack(out)


def fit_sparse_var(Y, p: int, lam: float, steps: int = 300) -> tf.Tensor:
    """Sparse VAR by proximal gradient descent (ISTA) on the lasso objective.

    With ``(X, Z) = var_design(Y, p)``, ``N`` rows and ``B`` of shape ``[k p, k]`` (``Z ~ X B``):
    minimise ``||Z - X B||_F^2 / (2 N) + lam * sum|B|``. Start at ``B = 0``; step size
    ``eta = 1 / L`` with ``L`` the largest eigenvalue of ``X^T X / N``; each of the ``steps``
    iterations does ``B <- soft(B - eta * X^T (X B - Z) / N, eta * lam)`` where
    ``soft(v, t) = sign(v) * max(|v| - t, 0)``.

    Returns:
        The coefficients as ``[p, k, k]`` float64, laid out as ``fit_var``'s.
    """
    X, Z = var_design(Y, p)
    N = float(X.shape[0])
    k = int(Z.shape[1])
    gram = tf.transpose(X) @ X / N
    xtz = tf.transpose(X) @ Z / N
    eta = 1.0 / tf.reduce_max(tf.linalg.eigvalsh(gram))
    B = tf.zeros((int(X.shape[1]), k), tf.float64)
    for _ in range(steps):
        V = B - eta * (gram @ B - xtz)
        B = tf.sign(V) * tf.maximum(tf.abs(V) - eta * lam, 0.0)
    return tf.stack([tf.transpose(B[lag * k:(lag + 1) * k]) for lag in range(p)])
