"""Reference solution for A21, Time Series Analysis.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import math

import numpy as np
import tensorflow as tf


# %% [q1]
def make_windows(series, input_width: int, horizon: int) -> tuple:
    """Cut a series into supervised (inputs, targets) pairs without look-ahead.

    Window ``i`` takes ``series[i : i + input_width]`` as inputs and the next ``horizon`` steps,
    ``series[i + input_width : i + input_width + horizon]``, as targets, for every ``i`` from 0 to
    ``T - input_width - horizon`` (the last window ends exactly at the series' end). Targets never
    overlap the inputs.

    Args:
        series: a ``[T]`` or ``[T, F]`` array or tensor (a vector is one feature).
        input_width: the number of input steps.
        horizon: the number of target steps.

    Returns:
        ``(inputs, targets)``: tensors of shapes ``[N, input_width, F]`` and ``[N, horizon, F]``
        with ``N = T - input_width - horizon + 1``, in the series' dtype.
    """
    ### BEGIN SOLUTION
    series = tf.convert_to_tensor(series)
    if series.shape.rank == 1:
        series = series[:, None]
    frames = tf.signal.frame(series, input_width + horizon, 1, axis=0)
    return frames[:, :input_width], frames[:, input_width:]
    ### END SOLUTION


def fit_scaler(series, n_train: int) -> tuple:
    """The z-score statistics of the training span only.

    Args:
        series: a ``[T, F]`` array; the first ``n_train`` rows are the training span.
        n_train: how many leading rows the statistics may see.

    Returns:
        ``(mean, std)``: two ``[F]`` tensors (population standard deviation, ``ddof=0``) of
        ``series[:n_train]``, so nothing after the training span leaks into the scaling.
    """
    ### BEGIN SOLUTION
    train = tf.convert_to_tensor(series)[:n_train]
    mean = tf.reduce_mean(train, axis=0)
    std = tf.math.reduce_std(train, axis=0)
    return mean, std
    ### END SOLUTION


def mase(y_true, y_pred, y_train, m: int = 1) -> tf.Tensor:
    """Mean absolute scaled error.

    ``mean(|y_true - y_pred|) / mean(|y_train[m:] - y_train[:-m]|)``: the forecast's mean absolute
    error divided by the in-sample error of the (seasonal, lag ``m``) naive forecast on the
    training series. Below 1 means better than the naive forecast.

    Returns:
        A ``float64`` scalar tensor.
    """
    ### BEGIN SOLUTION
    y_true = tf.cast(y_true, tf.float64)
    y_pred = tf.cast(y_pred, tf.float64)
    y_train = tf.cast(y_train, tf.float64)
    scale = tf.reduce_mean(tf.abs(y_train[m:] - y_train[:-m]))
    return tf.reduce_mean(tf.abs(y_true - y_pred)) / scale
    ### END SOLUTION


def build_lstm_forecaster(input_width: int, n_features: int, horizon: int, units: int = 16) -> tf.keras.Model:
    """A direct multi-step LSTM forecaster (all horizons at once).

    ``Input((input_width, n_features))`` -> ``LSTM(units)`` -> ``Dense(horizon * n_features)`` ->
    ``Reshape((horizon, n_features))``.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.layers.Input((input_width, n_features)),
        tf.keras.layers.LSTM(units),
        tf.keras.layers.Dense(horizon * n_features),
        tf.keras.layers.Reshape((horizon, n_features)),
    ])
    ### END SOLUTION


