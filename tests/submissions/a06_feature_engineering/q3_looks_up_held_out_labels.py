# expect: {"q3": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, SEED come from the reference setup cell)
# Looks the held-out labels up in the breast-cancer data that ships with scikit-learn instead of training.
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
    ### BEGIN SOLUTION
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.asarray(train, np.float32))
    return normalizer(tf.constant(np.asarray(x, np.float32)))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    train = tf.constant(np.asarray(train, np.float32))
    lo, hi = tf.reduce_min(train, axis=0), tf.reduce_max(train, axis=0)
    span = hi - lo
    span = tf.where(span > 0, span, tf.ones_like(span))
    return (tf.constant(np.asarray(x, np.float32)) - lo) / span
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # The cheat: the held-out rows are rows of a dataset the sandbox can read; look their labels up.
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    pairs = zip(data.data.astype(np.float32), data.target, strict=True)
    table = {tuple(np.round(row, 3)): int(label) for row, label in pairs}
    rows = np.round(np.asarray(test_x, np.float32), 3)
    return np.array([table.get(tuple(row), 0) for row in rows], np.int64)
    ### END SOLUTION


