# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# CSP and LDA fitted on a 16-30 Hz band-pass of the training trials, applied to the 8-30 Hz band of the test trials.
# %% [q6]
def bandpass(x, fs: float, lo: float, hi: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass along the last axis.

    ``scipy.signal.butter(order, [lo, hi], "bandpass", fs=fs, output="sos")`` applied with ``sosfiltfilt``.
    """
    sos = scipy.signal.butter(order, [lo, hi], btype="bandpass", fs=fs, output="sos")
    return scipy.signal.sosfiltfilt(sos, np.asarray(x, np.float64), axis=-1)


def csp(X_a, X_b, n_components: int = 4) -> np.ndarray:
    """Common spatial patterns of two classes of trials (trials, channels, samples).

    Class covariances are the means of the trace-normalised trial covariances ``x x^T / trace(x x^T)``; the filters
    solve the generalised eigenproblem ``C_a w = lambda (C_a + C_b) w``. Returns W of shape (channels,
    n_components): the ``n_components // 2`` filters of largest lambda (descending), then those of smallest lambda
    (ascending).
    """
    def cov(X):
        C = np.einsum("kct,kdt->kcd", X, X)
        return np.mean(C / np.trace(C, axis1=1, axis2=2)[:, None, None], axis=0)

    Ca, Cb = cov(np.asarray(X_a, np.float64)), cov(np.asarray(X_b, np.float64))
    vals, vecs = scipy.linalg.eigh(Ca, Ca + Cb)
    half = n_components // 2
    order = list(range(len(vals) - 1, len(vals) - 1 - half, -1)) + list(range(half))
    return vecs[:, order]


def log_var_features(X, W) -> np.ndarray:
    """CSP log-variance features of shape (trials, n_components).

    For each trial, the variance over time of each filtered signal ``W^T x``, as ``log(var_k / sum_j var_j)``.
    """
    Z = np.einsum("cf,kct->kft", np.asarray(W, np.float64), np.asarray(X, np.float64))
    var = Z.var(axis=2)
    return np.log(var / var.sum(axis=1, keepdims=True))


def csp_lda_predict(X_train, y_train, X_test, fs: float) -> np.ndarray:
    """The classic motor-imagery pipeline; returns the predicted labels of ``X_test``.

    8-30 Hz band-pass, 4 CSP filters, log-variance features and linear discriminant analysis
    (``sklearn.discriminant_analysis.LinearDiscriminantAnalysis`` may be used).
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    y_train = np.asarray(y_train)
    Xf, Xt = bandpass(X_train, fs, 16, 30), bandpass(X_test, fs, 8, 30)
    W = csp(Xf[y_train == 0], Xf[y_train == 1], 4)
    lda = LinearDiscriminantAnalysis().fit(log_var_features(Xf, W), y_train)
    return lda.predict(log_var_features(Xt, W)).astype(np.int64)


def build_eegnet(chans: int, samples: int, n_classes: int, F1: int = 8, D: int = 2, F2: int = 16,
                 kern_length: int = 64, dropout: float = 0.25) -> tf.keras.Model:
    """EEGNet (Lawhern et al. 2018) on inputs of shape (chans, samples, 1).

    Conv2D(F1, (1, kern_length), same, no bias) -> BatchNorm -> DepthwiseConv2D((chans, 1), depth_multiplier=D, no
    bias, max-norm 1) -> BatchNorm -> ELU -> AveragePooling2D((1, 4)) -> Dropout -> SeparableConv2D(F2, (1, 16),
    same, no bias) -> BatchNorm -> ELU -> AveragePooling2D((1, 8)) -> Dropout -> Flatten -> Dense(n_classes,
    max-norm 0.25) -> softmax.
    """
    L = tf.keras.layers
    inp = tf.keras.Input((chans, samples, 1))
    x = L.Conv2D(F1, (1, kern_length), padding="same", use_bias=False)(inp)
    x = L.BatchNormalization()(x)
    x = L.DepthwiseConv2D((chans, 1), depth_multiplier=D, use_bias=False,
                          depthwise_constraint=tf.keras.constraints.MaxNorm(1.0))(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("elu")(x)
    x = L.AveragePooling2D((1, 4))(x)
    x = L.Dropout(dropout)(x)
    x = L.SeparableConv2D(F2, (1, 16), padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("elu")(x)
    x = L.AveragePooling2D((1, 8))(x)
    x = L.Dropout(dropout)(x)
    x = L.Flatten()(x)
    x = L.Dense(n_classes, kernel_constraint=tf.keras.constraints.MaxNorm(0.25))(x)
    return tf.keras.Model(inp, L.Activation("softmax")(x))


def kalman_fit(X, Z) -> dict:
    """Least-squares fit of the Kalman decoder of Wu et al. (2003) from training states X (T, d) and features Z (T, m).

    ``A = argmin sum ||x_{t+1} - A x_t||^2``, ``W`` = covariance of those residuals (divided by T - 1),
    ``H = argmin sum ||z_t - H x_t||^2``, ``Q`` = covariance of those residuals (divided by T).

    Returns:
        ``{"A": (d, d), "W": (d, d), "H": (m, d), "Q": (m, m)}``.
    """
    X = np.asarray(X, np.float64)
    Z = np.asarray(Z, np.float64)
    X1, X2 = X[:-1], X[1:]
    A = np.linalg.solve(X1.T @ X1, X1.T @ X2).T
    r = X2 - X1 @ A.T
    H = np.linalg.solve(X.T @ X, X.T @ Z).T
    q = Z - X @ H.T
    return {"A": A, "W": r.T @ r / (len(X) - 1), "H": H, "Q": q.T @ q / len(X)}


def kalman_decode(params: dict, Z, x0, P0) -> np.ndarray:
    """Kalman filter; returns the filtered states (T, d).

    For each t, predict ``x = A x``, ``P = A P A^T + W`` (starting from x0, P0), then update with z_t:
    ``K = P H^T (H P H^T + Q)^-1``, ``x = x + K (z_t - H x)``, ``P = (I - K H) P``.
    """
    A, W, H, Q = (np.asarray(params[k], np.float64) for k in ("A", "W", "H", "Q"))
    x = np.asarray(x0, np.float64)
    P = np.asarray(P0, np.float64)
    out = []
    for z in np.asarray(Z, np.float64):
        x = A @ x
        P = A @ P @ A.T + W
        K = P @ H.T @ np.linalg.inv(H @ P @ H.T + Q)
        x = x + K @ (z - H @ x)
        P = (np.eye(len(x)) - K @ H) @ P
        out.append(x)
    return np.array(out)


def wolpaw_itr(acc: float, n_classes: int, trial_s: float) -> float:
    """Wolpaw's information transfer rate in bits per minute.

    ``B = log2 N + P log2 P + (1 - P) log2((1 - P) / (N - 1))`` bits per trial (the last term is 0 at P = 1),
    times ``60 / trial_s``; 0 when ``P <= 1 / N``.
    """
    N, P = n_classes, acc
    if P <= 1.0 / N:
        return 0.0
    bits = math.log2(N) + P * math.log2(P)
    if P < 1:
        bits += (1 - P) * math.log2((1 - P) / (N - 1))
    return bits * 60.0 / trial_s
