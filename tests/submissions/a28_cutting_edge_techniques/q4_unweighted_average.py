# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# FedAvg averages the clients' models without weighting by their sizes.
# %% [q4]
def dirichlet_partition(labels, n_clients: int, alpha: float, seed: int = 0) -> list:
    """Split rows among clients with Dirichlet label proportions (non-IID).

    Non-IID split: for every class (in ``np.unique`` order), shuffle its row indices, draw client proportions
    from ``Dirichlet(alpha * ones(n_clients))`` and cut the shuffled indices at the cumulative proportions. Every
    row goes to exactly one client. Returns ``n_clients`` sorted int arrays of row indices.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    parts = [[] for _ in range(n_clients)]
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        props = rng.dirichlet(alpha * np.ones(n_clients))
        cuts = (np.cumsum(props)[:-1] * len(idx)).astype(int)
        for k, chunk in enumerate(np.split(idx, cuts)):
            parts[k].extend(chunk.tolist())
    return [np.sort(np.asarray(p, dtype=np.int64)) for p in parts]


def softmax_regression_loss(params, x, y):
    """Mean sparse softmax cross-entropy of the logits ``x @ W + b`` (``params = [W, b]``) on int labels ``y``."""
    logits = tf.matmul(tf.convert_to_tensor(x), params[0]) + params[1]
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(y, tf.int32), logits))


def local_update(params, x, y, lr: float, epochs: int = 1, batch_size: int = 32, mu: float = 0.0,
                 seed: int = 0) -> list:
    """A client's local training (FedAvg, or FedProx with ``mu > 0``).

    Plain SGD on ``softmax_regression_loss`` for ``epochs`` passes over ``(x, y)`` in mini-batches of ``batch_size``
    (order from ``np.random.default_rng(seed).permutation`` per epoch; a batch size of at least ``len(x)`` is
    full-batch gradient descent). With ``mu > 0`` (FedProx) each step's loss adds ``mu / 2 * sum ||w - w_global||^2``
    where ``w_global`` are the ``params`` received. Returns NumPy arrays.
    """
    x = np.asarray(x)
    global_w = [tf.constant(p) for p in params]
    w = [tf.Variable(p) for p in params]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = softmax_regression_loss(w, x[rows], np.asarray(y)[rows])
                if mu > 0:
                    prox = [tf.reduce_sum(tf.square(a - g)) for a, g in zip(w, global_w, strict=True)]
                    loss += mu / 2 * tf.add_n(prox)
            for v, g in zip(w, tape.gradient(loss, w), strict=True):
                v.assign_sub(lr * g)
    return [v.numpy() for v in w]


def fedavg(params, clients, rounds: int, clients_per_round: int, lr: float, local_epochs: int = 1,
           batch_size: int = 32, mu: float = 0.0, seed: int = 0) -> list:
    """Federated averaging (FedProx with ``mu > 0``) of a softmax regression.

    ``clients`` is a list of ``(x, y)``. Each round draws ``clients_per_round`` distinct clients with
    ``np.random.default_rng(seed)``, runs ``local_update`` on each from the current global parameters and sets the
    global parameters to the average of the results weighted by the clients' numbers of examples. Returns NumPy
    arrays.
    """
    rng = np.random.default_rng(seed)
    w = [np.asarray(p) for p in params]
    for r in range(rounds):
        chosen = rng.choice(len(clients), size=clients_per_round, replace=False)
        results, sizes = [], []
        for k in chosen:
            x, y = clients[int(k)]
            results.append(local_update(w, x, y, lr, local_epochs, batch_size, mu, seed=seed + 1000 * r + int(k)))
            sizes.append(len(x))
        weights = np.ones(len(sizes)) / len(sizes)
        w = [sum(wt * res[i] for wt, res in zip(weights, results, strict=True)).astype(w[i].dtype)
             for i in range(len(w))]
    return w


def secure_aggregate(updates, seed: int, scale: int = 2**16, modulus: int = 2**32) -> tuple:
    """Secure aggregation with pairwise additive masks in fixed point.

    Each client ``i`` quantises its 1-D update to ints ``q_i = round(u_i * scale)``; for every pair ``i < j`` a
    mask ``m_ij`` uniform in ``[0, modulus)`` (int64, from ``np.random.default_rng([seed, i, j])``) is added by
    ``i`` and subtracted by ``j``, all modulo ``modulus``. Returns ``(masked, total)``: the list of masked int64
    vectors (what the server sees) and the float64 sum of the updates recovered from the masked vectors alone (their
    sum modulo ``modulus``, mapped to ``[-modulus/2, modulus/2)``, divided by ``scale``).
    """
    n = len(updates)
    q = [np.round(np.asarray(u, dtype=np.float64) * scale).astype(np.int64) % modulus for u in updates]
    masked = [v.copy() for v in q]
    for i in range(n):
        for j in range(i + 1, n):
            m = np.random.default_rng([seed, i, j]).integers(0, modulus, size=q[i].shape, dtype=np.int64)
            masked[i] = (masked[i] + m) % modulus
            masked[j] = (masked[j] - m) % modulus
    s = np.sum(np.stack(masked), axis=0) % modulus
    s = np.where(s >= modulus // 2, s - modulus, s)
    return masked, s.astype(np.float64) / scale


def dp_aggregate(updates, clip_norm: float, noise_multiplier: float, seed: int) -> tuple:
    """Differentially private mean of client updates (DP-FedAvg, Gaussian mechanism).

    Clip every 1-D update to L2 norm at most ``clip_norm`` (``u * min(1, C / ||u||)``), average the clipped updates
    and add ``N(0, (noise_multiplier * clip_norm / n)^2)`` noise per coordinate from
    ``np.random.default_rng(seed).normal``. Returns ``(clipped_updates, noisy_mean)`` as float64 arrays.
    """
    ups = [np.asarray(u, dtype=np.float64) for u in updates]
    clipped = [u * min(1.0, clip_norm / max(np.linalg.norm(u), 1e-12)) for u in ups]
    mean = np.mean(clipped, axis=0)
    std = noise_multiplier * clip_norm / len(ups)
    return clipped, mean + np.random.default_rng(seed).normal(0.0, std, size=mean.shape)