def build_tcn_forecaster(input_width: int, n_features: int, horizon: int, filters: int = 16,
                         kernel_size: int = 2, dilations: tuple = (1, 2, 4)) -> tf.keras.Model:
    """A temporal convolutional forecaster.

    ``Input((input_width, n_features))``, then one ``Conv1D(filters, kernel_size,
    dilation_rate=d, padding="causal", activation="relu")`` per dilation ``d``, then the features
    of the last time step only, then ``Dense(horizon * n_features)`` and
    ``Reshape((horizon, n_features))``. With causal padding the output at step ``t`` sees inputs
    ``<= t`` only, so the forecast depends on the last ``1 + (kernel_size - 1) * sum(dilations)``
    inputs and on nothing before them (the receptive field).
    """
    ### BEGIN SOLUTION
    layers = [tf.keras.layers.Input((input_width, n_features))]
    for d in dilations:
        layers.append(tf.keras.layers.Conv1D(filters, kernel_size, dilation_rate=d, padding="causal",
                                             activation="relu"))
    layers += [
        tf.keras.layers.Cropping1D((input_width - 1, 0)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(horizon * n_features),
        tf.keras.layers.Reshape((horizon, n_features)),
    ]
    return tf.keras.Sequential(layers)
    ### END SOLUTION


def fit_forecaster(model: tf.keras.Model, train_series, input_width: int, horizon: int, epochs: int = 40,
                   learning_rate: float = 0.01, batch_size: int = 32):
    """Train ``model`` on the training series and return a forecasting function.

    Fit the scaler on ``train_series`` (``fit_scaler`` with all of its rows), scale, cut windows with
    ``make_windows``, and train with Adam(``learning_rate``) on the mean squared error for
    ``epochs`` epochs (shuffled batches are fine: every window lies inside the training span).

    Args:
        model: a forecaster from ``build_lstm_forecaster`` or ``build_tcn_forecaster``.
        train_series: a ``[T, F]`` float32 array, the training span only.
        input_width: the number of input steps of a window.
        horizon: the number of target steps of a window.
        epochs: training epochs.
        learning_rate: Adam's learning rate.
        batch_size: the mini-batch size.

    Returns:
        ``predict(contexts) -> forecasts``: contexts ``[N, input_width, F]`` in the original units,
        forecasts ``[N, horizon, F]`` in the original units (scale in, model, unscale out).
    """
    ### BEGIN SOLUTION
    train_series = np.asarray(train_series, np.float32)
    mean, std = fit_scaler(train_series, len(train_series))
    scaled = (train_series - mean) / std
    x, y = make_windows(scaled, input_width, horizon)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss="mse")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)

    def predict(contexts):
        contexts = tf.cast(contexts, tf.float32)
        out = model((contexts - mean) / std, training=False)
        return out * std + mean

    return predict
    ### END SOLUTION


# %% [q2]
def ewma_chart(x, lam: float, L: float, mu0: float, sigma: float) -> tuple:
    """EWMA control chart.

    ``z_0 = mu0`` and ``z_t = lam * x_t + (1 - lam) * z_{t-1}`` for ``t = 1 .. n`` (``x_1`` is
    ``x[0]``). The exact, time-varying limits are
    ``mu0 -/+ L * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 t)))``.

    Returns:
        ``(z, lcl, ucl)``: three ``float64`` tensors of length ``n`` (``z_1 .. z_n``).
    """
    ### BEGIN SOLUTION
    x = tf.cast(x, tf.float64)
    z = tf.scan(lambda prev, xt: lam * xt + (1.0 - lam) * prev, x, initializer=tf.constant(mu0, tf.float64))
    t = tf.range(1, tf.shape(x)[0] + 1, dtype=tf.float64)
    half = L * sigma * tf.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2.0 * t)))
    return z, mu0 - half, mu0 + half
    ### END SOLUTION


