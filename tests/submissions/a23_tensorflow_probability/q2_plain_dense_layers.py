# expect: {"q2": "below_full"}
# ruff: noqa: F821  (a fragment: tf, tfp, tfd, tfb, tfpl, np, SEED come from the reference setup cell)
# A deterministic network: Dense instead of DenseFlipout (no weight uncertainty, no KL).
# %% [q2]
def build_bnn(n_train: int, hidden: int = 32) -> tf.keras.Model:
    """A Bayesian regression network with Flipout layers and a heteroscedastic Normal output.

    ``Input(shape=(1,))`` -> ``tfpl.DenseFlipout(hidden, activation="relu")`` ->
    ``tfpl.DenseFlipout(2)`` -> ``tfpl.DistributionLambda`` that returns
    ``tfd.Normal(loc=t[..., :1], scale=1e-3 + softplus(t[..., 1:]))``.

    Each Flipout layer keeps a mean-field Normal posterior over its kernel and adds
    ``KL(posterior || prior)`` to ``model.losses`` on every call. Scale that KL by ``1 / n_train``
    (``kernel_divergence_fn=lambda q, p, _: tfd.kl_divergence(q, p) / n_train``) so that the
    training loss, the mean negative log-likelihood per example plus ``sum(model.losses)``, is the
    negative ELBO divided by ``n_train``.

    Args:
        n_train: the number of training examples.
        hidden: the width of the hidden layer.

    Returns:
        An uncompiled ``tf.keras.Model`` whose output is a ``tfd.Normal`` with ``loc`` of shape ``(B, 1)``.
    """
    def kl(q, p, _):
        return tfd.kl_divergence(q, p) / n_train

    return tf.keras.Sequential([
        tf.keras.Input(shape=(1,)),
        tf.keras.layers.Dense(hidden, activation="relu"),
        tf.keras.layers.Dense(2),
        tfpl.DistributionLambda(lambda t: tfd.Normal(loc=t[..., :1], scale=1e-3 + tf.math.softplus(t[..., 1:]))),
    ])


def fit_bnn(x, y, epochs: int = 150, seed: int = SEED) -> tf.keras.Model:
    """Build a BNN with ``build_bnn(len(x))`` and train it by minimizing the negative ELBO.

    Call ``tf.keras.utils.set_random_seed(seed)`` first. Compile with ``Adam(0.02)`` and the loss
    ``lambda y, dist: -dist.log_prob(y)`` (Keras adds ``model.losses``, the scaled KL, itself), then
    fit for ``epochs`` epochs with ``batch_size=64``.

    Args:
        x: a ``float32`` array of shape ``(N, 1)``.
        y: a ``float32`` array of shape ``(N, 1)``.
        epochs: the number of epochs.
        seed: the random seed.

    Returns:
        The trained model.
    """
    tf.keras.utils.set_random_seed(seed)
    x = np.asarray(x, np.float32)
    model = build_bnn(len(x))
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss=lambda y, dist: -dist.log_prob(y))
    model.fit(x, np.asarray(y, np.float32), epochs=epochs, batch_size=64, verbose=0)
    return model


def predict_mc(model, x, n_samples: int = 50) -> dict:
    """Monte Carlo predictive distribution of a BNN, split into epistemic and aleatoric parts.

    Call the model ``n_samples`` times on ``x`` (each call draws new weights). With ``m_s`` and
    ``s_s`` the mean and standard deviation of the output distribution of call ``s``:

    - ``mean`` = the average of ``m_s``;
    - ``epistemic_std`` = the (population) standard deviation of ``m_s`` across calls;
    - ``aleatoric_std`` = ``sqrt(mean of s_s^2)``;
    - ``total_std`` = ``sqrt(epistemic_std^2 + aleatoric_std^2)`` (law of total variance).

    Args:
        model: a model from ``build_bnn``.
        x: a ``float32`` array of shape ``(N, 1)``.
        n_samples: the number of Monte Carlo calls.

    Returns:
        A dict with the keys above, each a ``float32`` tensor of shape ``(N,)``.
    """
    x = tf.constant(np.asarray(x, np.float32))
    means, variances = [], []
    for _ in range(n_samples):
        dist = model(x)
        means.append(tf.reshape(dist.mean(), [-1]))
        variances.append(tf.reshape(dist.variance(), [-1]))
    means, variances = tf.stack(means), tf.stack(variances)
    mean = tf.reduce_mean(means, axis=0)
    epistemic_var = tf.reduce_mean(tf.square(means - mean), axis=0)
    aleatoric_var = tf.reduce_mean(variances, axis=0)
    return {"mean": mean, "epistemic_std": tf.sqrt(epistemic_var), "aleatoric_std": tf.sqrt(aleatoric_var),
            "total_std": tf.sqrt(epistemic_var + aleatoric_var)}
