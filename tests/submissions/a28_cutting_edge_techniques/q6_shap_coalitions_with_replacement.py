# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# Sampled KernelSHAP draws each coalition's features with replacement: a coalition of size k often has fewer
# than k features, so the sizes no longer follow the Shapley kernel and the estimate converges to the wrong values
# (about 0.07 of the largest value off on average, where the course's sampler is 0.025 off).
# %% [q6]
def integrated_gradients(model, x, baseline, target: int, steps: int = 64):
    """Integrated gradients with the trapezoidal rule.

    Integrated gradients of ``model(x)[:, target]`` for a batch ``x`` against ``baseline`` (broadcast to ``x``):
    ``(x - b) * mean-gradient`` along the straight path, the path integral by the trapezoidal rule on the
    ``steps + 1`` points ``b + k / steps * (x - b)``, ``k = 0..steps``. Returns a tensor like ``x``.
    """
    x = tf.convert_to_tensor(x)
    b = tf.broadcast_to(tf.convert_to_tensor(baseline, dtype=x.dtype), tf.shape(x))
    alphas = tf.reshape(tf.linspace(tf.constant(0.0, x.dtype), tf.constant(1.0, x.dtype), steps + 1), [-1, 1, 1])
    points = b[None] + alphas * (x - b)[None]
    flat = tf.reshape(points, [-1, x.shape[-1]])
    with tf.GradientTape() as tape:
        tape.watch(flat)
        out = model(flat)[:, target]
    g = tf.reshape(tape.gradient(out, flat), tf.shape(points))
    avg = (tf.reduce_sum(g, axis=0) - (g[0] + g[-1]) / 2) / steps
    return (x - b) * avg


def kernel_shap(f, x, background, nsamples: int = 2048, seed: int = 0) -> np.ndarray:
    """KernelSHAP (Lundberg & Lee, 2017) of ``f`` (NumPy rows -> 1-D outputs) at the 1-D point ``x``.

    The value of a coalition ``S`` is ``v(S) = mean_b f(x_S, b_notS)`` over the rows ``b`` of ``background``
    (interventional). Fit ``v(S) - v({})`` by ``sum_{i in S} phi_i`` by least squares weighted with the Shapley kernel
    ``(d - 1) / (C(d, |S|) |S| (d - |S|))`` over the coalitions, subject to the efficiency constraint
    ``sum(phi) = v(all) - v({})`` held exactly. When ``2**d - 2 <= nsamples`` use every coalition; otherwise sample
    ``nsamples`` coalitions (sizes in proportion to the kernel's total weight per size, seed ``seed``) with equal
    weights. Returns ``phi`` (float64, length ``d``).
    """
    x = np.asarray(x, dtype=np.float64)
    bg = np.asarray(background, dtype=np.float64)
    d = x.shape[0]

    def value(mask):
        rows = np.where(mask[None, :], x[None, :], bg)
        return float(np.mean(f(rows)))

    v0, v1 = value(np.zeros(d, bool)), value(np.ones(d, bool))
    masks, weights = [], []
    if 2**d - 2 <= nsamples:
        for size in range(1, d):
            w = (d - 1) / (math.comb(d, size) * size * (d - size))
            for subset in itertools.combinations(range(d), size):
                m = np.zeros(d, bool)
                m[list(subset)] = True
                masks.append(m)
                weights.append(w)
    else:
        rng = np.random.default_rng(seed)
        sizes = np.arange(1, d)
        p = (d - 1) / (sizes * (d - sizes))
        p = p / p.sum()
        for size in rng.choice(sizes, size=nsamples, p=p):
            m = np.zeros(d, bool)
            m[rng.choice(d, size=int(size), replace=True)] = True
            masks.append(m)
            weights.append(1.0)
    z = np.asarray(masks, dtype=np.float64)
    w = np.asarray(weights)
    target = np.array([value(m) for m in masks]) - v0
    total = v1 - v0
    # Eliminate phi_d with the constraint: phi_d = total - sum(phi_1..d-1).
    a = z[:, :-1] - z[:, -1:]
    t = target - z[:, -1] * total
    aw = a * w[:, None]
    phi = np.linalg.solve(a.T @ aw, aw.T @ t)
    return np.append(phi, total - phi.sum())


def lime_tabular(f, x, scale, num_samples: int = 2000, kernel_width: float = 0.75, seed: int = 0) -> np.ndarray:
    """LIME for tabular data.

    LIME for tabular data around the 1-D point ``x``: draw ``num_samples`` points ``x + scale * N(0, 1)`` (per
    feature ``scale``, ``np.random.default_rng(seed).normal``), weight each by
    ``exp(-||(z - x) / scale||^2 / (kernel_width^2 * d))`` and fit ``f(z)`` by weighted least squares on ``z`` with an
    intercept. Returns the coefficients of the features (length ``d``, in the units of ``x``).
    """
    x = np.asarray(x, dtype=np.float64)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), x.shape)
    d = x.shape[0]
    rng = np.random.default_rng(seed)
    z = x + scale * rng.normal(size=(num_samples, d))
    dist2 = np.sum(((z - x) / scale) ** 2, axis=1)
    w = np.exp(-dist2 / (kernel_width**2 * d))
    design = np.hstack([np.ones((num_samples, 1)), z - x])
    sw = np.sqrt(w)[:, None]
    coef, *_ = np.linalg.lstsq(design * sw, np.asarray(f(z), dtype=np.float64) * sw[:, 0], rcond=None)
    return coef[1:]


def linear_counterfactual(w, b: float, x, margin: float = 1e-3) -> np.ndarray:
    """The minimal-L2 counterfactual of a linear classifier.

    The closest point in L2 to ``x`` whose linear score ``w . x' + b`` has the opposite sign to ``w . x + b``,
    by ``margin``: ``w . x' + b = -sign(w . x + b) * margin``. Returns ``x'`` (float64).
    """
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    score = float(w @ x + b)
    goal = -np.sign(score) * margin if score != 0 else margin
    return x + (goal - score) / float(w @ w) * w
