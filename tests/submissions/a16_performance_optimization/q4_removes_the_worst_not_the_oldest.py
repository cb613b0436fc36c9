# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, compile_classifier come from the reference cells)
# Plain (non-aging) evolution: the worst member is removed instead of the oldest, so good old members never leave.
# It still beats random search on the synthetic landscape; only the aging check tells it apart.
# %% [q4]
def sample_architecture(space: dict, rng: np.random.Generator) -> dict:
    """One architecture drawn uniformly: ``{key: one of space[key]}`` for every key (use ``rng.integers``)."""
    ### BEGIN SOLUTION
    return {key: values[int(rng.integers(len(values)))] for key, values in space.items()}
    ### END SOLUTION


def mutate(arch: dict, space: dict, rng: np.random.Generator) -> dict:
    """A copy of ``arch`` with exactly one key (chosen uniformly) changed to a *different* value of ``space``.

    Keys with a single option cannot change; pick among the others. ``arch`` itself is not modified.
    """
    ### BEGIN SOLUTION
    keys = [key for key, values in space.items() if len(values) > 1]
    key = keys[int(rng.integers(len(keys)))]
    options = [v for v in space[key] if v != arch[key]]
    child = dict(arch)
    child[key] = options[int(rng.integers(len(options)))]
    return child
    ### END SOLUTION


def regularized_evolution(space: dict, fitness_fn, budget: int, population_size: int = 10, sample_size: int = 3,
                          seed: int = 0):
    """Regularized (aging) evolution (Real et al., 2019) with exactly ``budget`` fitness evaluations.

    Start with ``population_size`` random architectures (``sample_architecture``). Then, until the
    budget is spent: draw ``sample_size`` members of the population at random, mutate the fittest of
    them (``mutate``), evaluate the child, append it, and remove the *oldest* member. Use
    ``np.random.default_rng(seed)`` for every random choice, so a seed gives the same search.

    Args:
        space: ``{key: list of options}``.
        fitness_fn: ``arch -> float`` (higher is better); call it exactly ``budget`` times.
        budget: the number of evaluations (at least ``population_size``).
        population_size: the number of architectures alive at a time.
        sample_size: how many members compete to be the next parent.
        seed: the seed of the one ``np.random.Generator`` of the search.

    Returns:
        ``(best_arch, history)``: the best architecture seen, and the list of ``(arch, fitness)`` in
        evaluation order (``len(history) == budget``).
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    history, population = [], []
    for _ in range(min(population_size, budget)):
        arch = sample_architecture(space, rng)
        entry = (arch, float(fitness_fn(arch)))
        population.append(entry)
        history.append(entry)
    while len(history) < budget:
        picks = rng.choice(len(population), size=min(sample_size, len(population)), replace=False)
        parent = max((population[int(i)] for i in picks), key=lambda e: e[1])
        child = mutate(parent[0], space, rng)
        entry = (child, float(fitness_fn(child)))
        population.append(entry)
        history.append(entry)
        population.remove(min(population, key=lambda e: e[1]))  # the worst, not the oldest
    best = max(history, key=lambda e: e[1])
    return best[0], history
    ### END SOLUTION


def build_from_arch(arch: dict, input_dim: int, num_classes: int) -> tf.keras.Sequential:
    """A Sequential classifier (logits) for ``arch = {"num_layers", "units", "activation", "dropout"}``.

    ``Input(input_dim)``, then ``num_layers`` times ``Dense(units, activation)`` each followed by
    ``Dropout(dropout)`` when ``dropout > 0``, then ``Dense(num_classes)``.
    """
    ### BEGIN SOLUTION
    layers = [tf.keras.Input(shape=(input_dim,))]
    for _ in range(int(arch["num_layers"])):
        layers.append(tf.keras.layers.Dense(int(arch["units"]), activation=arch["activation"]))
        if float(arch["dropout"]) > 0:
            layers.append(tf.keras.layers.Dropout(float(arch["dropout"])))
    layers.append(tf.keras.layers.Dense(num_classes))
    return tf.keras.Sequential(layers)
    ### END SOLUTION


def hardware_aware_fitness(arch: dict, x_train, y_train, x_val, y_val, max_params: int, epochs: int = 3) -> float:
    """Validation accuracy of ``build_from_arch(arch, ...)`` after ``epochs`` epochs, or ``-1.0`` over budget.

    Count the parameters *before* training: an architecture with more than ``max_params`` parameters
    gets ``-1.0`` without being trained. Otherwise compile with ``compile_classifier(model, 3e-3)``,
    fit with batch size 32 and return the validation accuracy (a float in ``[0, 1]``).
    """
    ### BEGIN SOLUTION
    num_classes = int(np.max(y_train)) + 1
    model = build_from_arch(arch, int(np.shape(x_train)[1]), num_classes)
    if model.count_params() > max_params:
        return -1.0
    compile_classifier(model, 3e-3)
    model.fit(np.asarray(x_train, np.float32), np.asarray(y_train), epochs=epochs, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(np.asarray(x_val, np.float32), np.asarray(y_val), verbose=0)
    return float(accuracy)
    ### END SOLUTION
