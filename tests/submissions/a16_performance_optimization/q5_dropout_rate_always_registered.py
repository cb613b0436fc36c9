# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, tfmot, kt, math, time, mlp, compile_classifier come from the setup cell)
# dropout_rate is registered whether or not dropout is on (no conditional_scope), so it is always active
# and the search space differs.
# %% [q5]
def build_model(hp) -> tf.keras.Model:
    """A keras-tuner model-building function for a digits classifier (64 inputs, 10 classes, logits).

    Hyperparameters (names, ranges and order exactly as listed):

    - ``hp.Int("num_layers", 1, 3)``; for ``i`` in ``range(num_layers)``: ``hp.Int(f"units_{i}", 16, 128, step=16)``;
    - ``hp.Choice("activation", ["relu", "tanh"])`` (shared by all hidden layers);
    - ``hp.Boolean("dropout")``, and only when it is true (inside ``hp.conditional_scope("dropout", [True])``)
      ``hp.Float("dropout_rate", 0.1, 0.5, step=0.1)`` for a ``Dropout`` after every hidden layer;
    - ``hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")`` for ``Adam``.

    Compile with sparse cross-entropy from logits and the ``"accuracy"`` metric.
    """
    model = tf.keras.Sequential([tf.keras.Input(shape=(64,))])
    num_layers = hp.Int("num_layers", 1, 3)
    units = [hp.Int(f"units_{i}", 16, 128, step=16) for i in range(num_layers)]
    activation = hp.Choice("activation", ["relu", "tanh"])
    use_dropout = hp.Boolean("dropout")
    rate = hp.Float("dropout_rate", 0.1, 0.5, step=0.1)
    for u in units:
        model.add(tf.keras.layers.Dense(u, activation=activation))
        if use_dropout:
            model.add(tf.keras.layers.Dropout(rate))
    model.add(tf.keras.layers.Dense(10))
    learning_rate = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    return compile_classifier(model, learning_rate)


def run_tuner(x, y, x_val, y_val, directory: str, algorithm: str = "random", max_trials: int = 4, epochs: int = 3,
              seed: int = 0):
    """Search ``build_model`` with keras-tuner on ``(x, y)``, judged by ``val_accuracy`` on ``(x_val, y_val)``.

    ``algorithm`` is ``"random"`` (``kt.RandomSearch``) or ``"bayesian"`` (``kt.BayesianOptimization``),
    each with ``objective="val_accuracy"``, ``max_trials``, ``seed``, ``directory=directory``,
    ``project_name=algorithm`` and ``overwrite=True``; run ``tuner.search(..., epochs=epochs, verbose=0)``.

    Returns:
        The tuner after the search.
    """
    classes = {"random": kt.RandomSearch, "bayesian": kt.BayesianOptimization}
    tuner = classes[algorithm](build_model, objective="val_accuracy", max_trials=max_trials, seed=seed,
                               directory=directory, project_name=algorithm, overwrite=True)
    tuner.search(np.asarray(x, np.float32), np.asarray(y), epochs=epochs, batch_size=32,
                 validation_data=(np.asarray(x_val, np.float32), np.asarray(y_val)), verbose=0)
    return tuner


def hyperband_brackets(max_budget: int, eta: int = 3) -> list:
    """The Hyperband schedule of Li et al. (2018) for maximum budget ``R = max_budget`` and ``eta``.

    ``s_max = floor(log_eta(R))`` (computed with integers, so ``R = 81, eta = 3`` gives 4). For
    ``s = s_max, ..., 0``: ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations at budget
    ``r = R * eta**-s``; rung ``i = 0..s`` keeps ``floor(n * eta**-i)`` configurations at budget
    ``r * eta**i``.

    Returns:
        One list per bracket (``s`` from ``s_max`` down to 0) of ``(n_i, r_i)`` pairs, ``n_i`` an
        ``int`` and ``r_i`` a ``float``.
    """
    s_max = 0
    while eta ** (s_max + 1) <= max_budget:
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) / (s + 1) * eta ** s)
        r = max_budget * eta ** (-s)
        brackets.append([(int(n * eta ** (-i) + 1e-9), float(r * eta ** i)) for i in range(s + 1)])
    return brackets


def successive_halving(configs: list, evaluate, min_budget: float, eta: int = 3):
    """Successive halving (Jamieson and Talwalkar, 2016) over a list of configurations.

    Evaluate every config at ``min_budget``, keep the best ``ceil(n / eta)``, multiply the budget by
    ``eta``, and repeat until one config is left (that last one is evaluated too).

    ``evaluate(config, budget) -> float`` (higher is better). Ties keep the config that comes first in
    the current order (a stable sort). Survivors keep their order of rank.

    Returns:
        ``(best_config, total_budget)``: the last survivor and the sum of the budgets of all evaluations.
    """
    survivors = list(configs)
    budget, total = float(min_budget), 0.0
    while True:
        scores = [float(evaluate(c, budget)) for c in survivors]
        total += budget * len(survivors)
        if len(survivors) == 1:
            return survivors[0], total
        order = sorted(range(len(survivors)), key=lambda i: -scores[i])
        survivors = [survivors[i] for i in order[:math.ceil(len(survivors) / eta)]]
        budget *= eta
