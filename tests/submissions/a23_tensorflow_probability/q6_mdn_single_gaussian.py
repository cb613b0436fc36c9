# expect: {"q6": "below_full"}
# ruff: noqa: F821  (a fragment: tf, tfp, tfd, tfb, tfpl, np, SEED come from the reference setup cell)
# build_mdn returns a single Normal (IndependentNormal) instead of a mixture.
# %% [q6]
def negative_log_likelihood(y, distribution) -> tf.Tensor:
    """The Keras loss of probabilistic layers: ``-distribution.log_prob(y)``, one value per example."""
    return -distribution.log_prob(y)


def build_normal_regressor(hidden: int = 32) -> tf.keras.Model:
    """A heteroscedastic regressor: a Normal with a learned mean and scale for each input.

    ``Input((1,))`` -> ``Dense(hidden, "tanh")`` -> ``Dense(tfpl.IndependentNormal.params_size(1))``
    -> ``tfpl.IndependentNormal(1)``.
    """
    return tf.keras.Sequential([
        tf.keras.Input(shape=(1,)),
        tf.keras.layers.Dense(hidden, activation="tanh"),
        tf.keras.layers.Dense(tfpl.IndependentNormal.params_size(1)),
        tfpl.IndependentNormal(1),
    ])


def build_mdn(n_components: int = 3, hidden: int = 32) -> tf.keras.Model:
    """A mixture density network: a mixture of ``n_components`` Normals whose weights, means and scales depend on x.

    ``Input((1,))`` -> ``Dense(hidden, "tanh")`` ->
    ``Dense(tfpl.MixtureNormal.params_size(n_components, [1]))`` -> ``tfpl.MixtureNormal(n_components, [1])``.
    """
    return tf.keras.Sequential([
        tf.keras.Input(shape=(1,)),
        tf.keras.layers.Dense(hidden, activation="tanh"),
        tf.keras.layers.Dense(tfpl.IndependentNormal.params_size(1)),
        tfpl.IndependentNormal(1),
    ])


def build_poisson_regressor(input_dim: int) -> tf.keras.Model:
    """Poisson regression with a custom ``tfpl.DistributionLambda``.

    ``Input((input_dim,))`` -> ``Dense(1)`` (the log rate) -> ``tfpl.DistributionLambda`` returning
    ``tfd.Independent(tfd.Poisson(log_rate=t), reinterpreted_batch_ndims=1)``, so that a count
    target of shape ``(B, 1)`` has one log-probability per example.
    """
    return tf.keras.Sequential([
        tf.keras.Input(shape=(input_dim,)),
        tf.keras.layers.Dense(1),
        tfpl.DistributionLambda(lambda t: tfd.Independent(tfd.Poisson(log_rate=t), reinterpreted_batch_ndims=1)),
    ])


def fit_nll(model, x, y, epochs: int = 60, learning_rate: float = 0.01, seed: int = SEED) -> tf.keras.Model:
    """Train a model that outputs a distribution by maximum likelihood.

    Call ``tf.keras.utils.set_random_seed(seed)``, compile with ``Adam(learning_rate)`` and
    ``loss=negative_log_likelihood``, then fit ``epochs`` epochs with ``batch_size=64``.

    Args:
        model: a model from one of the builders above.
        x: a ``float32`` array of shape ``(N, F)``.
        y: a ``float32`` array of shape ``(N, 1)``.
        epochs: the number of epochs.
        learning_rate: Adam's learning rate.
        seed: the random seed (shuffling).

    Returns:
        The trained model.
    """
    tf.keras.utils.set_random_seed(seed)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss=negative_log_likelihood)
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), epochs=epochs, batch_size=64, verbose=0)
    return model