def cusum(x, mu0: float, sigma: float, k: float = 0.5, h: float = 5.0) -> tuple:
    """Two-sided tabular CUSUM on standardised values ``z_t = (x_t - mu0) / sigma``.

    ``C+_t = max(0, C+_{t-1} + z_t - k)`` and ``C-_t = max(0, C-_{t-1} - z_t - k)``, both starting
    at 0. An alarm at ``t`` is ``C+_t > h or C-_t > h``; after an alarm both sums restart from 0
    (the returned ``C+_t``, ``C-_t`` are the values before the restart).

    Returns:
        ``(c_plus, c_minus, alarms)``: two ``float64`` vectors and a ``bool`` vector of length ``n``.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def shewhart_rules(x, mu0: float, sigma: float) -> np.ndarray:
    """Three Western Electric rules on ``z_t = (x_t - mu0) / sigma``, as a ``bool`` array ``[n, 3]``.

    - column 0: ``|z_t| > 3`` (one point beyond the 3-sigma limits);
    - column 1: at least two of ``z_{t-2}, z_{t-1}, z_t`` are ``> 2``, or at least two are ``< -2``
      (only for ``t >= 2``);
    - column 2: ``z_{t-7} .. z_t`` are all ``> 0`` or all ``< 0`` (eight in a row on one side; only
      for ``t >= 7``).
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def build_autoencoder(window: int, latent: int = 4) -> tf.keras.Model:
    """A dense autoencoder for fixed-length windows.

    ``Input((window,))`` -> ``Dense(16, relu)`` -> ``Dense(latent)`` -> ``Dense(16, relu)`` ->
    ``Dense(window)``.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.layers.Input((window,)),
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(latent),
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(window),
    ])
    ### END SOLUTION


def anomaly_scores(model: tf.keras.Model, windows) -> np.ndarray:
    """Per-window reconstruction error: the mean over the window of ``(model(w) - w) ** 2``.

    Returns:
        A ``float64`` NumPy vector, one score per window.
    """
    ### BEGIN SOLUTION
    windows = tf.cast(windows, tf.float32)
    recon = model(windows, training=False)
    return tf.reduce_mean(tf.square(recon - windows), axis=1).numpy().astype(np.float64)
    ### END SOLUTION


def train_autoencoder(normal_windows, epochs: int = 60, q: float = 0.99) -> tuple:
    """Train ``build_autoencoder`` on normal windows only and set the alarm threshold.

    Adam(0.01), mean squared reconstruction error, batch size 32, ``epochs`` epochs. The threshold is
    the ``q`` quantile (``np.quantile``, linear) of the training windows' ``anomaly_scores``.

    Returns:
        ``(model, threshold)``; a window is anomalous when its score is above the threshold.
    """
    ### BEGIN SOLUTION
    normal_windows = np.asarray(normal_windows, np.float32)
    model = build_autoencoder(normal_windows.shape[1])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    model.fit(normal_windows, normal_windows, epochs=epochs, batch_size=32, verbose=0)
    threshold = float(np.quantile(anomaly_scores(model, normal_windows), q))
    return model, threshold
    ### END SOLUTION


class StreamingDetector:
    """An O(1)-memory streaming detector: EWMA chart and two-sided CUSUM, one sample at a time.

    ``update(x_t)`` returns a dict with ``"ewma"`` (``z_t``), ``"ewma_alarm"`` (``z_t`` outside the
    exact limits of ``ewma_chart`` at this ``t``) and ``"cusum_alarm"`` (as in ``cusum``, with the
    restart), equal to the batch functions on the same prefix. Keep only a few numbers as state,
    never the history.
    """

    def __init__(self, mu0: float, sigma: float, lam: float = 0.2, L: float = 3.0, k: float = 0.5, h: float = 5.0):
        ### BEGIN SOLUTION
        self.mu0, self.sigma, self.lam, self.L, self.k, self.h = mu0, sigma, lam, L, k, h
        self.t = 0
        self.z = mu0
        self.hi = self.lo = 0.0
        ### END SOLUTION

    def update(self, x_t: float) -> dict:
        ### BEGIN SOLUTION
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
        ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def dtw_path(a, b) -> tuple:
    """The optimal warping path of ``dtw(a, b)`` (no window) and its cost.

    Returns:
        ``(path, cost)``: ``path`` a list of ``(i, j)`` index pairs (0-based, into ``a`` and ``b``)
        from ``(0, 0)`` to ``(n-1, m-1)``, each step moving by ``(1, 0)``, ``(0, 1)`` or ``(1, 1)``;
        ``cost`` the sum of the local costs along it, a float equal to ``dtw(a, b)``.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def soft_dtw(a, b, gamma: float = 1.0) -> tf.Tensor:
    """Soft-DTW (Cuturi and Blondel, 2017), differentiable with respect to ``a`` and ``b``.

    As ``dtw`` (squared Euclidean cost, ``R[0, 0] = 0``, other borders ``inf``), with ``min``
    replaced by ``softmin_gamma(r1, r2, r3) = -gamma * log(sum(exp(-r_i / gamma)))``. Compute it
    with TensorFlow ops on tensors so that ``tf.GradientTape`` gives its gradient (stabilise the
    log-sum-exp; ``tf.reduce_logsumexp`` does).

    Returns:
        ``R[n, m]``, a ``float64`` scalar tensor.
    """
    ### BEGIN SOLUTION
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
            row.append(cost[i - 1, j - 1] - gamma * tf.reduce_logsumexp(-r / gamma))
        prev = row
    return prev[m]
    ### END SOLUTION


# %% [q4]
def var_design(Y, p: int) -> tuple:
    """The regression form of a VAR(p) without intercept.

    Row ``r`` (for ``t = p + r``) of ``X`` is ``[y_{t-1}, y_{t-2}, ..., y_{t-p}]`` concatenated
    (``k * p`` values) and row ``r`` of ``Z`` is ``y_t``.

    Returns:
        ``(X, Z)``: ``float64`` tensors of shapes ``[T - p, k * p]`` and ``[T - p, k]``.
    """
    ### BEGIN SOLUTION
    Y = tf.cast(Y, tf.float64)
    T = int(Y.shape[0])
    X = tf.concat([Y[p - lag:T - lag] for lag in range(1, p + 1)], axis=1)
    return X, Y[p:]
    ### END SOLUTION


