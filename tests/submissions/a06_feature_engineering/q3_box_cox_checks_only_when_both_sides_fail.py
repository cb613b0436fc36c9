# expect: {"q3": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# Box-Cox raises only when both the training data and x hold a non-positive value (and for or).
# %% [q3]
def standardize(train, x) -> tf.Tensor:
    """Z-score ``x`` per feature with statistics of ``train`` only, via ``tf.keras.layers.Normalization``.

    Adapt a ``Normalization(axis=-1)`` layer on ``train`` and apply it to ``x``. It uses the
    population variance (``np.var``, ``ddof=0``), like scikit-learn's ``StandardScaler`` (which,
    unlike the layer, divides a constant column by 1 instead of by the layer's ``1e-7`` floor).

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)`` (held-out data: never adapt on it).

    Returns:
        A ``float32`` tensor of shape ``(M, F)``.
    """
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.asarray(train, np.float32))
    return normalizer(tf.constant(np.asarray(x, np.float32)))


def minmax_scale(train, x) -> tf.Tensor:
    """Min-max scale ``x`` per feature to ``[0, 1]`` with the minimum and maximum of ``train``.

    ``(x - min) / (max - min)``; a constant training column (``max == min``) gives ``x - min``
    (divide by 1, never by 0). Held-out values may fall outside ``[0, 1]``: do not clip.

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.

    Returns:
        A ``float32`` tensor of shape ``(M, F)``.
    """
    train = tf.constant(np.asarray(train, np.float32))
    lo, hi = tf.reduce_min(train, axis=0), tf.reduce_max(train, axis=0)
    span = hi - lo
    span = tf.where(span > 0, span, tf.ones_like(span))
    return (tf.constant(np.asarray(x, np.float32)) - lo) / span


def robust_scale(train, x) -> tf.Tensor:
    """Robust scaling: ``(x - median) / IQR`` per feature, statistics from ``train`` only.

    The median and quartiles use linear interpolation between order statistics (NumPy's default
    ``np.percentile`` method, as in scikit-learn's ``RobustScaler``); an IQR of 0 gives a scale of 1.

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.

    Returns:
        A ``float32`` tensor of shape ``(M, F)``.
    """
    train = tf.sort(tf.constant(np.asarray(train, np.float32)), axis=0)
    n = int(train.shape[0])

    def quantile(q):
        pos = q * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = np.float32(pos - lo)
        return train[lo] + frac * (train[hi] - train[lo])

    median = quantile(0.5)
    iqr = quantile(0.75) - quantile(0.25)
    iqr = tf.where(iqr > 0, iqr, tf.ones_like(iqr))
    return (tf.constant(np.asarray(x, np.float32)) - median) / iqr


def power_transform(train, x, method: str = "yeo-johnson") -> tuple:
    """Box-Cox or Yeo-Johnson per feature, each ``lambda`` fitted by maximum likelihood on ``train``.

    Per column, ``lambda`` maximizes the transform's normal log-likelihood on the training column
    (``scipy.stats.yeojohnson_normmax(col)``, or ``scipy.stats.boxcox_normmax(col, method="mle")``).
    The transform of ``x`` is then written in TensorFlow ops (``float64`` arithmetic), so it can live in a
    model or a ``tf.data`` pipeline:

    - Box-Cox (``x > 0`` only): ``(x**lam - 1) / lam``, or ``log(x)`` when ``lam == 0``.
    - Yeo-Johnson: for ``x >= 0``, ``((x + 1)**lam - 1) / lam`` (``log(x + 1)`` when ``lam == 0``); for
      ``x < 0``, ``-((1 - x)**(2 - lam) - 1) / (2 - lam)`` (``-log(1 - x)`` when ``lam == 2``).

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.
        method: ``"yeo-johnson"`` or ``"box-cox"``.

    Returns:
        ``(transformed, lambdas)``: a ``float32`` tensor ``(M, F)`` and a ``float64`` array ``(F,)``.

    Raises:
        ValueError: for Box-Cox when ``train`` or ``x`` holds a value ``<= 0``, or for an unknown method.
    """
    import scipy.stats

    train = np.asarray(train, np.float64)
    x = tf.constant(np.asarray(x, np.float64))
    if method == "box-cox":
        if np.any(train <= 0) and bool(tf.reduce_any(x <= 0)):
            raise ValueError("Box-Cox needs strictly positive data; use Yeo-Johnson")
        lambdas = np.array([scipy.stats.boxcox_normmax(train[:, j], method="mle") for j in range(train.shape[1])])
        lam = tf.constant(lambdas)
        safe = tf.where(lam == 0, tf.ones_like(lam), lam)
        out = tf.where(lam == 0, tf.math.log(x), (tf.pow(x, lam) - 1) / safe)
    elif method == "yeo-johnson":
        lambdas = np.array([scipy.stats.yeojohnson_normmax(train[:, j]) for j in range(train.shape[1])])
        lam = tf.constant(lambdas)
        positive, negative = tf.maximum(x, 0.0), tf.minimum(x, 0.0)
        safe = tf.where(lam == 0, tf.ones_like(lam), lam)
        upper = tf.where(lam == 0, tf.math.log1p(positive), (tf.pow(positive + 1, lam) - 1) / safe)
        safe2 = tf.where(lam == 2, tf.ones_like(lam), 2 - lam)
        lower = tf.where(lam == 2, -tf.math.log1p(-negative), -(tf.pow(1 - negative, 2 - lam) - 1) / safe2)
        out = tf.where(x >= 0, upper, lower)
    else:
        raise ValueError(f"unknown method {method!r}")
    return tf.cast(out, tf.float32), lambdas


