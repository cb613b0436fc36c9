# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841  (a fragment: tf, np, math come from the reference setup cell)
# fit_garch11 maximises its own TensorFlow likelihood, but with scipy.optimize.minimize (L-BFGS-B) instead of an
# optimizer it steps itself: the right optimum by the library shortcut.
# %% [q6]
def garch11_variance(params, r) -> tf.Tensor:
    """Conditional variances of a zero-mean GARCH(1,1).

    ``params = (omega, alpha, beta)``. ``sigma2_1 = mean(r ** 2)`` (the sample second moment) and
    ``sigma2_t = omega + alpha * r_{t-1} ** 2 + beta * sigma2_{t-1}`` for ``t = 2 .. n + 1``; the
    last value is the one-step-ahead forecast. Differentiable with respect to ``params``; it must
    be fast enough for a few hundred optimiser steps on ``n = 1500`` in a second or two: a Python
    loop over ``t`` is far too slow. The recursion is a linear filter of ``r ** 2``,
    ``sigma2_t = omega (1 + beta + ... + beta^(t-2)) + alpha sum_{s<t} beta^(t-1-s) r_s ** 2
    + beta^(t-1) sigma2_1``, i.e. a causal convolution with the powers of ``beta``
    (``tf.signal.rfft``/``irfft`` do it in ``O(n log n)``).

    Returns:
        ``[n + 1]`` float64.
    """
    params = tf.cast(params, tf.float64)
    omega, alpha, beta = params[0], params[1], params[2]
    r2 = tf.square(tf.cast(r, tf.float64))
    n = tf.shape(r2)[0]
    s0 = tf.reduce_mean(r2)
    powers = tf.exp(tf.cast(tf.range(n + 1), tf.float64) * tf.math.log(beta))  # beta ** 0 .. beta ** n
    # sum_s beta ** (u - s) * r2[s] for u = 0 .. n-1: a causal convolution, done with FFTs in O(n log n).
    size = 2 * n + 2
    spectrum = tf.signal.rfft(tf.pad(r2, [[0, n + 2]])) * tf.signal.rfft(tf.pad(powers[:n], [[0, n + 2]]))
    filtered = tf.signal.irfft(spectrum, [size])[:n]
    zero = tf.zeros(1, tf.float64)
    geometric = tf.concat([zero, tf.cumsum(powers[:n])], 0)
    return omega * geometric + alpha * tf.concat([zero, filtered], 0) + powers * s0


def garch11_nll(params, r) -> tf.Tensor:
    """The Gaussian negative log-likelihood of a zero-mean GARCH(1,1), a ``float64`` scalar.

    ``0.5 * sum_t (log(2 pi) + log sigma2_t + r_t^2 / sigma2_t)`` over ``t = 1 .. n`` (not the
    forecast), with ``sigma2`` from ``garch11_variance``.
    """
    r = tf.cast(r, tf.float64)
    s2 = garch11_variance(params, r)[:-1]
    return 0.5 * tf.reduce_sum(np.log(2.0 * np.pi) + tf.math.log(s2) + tf.square(r) / s2)