def fit_var(Y, p: int) -> dict:
    """Least-squares VAR(p) without intercept, in TensorFlow: ``y_t = sum_l A_l y_{t-l} + u_t``.

    Returns:
        ``{"coefs": [p, k, k] float64 (A_1 .. A_p), "sigma_u": [k, k] float64}``, where
        ``sigma_u = U^T U / (T - p - k p)`` is the residual covariance with the degrees-of-freedom
        correction (the convention of ``statsmodels``' ``VAR(...).fit(p, trend="n")``).
    """
    ### BEGIN SOLUTION
    X, Z = var_design(Y, p)
    k = int(Z.shape[1])
    B = tf.linalg.lstsq(X, Z, fast=False)
    coefs = tf.stack([tf.transpose(B[lag * k:(lag + 1) * k]) for lag in range(p)])
    U = Z - X @ B
    dof = int(X.shape[0]) - k * p
    return {"coefs": coefs, "sigma_u": tf.transpose(U) @ U / dof}
    ### END SOLUTION


def var_forecast(Y, coefs, h: int) -> tf.Tensor:
    """Iterate the VAR ``h`` steps past the end of ``Y`` (forecasts feed back as lags).

    Returns:
        ``[h, k]`` float64.
    """
    ### BEGIN SOLUTION
    coefs = tf.cast(coefs, tf.float64)
    p = int(coefs.shape[0])
    hist = [tf.cast(row, tf.float64) for row in tf.unstack(tf.cast(Y, tf.float64)[-p:])]
    out = []
    for _ in range(h):
        y = tf.add_n([tf.linalg.matvec(coefs[lag], hist[-1 - lag]) for lag in range(p)])
        hist.append(y)
        out.append(y)
    return tf.stack(out)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q5]
def build_gru_model(n_features: int, units: int, n_out: int) -> tf.keras.Model:
    """A GRU with a prediction at every time step.

    ``Input((None, n_features))`` -> ``GRU(units, return_sequences=True)`` -> ``Dense(n_out)``.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.layers.Input((None, n_features)),
        tf.keras.layers.GRU(units, return_sequences=True),
        tf.keras.layers.Dense(n_out),
    ])
    ### END SOLUTION


class StreamingGRU:
    """Serve a model from ``build_gru_model`` one sample at a time.

    Keep the GRU's hidden state between calls: ``step(x_t)`` takes one ``[n_features]`` sample and
    returns the ``[n_out]`` prediction for it, equal to the full-sequence model's output at that
    time step; ``reset()`` starts a new sequence (zero state). Use the trained model's own weights
    (its layers), never a copy made at construction time, and do not keep the history.
    """

    def __init__(self, model: tf.keras.Model):
        ### BEGIN SOLUTION
        self.gru = next(layer for layer in model.layers if isinstance(layer, tf.keras.layers.GRU))
        self.head = model.layers[-1]
        self.reset()
        ### END SOLUTION

    def reset(self) -> None:
        ### BEGIN SOLUTION
        self.state = tf.zeros((1, self.gru.units))
        ### END SOLUTION

    def step(self, x_t) -> np.ndarray:
        ### BEGIN SOLUTION
        x = tf.reshape(tf.cast(x_t, tf.float32), (1, -1))
        out, states = self.gru.cell(x, [self.state])
        self.state = states[0] if isinstance(states, (list, tuple)) else states
        return self.head(out)[0].numpy()
        ### END SOLUTION


def online_update(model: tf.keras.Model, optimizer: tf.keras.optimizers.Optimizer, x, y) -> float:
    """One online learning step on the newest mini-batch.

    Compute the mean squared error of ``model(x)`` against ``y`` under a ``tf.GradientTape``, apply
    one ``optimizer`` step to ``model.trainable_variables``, and return the loss measured before the
    step (the prequential error: every sample is scored before it is learned from).
    """
    ### BEGIN SOLUTION
    y = tf.cast(y, tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(tf.cast(x, tf.float32), training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return float(loss)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def garch11_nll(params, r) -> tf.Tensor:
    """The Gaussian negative log-likelihood of a zero-mean GARCH(1,1), a ``float64`` scalar.

    ``0.5 * sum_t (log(2 pi) + log sigma2_t + r_t^2 / sigma2_t)`` over ``t = 1 .. n`` (not the
    forecast), with ``sigma2`` from ``garch11_variance``.
    """
    ### BEGIN SOLUTION
    r = tf.cast(r, tf.float64)
    s2 = garch11_variance(params, r)[:-1]
    return 0.5 * tf.reduce_sum(np.log(2.0 * np.pi) + tf.math.log(s2) + tf.square(r) / s2)
    ### END SOLUTION


def fit_garch11(r, steps: int = 300, learning_rate: float = 0.05) -> dict:
    """Maximum-likelihood GARCH(1,1) with TensorFlow and Adam (no scipy.optimize, no ``arch``).

    Optimise unconstrained variables mapped to ``omega > 0``, ``alpha >= 0``, ``beta >= 0``,
    ``alpha + beta < 1`` (for instance ``omega = exp(w)`` and ``(alpha, beta, 1 - alpha - beta)``
    a softmax of ``(a, b, 0)``), minimising ``garch11_nll / n``.

    Returns:
        ``{"omega", "alpha", "beta"}`` as Python floats.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def gaussian_var_es(sigma2, level: float = 0.99) -> tuple:
    """Value at risk and expected shortfall of a zero-mean Gaussian return with variance ``sigma2``.

    Both are positive losses: ``VaR = sigma * z`` and ``ES = sigma * phi(z) / (1 - level)`` with
    ``z`` the standard normal ``level`` quantile (``tf.math.ndtri``) and ``phi`` its density.

    Returns:
        ``(var, es)``: ``float64`` tensors shaped like ``sigma2``.
    """
    ### BEGIN SOLUTION
    sigma = tf.sqrt(tf.cast(sigma2, tf.float64))
    z = tf.math.ndtri(tf.constant(level, tf.float64))
    phi = tf.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return sigma * z, sigma * phi / (1.0 - level)
    ### END SOLUTION


