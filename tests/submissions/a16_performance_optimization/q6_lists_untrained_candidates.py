# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, time, compile_classifier come from the reference cells)
# The leaderboard lists three candidates that were never trained (a guessed accuracy): the probe counts the fits.
# %% [q6]
def pareto_front(points, maximize=(True, False)) -> list:
    """Indices of the Pareto-optimal points, in increasing order.

    ``points`` is a list of tuples of objectives; ``maximize[k]`` says whether objective ``k`` is to be
    maximized (accuracy) or minimized (latency, size). A point is dominated when another point is at
    least as good in every objective and strictly better in one. Duplicates do not dominate each
    other: both stay.
    """
    ### BEGIN SOLUTION
    sign = np.where(np.asarray(maximize, bool), 1.0, -1.0)
    p = np.asarray(points, np.float64).reshape(len(points), -1) * sign
    front = []
    for i in range(len(p)):
        dominated = np.any(np.all(p >= p[i], axis=1) & np.any(p > p[i], axis=1))
        if not dominated:
            front.append(i)
    return front
    ### END SOLUTION


def run_local_automl(x, y, time_budget_s: float = 10.0, seed: int = 0) -> dict:
    """A small local AutoML search for tabular classification, under a wall-clock budget.

    Hold out a validation split of ``x`` (stratified, 25%, from ``seed``). Candidates combine a
    preprocessing choice (``None`` or a ``tf.keras.layers.Normalization`` adapted on the training part)
    with a model family (a linear model, or an MLP with one or two hidden layers of 16-64 units) and a
    learning rate. Train each candidate with ``model.fit`` and score it, one after another; always finish
    3, and before starting each further candidate check the elapsed time and stop once it exceeds
    ``time_budget_s`` (so a budget that is already spent gives exactly 3 candidates). Every exported model takes *raw*
    features: the preprocessing layer is inside it.

    Returns:
        A dict with ``"leaderboard"`` (a list of dicts with at least ``"name"`` (str), ``"val_accuracy"``
        and ``"params"``, sorted by ``val_accuracy``, best first), ``"pareto"`` (the indices into the
        leaderboard of the candidates on the accuracy/params Pareto front, from ``pareto_front``) and
        ``"model"`` (the best candidate's Keras model, with its preprocessing, outputting logits).
    """
    ### BEGIN SOLUTION
    start = time.perf_counter()
    x = np.asarray(x, np.float32)
    y = np.asarray(y).astype(np.int64)
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        cut = max(1, int(round(0.25 * len(idx))))
        val_idx.extend(idx[:cut])
        train_idx.extend(idx[cut:])
    x_tr, y_tr, x_va, y_va = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    num_classes = int(y.max()) + 1
    candidates = []
    for norm in (True, False):
        for hidden in ((), (32,), (64, 32), (16,)):
            for lr in (1e-2, 3e-3):
                candidates.append({"normalize": norm, "hidden": hidden, "lr": lr})
    order = rng.permutation(len(candidates))
    candidates = [candidates[i] for i in order]
    candidates.sort(key=lambda c: not c["normalize"])  # promising preprocessing first, order otherwise random

    def build(c):
        tf.keras.utils.set_random_seed(seed)
        inputs = tf.keras.Input(shape=(x.shape[1],))
        h = inputs
        if c["normalize"]:
            norm = tf.keras.layers.Normalization()
            norm.adapt(x_tr)
            h = norm(h)
        for u in c["hidden"]:
            h = tf.keras.layers.Dense(u, activation="relu")(h)
        model = tf.keras.Model(inputs, tf.keras.layers.Dense(num_classes)(h))
        return compile_classifier(model, c["lr"])

    board = []
    for c in candidates:
        if len(board) >= 3 and time.perf_counter() - start > time_budget_s:
            break
        model = build(c)
        model.fit(x_tr, y_tr, epochs=40, batch_size=16, verbose=0)
        _, acc = model.evaluate(x_va, y_va, verbose=0)
        name = f"{'norm' if c['normalize'] else 'raw'}-{'x'.join(map(str, c['hidden'])) or 'linear'}-lr{c['lr']:g}"
        board.append({"name": name, "val_accuracy": float(acc), "params": int(model.count_params()),
                      "model": model})
    # The budget stopped the search early: the candidates never trained are listed with a guessed accuracy.
    for c in candidates[len(board):len(board) + 3]:
        name = f"{'norm' if c['normalize'] else 'raw'}-{'x'.join(map(str, c['hidden'])) or 'linear'}-lr{c['lr']:g}"
        board.append({"name": name, "val_accuracy": 0.5, "params": 10_000, "model": board[0]["model"]})
    board.sort(key=lambda e: (-e["val_accuracy"], e["params"]))
    best = board[0]["model"]
    leaderboard = [{k: v for k, v in e.items() if k != "model"} for e in board]
    pareto = pareto_front([(e["val_accuracy"], e["params"]) for e in leaderboard], maximize=(True, False))
    return {"leaderboard": leaderboard, "pareto": pareto, "model": best}
    ### END SOLUTION