def quantile_transform(train, x, n_quantiles: int = 100) -> tf.Tensor:
    """Map each feature to ``[0, 1]`` through the training column's empirical distribution.

    scikit-learn's ``QuantileTransformer(n_quantiles, output_distribution="uniform")``: the references
    are ``np.linspace(0, 1, q)`` with ``q = min(n_quantiles, N)``, the quantiles
    ``np.percentile(col, 100 * references)`` (made non-decreasing with ``np.maximum.accumulate``), and a
    value maps to ``0.5 * (np.interp(v, quantiles, refs) - np.interp(-v, -quantiles[::-1], -refs[::-1]))``
    (the average of the forward and backward interpolation, so ties map to the middle of their run).
    Values beyond the training range map to 0 or 1.

    Args:
        train: a ``float32`` array of shape ``(N, F)``.
        x: a ``float32`` array of shape ``(M, F)``.
        n_quantiles: the number of quantiles.

    Returns:
        A ``float32`` tensor of shape ``(M, F)`` with values in ``[0, 1]``.
    """
    train, x = np.asarray(train, np.float64), np.asarray(x, np.float64)
    references = np.linspace(0, 1, min(int(n_quantiles), train.shape[0]))
    out = np.empty_like(x)
    for j in range(train.shape[1]):
        quantiles = np.maximum.accumulate(np.percentile(train[:, j], 100 * references))
        forward = np.interp(x[:, j], quantiles, references)
        backward = -np.interp(-x[:, j], -quantiles[::-1], -references[::-1])
        out[:, j] = 0.5 * (forward + backward)
    return tf.constant(out, tf.float32)


def fit_predict_numeric(train_x, train_y, test_x) -> np.ndarray:
    """Train a binary classifier on raw numeric features whose scales differ by orders of magnitude.

    Put a ``Normalization`` layer adapted on ``train_x`` as the model's first layer (so serving
    sees the same scaling), then a small dense network. Seed with
    ``tf.keras.utils.set_random_seed(SEED)``; a few seconds of training.

    Args:
        train_x: a ``float32`` array of shape ``(N, F)``.
        train_y: an int array of shape ``(N,)`` with values 0 and 1.
        test_x: a ``float32`` array of shape ``(M, F)``.

    Returns:
        An ``int64`` NumPy array of shape ``(M,)``: the predicted classes.
    """
    tf.keras.utils.set_random_seed(SEED)
    train_x = np.asarray(train_x, np.float32)
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(train_x)
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(train_x.shape[1],)),
        normalizer,
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(train_x, np.asarray(train_y, np.float32), epochs=40, batch_size=32, verbose=0)
    scores = model.predict(np.asarray(test_x, np.float32), verbose=0)[:, 0]
    return (scores > 0.5).astype(np.int64)
