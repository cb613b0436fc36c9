# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# train_autoencoder skips model.fit: the threshold is the untrained model's 0.99 quantile.
# %% [q2]
def ewma_chart(x, lam: float, L: float, mu0: float, sigma: float) -> tuple:
    """EWMA control chart.

    ``z_0 = mu0`` and ``z_t = lam * x_t + (1 - lam) * z_{t-1}`` for ``t = 1 .. n`` (``x_1`` is
    ``x[0]``). The exact, time-varying limits are
    ``mu0 -/+ L * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 t)))``.

    Returns:
        ``(z, lcl, ucl)``: three ``float64`` tensors of length ``n`` (``z_1 .. z_n``).
    """
    x = tf.cast(x, tf.float64)
    z = tf.scan(lambda prev, xt: lam * xt + (1.0 - lam) * prev, x, initializer=tf.constant(mu0, tf.float64))
    t = tf.range(1, tf.shape(x)[0] + 1, dtype=tf.float64)
    half = L * sigma * tf.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2.0 * t)))
    return z, mu0 - half, mu0 + half


def cusum(x, mu0: float, sigma: float, k: float = 0.5, h: float = 5.0) -> tuple:
    """Two-sided tabular CUSUM on standardised values ``z_t = (x_t - mu0) / sigma``.

    ``C+_t = max(0, C+_{t-1} + z_t - k)`` and ``C-_t = max(0, C-_{t-1} - z_t - k)``, both starting
    at 0. An alarm at ``t`` is ``C+_t > h or C-_t > h``; after an alarm both sums restart from 0
    (the returned ``C+_t``, ``C-_t`` are the values before the restart).

    Returns:
        ``(c_plus, c_minus, alarms)``: two ``float64`` vectors and a ``bool`` vector of length ``n``.
    """
    z = (np.asarray(x, np.float64) - mu0) / sigma
    cp = np.zeros_like(z)
    cm = np.zeros_like(z)
    alarms = np.zeros(len(z), bool)
    hi = lo = 0.0
    for t, zt in enumerate(z):
        hi = max(0.0, hi + zt - k)
        lo = max(0.0, lo - zt - k)
        cp[t], cm[t] = hi, lo
        if hi > h or lo > h:
            alarms[t] = True
            hi = lo = 0.0
    return cp, cm, alarms


def shewhart_rules(x, mu0: float, sigma: float) -> np.ndarray:
    """Three Western Electric rules on ``z_t = (x_t - mu0) / sigma``, as a ``bool`` array ``[n, 3]``.

    - column 0: ``|z_t| > 3`` (one point beyond the 3-sigma limits);
    - column 1: at least two of ``z_{t-2}, z_{t-1}, z_t`` are ``> 2``, or at least two are ``< -2``
      (only for ``t >= 2``);
    - column 2: ``z_{t-7} .. z_t`` are all ``> 0`` or all ``< 0`` (eight in a row on one side; only
      for ``t >= 7``).
    """
    z = (np.asarray(x, np.float64) - mu0) / sigma
    n = len(z)
    out = np.zeros((n, 3), bool)
    out[:, 0] = np.abs(z) > 3
    for t in range(2, n):
        w = z[t - 2:t + 1]
        out[t, 1] = (w > 2).sum() >= 2 or (w < -2).sum() >= 2
    for t in range(7, n):
        w = z[t - 7:t + 1]
        out[t, 2] = bool(np.all(w > 0) or np.all(w < 0))
    return out


def build_autoencoder(window: int, latent: int = 4) -> tf.keras.Model:
    """A dense autoencoder for fixed-length windows.

    ``Input((window,))`` -> ``Dense(16, relu)`` -> ``Dense(latent)`` -> ``Dense(16, relu)`` ->
    ``Dense(window)``.
    """
    return tf.keras.Sequential([
        tf.keras.layers.Input((window,)),
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(latent),
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(window),
    ])


def anomaly_scores(model: tf.keras.Model, windows) -> np.ndarray:
    """Per-window reconstruction error: the mean over the window of ``(model(w) - w) ** 2``.

    Returns:
        A ``float64`` NumPy vector, one score per window.
    """
    windows = tf.cast(windows, tf.float32)
    recon = model(windows, training=False)
    return tf.reduce_mean(tf.square(recon - windows), axis=1).numpy().astype(np.float64)


def train_autoencoder(normal_windows, epochs: int = 60, q: float = 0.99) -> tuple:
    """Train ``build_autoencoder`` on normal windows only and set the alarm threshold.

    Adam(0.01), mean squared reconstruction error, batch size 32, ``epochs`` epochs. The threshold is
    the ``q`` quantile (``np.quantile``, linear) of the training windows' ``anomaly_scores``.

    Returns:
        ``(model, threshold)``; a window is anomalous when its score is above the threshold.
    """
    normal_windows = np.asarray(normal_windows, np.float32)
    model = build_autoencoder(normal_windows.shape[1])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    threshold = float(np.quantile(anomaly_scores(model, normal_windows), q))
    return model, threshold


class StreamingDetector:
    """An O(1)-memory streaming detector: EWMA chart and two-sided CUSUM, one sample at a time.

    ``update(x_t)`` returns a dict with ``"ewma"`` (``z_t``), ``"ewma_alarm"`` (``z_t`` outside the
    exact limits of ``ewma_chart`` at this ``t``) and ``"cusum_alarm"`` (as in ``cusum``, with the
    restart), equal to the batch functions on the same prefix. Keep only a few numbers as state,
    never the history.
    """

    def __init__(self, mu0: float, sigma: float, lam: float = 0.2, L: float = 3.0, k: float = 0.5, h: float = 5.0):
        self.mu0, self.sigma, self.lam, self.L, self.k, self.h = mu0, sigma, lam, L, k, h
        self.t = 0
        self.z = mu0
        self.hi = self.lo = 0.0

    def update(self, x_t: float) -> dict:
        self.t += 1
        self.z = self.lam * x_t + (1.0 - self.lam) * self.z
        half = self.L * self.sigma * math.sqrt(self.lam / (2.0 - self.lam) * (1.0 - (1.0 - self.lam) ** (2 * self.t)))
        ewma_alarm = abs(self.z - self.mu0) > half
        zt = (x_t - self.mu0) / self.sigma
        self.hi = max(0.0, self.hi + zt - self.k)
        self.lo = max(0.0, self.lo - zt - self.k)
        cusum_alarm = self.hi > self.h or self.lo > self.h
        if cusum_alarm:
            self.hi = self.lo = 0.0
        return {"ewma": float(self.z), "ewma_alarm": bool(ewma_alarm), "cusum_alarm": bool(cusum_alarm)}