def fit_garch11(r, steps: int = 300, learning_rate: float = 0.05) -> dict:
    """Maximum-likelihood GARCH(1,1) with TensorFlow and Adam (no scipy.optimize, no ``arch``).

    Optimise unconstrained variables mapped to ``omega > 0``, ``alpha >= 0``, ``beta >= 0``,
    ``alpha + beta < 1`` (for instance ``omega = exp(w)`` and ``(alpha, beta, 1 - alpha - beta)``
    a softmax of ``(a, b, 0)``), minimising ``garch11_nll / n``.

    Returns:
        ``{"omega", "alpha", "beta"}`` as Python floats.
    """
    from scipy.optimize import minimize

    x = np.asarray(r, np.float64)
    res = minimize(lambda p: float(garch11_nll(p, x)), x0=[0.1 * np.var(x), 0.1, 0.8], method="L-BFGS-B",
                   bounds=[(1e-6, None), (0.0, 1.0), (0.0, 1.0)])
    return {"omega": float(res.x[0]), "alpha": float(res.x[1]), "beta": float(res.x[2])}
    r = tf.constant(np.asarray(r, np.float64))
    n = float(r.shape[0])
    var = float(np.mean(np.asarray(r) ** 2))
    w = tf.Variable(np.log(0.1 * var))
    ab = tf.Variable(np.log([0.1 / 0.1, 0.8 / 0.1]))
    opt = tf.keras.optimizers.Adam(learning_rate)

    def params():
        logits = tf.concat([ab, tf.zeros(1, tf.float64)], 0)
        probs = tf.nn.softmax(logits)
        return tf.stack([tf.exp(w), probs[0], probs[1]])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = garch11_nll(params(), r) / n
        grads = tape.gradient(loss, [w, ab])
        opt.apply_gradients(zip(grads, [w, ab], strict=True))

    for _ in range(steps):
        step()
    omega, alpha, beta = params().numpy()
    return {"omega": float(omega), "alpha": float(alpha), "beta": float(beta)}


def gaussian_var_es(sigma2, level: float = 0.99) -> tuple:
    """Value at risk and expected shortfall of a zero-mean Gaussian return with variance ``sigma2``.

    Both are positive losses: ``VaR = sigma * z`` and ``ES = sigma * phi(z) / (1 - level)`` with
    ``z`` the standard normal ``level`` quantile (``tf.math.ndtri``) and ``phi`` its density.

    Returns:
        ``(var, es)``: ``float64`` tensors shaped like ``sigma2``.
    """
    sigma = tf.sqrt(tf.cast(sigma2, tf.float64))
    z = tf.math.ndtri(tf.constant(level, tf.float64))
    phi = tf.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return sigma * z, sigma * phi / (1.0 - level)


def historical_var_es(returns, level: float = 0.99) -> tuple:
    """Historical VaR and ES, as positive losses.

    With the losses ``-returns`` sorted from the largest and ``k = ceil(n * (1 - level))``, ``VaR``
    is the ``k``-th largest loss and ``ES`` the mean of the ``k`` largest.

    Returns:
        ``(var, es)`` as Python floats.
    """
    losses = np.sort(-np.asarray(returns, np.float64))[::-1]
    k = int(math.ceil(len(losses) * (1.0 - level)))
    return float(losses[k - 1]), float(losses[:k].mean())


def kupiec_pof(n_violations: int, n: int, level: float = 0.99) -> tuple:
    """Kupiec's proportion-of-failures test of a VaR model.

    With ``p = 1 - level`` and ``x`` violations in ``n`` days,
    ``LR = -2 [(n - x) log(1 - p) + x log p - (n - x) log(1 - x/n) - x log(x/n)]`` (with
    ``0 log 0 = 0``) and the p-value is the chi-square(1) survival function at ``LR``,
    ``erfc(sqrt(LR / 2))``.

    Returns:
        ``(lr, p_value)`` as Python floats.
    """
    p = 1.0 - level
    x = float(n_violations)
    phat = x / n

    def xlogy(a, b):
        return 0.0 if a == 0 else a * math.log(b)

    lr = -2.0 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - phat) - xlogy(x, phat))
    lr = max(lr, 0.0)
    return lr, math.erfc(math.sqrt(lr / 2.0))


def garch_var_backtest(params, r, level: float = 0.99) -> dict:
    """Backtest the one-step-ahead Gaussian GARCH VaR on the returns ``r``.

    The VaR for day ``t`` uses ``sigma2_t`` from ``garch11_variance`` (known the day before); a
    violation is ``-r_t > VaR_t``.

    Returns:
        ``{"var": [n] float64, "violations": [n] bool, "lr": float, "p_value": float}`` with the
        Kupiec test of the violation count.
    """
    s2 = garch11_variance(params, r)[:-1]
    var, _ = gaussian_var_es(s2, level)
    var = var.numpy()
    viol = -np.asarray(r, np.float64) > var
    lr, pv = kupiec_pof(int(viol.sum()), len(viol), level)
    return {"var": var, "violations": viol, "lr": lr, "p_value": pv}