def historical_var_es(returns, level: float = 0.99) -> tuple:
    """Historical VaR and ES, as positive losses.

    With the losses ``-returns`` sorted from the largest and ``k = ceil(n * (1 - level))``, ``VaR``
    is the ``k``-th largest loss and ``ES`` the mean of the ``k`` largest.

    Returns:
        ``(var, es)`` as Python floats.
    """
    ### BEGIN SOLUTION
    losses = np.sort(-np.asarray(returns, np.float64))[::-1]
    k = int(math.ceil(len(losses) * (1.0 - level)))
    return float(losses[k - 1]), float(losses[:k].mean())
    ### END SOLUTION


def kupiec_pof(n_violations: int, n: int, level: float = 0.99) -> tuple:
    """Kupiec's proportion-of-failures test of a VaR model.

    With ``p = 1 - level`` and ``x`` violations in ``n`` days,
    ``LR = -2 [(n - x) log(1 - p) + x log p - (n - x) log(1 - x/n) - x log(x/n)]`` (with
    ``0 log 0 = 0``) and the p-value is the chi-square(1) survival function at ``LR``,
    ``erfc(sqrt(LR / 2))``.

    Returns:
        ``(lr, p_value)`` as Python floats.
    """
    ### BEGIN SOLUTION
    p = 1.0 - level
    x = float(n_violations)
    phat = x / n

    def xlogy(a, b):
        return 0.0 if a == 0 else a * math.log(b)

    lr = -2.0 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - phat) - xlogy(x, phat))
    lr = max(lr, 0.0)
    return lr, math.erfc(math.sqrt(lr / 2.0))
    ### END SOLUTION


def garch_var_backtest(params, r, level: float = 0.99) -> dict:
    """Backtest the one-step-ahead Gaussian GARCH VaR on the returns ``r``.

    The VaR for day ``t`` uses ``sigma2_t`` from ``garch11_variance`` (known the day before); a
    violation is ``-r_t > VaR_t``.

    Returns:
        ``{"var": [n] float64, "violations": [n] bool, "lr": float, "p_value": float}`` with the
        Kupiec test of the violation count.
    """
    ### BEGIN SOLUTION
    s2 = garch11_variance(params, r)[:-1]
    var, _ = gaussian_var_es(s2, level)
    var = var.numpy()
    viol = -np.asarray(r, np.float64) > var
    lr, pv = kupiec_pof(int(viol.sum()), len(viol), level)
    return {"var": var, "violations": viol, "lr": lr, "p_value": pv}
    ### END SOLUTION
