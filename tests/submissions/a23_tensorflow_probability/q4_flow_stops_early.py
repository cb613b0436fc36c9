# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, ... come from the reference setup cell)
# Fits the flow for a twentieth of the requested steps: the surrogate is still far from the posterior.
# %% [q4]
def fit_mean_field(target_log_prob_fn, event_size: int, num_steps: int = 500, seed=(1, 2)) -> tfd.Distribution:
    """Mean-field Gaussian variational inference: fit ``q(z) = prod_i Normal(z_i; m_i, s_i)`` by the ELBO.

    The surrogate is ``tfd.Independent(tfd.Normal(loc, scale), 1)`` with ``loc`` a ``tf.Variable``
    (zeros) and ``scale`` a ``tfp.util.TransformedVariable`` (ones, ``tfb.Softplus()``), so it stays
    positive. Fit it with ``tfp.vi.fit_surrogate_posterior(target_log_prob_fn, surrogate,
    optimizer, num_steps, sample_size=16, seed=seed)``, which minimizes the negative ELBO by
    reparameterized gradients. Use ``Adam`` with a learning rate decaying from 0.1 to 0.002
    (``tf.keras.optimizers.schedules.ExponentialDecay(0.1, num_steps, 0.02)``), so the noise of the
    stochastic gradients dies out.

    Args:
        target_log_prob_fn: the unnormalized log posterior; takes ``z`` of shape ``(..., event_size)``.
        event_size: the dimension of ``z``.
        num_steps: optimization steps.
        seed: a stateless seed (pair of ints).

    Returns:
        The fitted surrogate posterior (a ``float32`` distribution with event shape ``(event_size,)``).
    """
    surrogate = tfd.Independent(
        tfd.Normal(loc=tf.Variable(tf.zeros([event_size])),
                   scale=tfp.util.TransformedVariable(tf.ones([event_size]), tfb.Softplus())),
        reinterpreted_batch_ndims=1)
    learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(0.1, num_steps, 0.02)
    tfp.vi.fit_surrogate_posterior(target_log_prob_fn, surrogate, optimizer=tf.keras.optimizers.Adam(learning_rate),
                                   num_steps=num_steps, sample_size=16, seed=seed)
    return surrogate


def fit_full_rank(target_log_prob_fn, event_size: int, num_steps: int = 800, seed=(1, 2)) -> tfd.Distribution:
    """Full-rank Gaussian variational inference: ``q(z) = MultivariateNormalTriL(loc, L)``.

    As ``fit_mean_field``, but the surrogate is ``tfd.MultivariateNormalTriL`` whose ``scale_tril``
    is a ``tfp.util.TransformedVariable(tf.eye(event_size), tfb.FillScaleTriL())``: a lower-triangular
    matrix with a positive diagonal, so ``q`` can represent correlations between the ``z_i``.

    Args:
        target_log_prob_fn: the unnormalized log posterior.
        event_size: the dimension of ``z``.
        num_steps: optimization steps.
        seed: a stateless seed.

    Returns:
        The fitted surrogate posterior.
    """
    surrogate = tfd.MultivariateNormalTriL(
        loc=tf.Variable(tf.zeros([event_size])),
        scale_tril=tfp.util.TransformedVariable(tf.eye(event_size), tfb.FillScaleTriL()))
    learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(0.1, num_steps, 0.02)
    tfp.vi.fit_surrogate_posterior(target_log_prob_fn, surrogate, optimizer=tf.keras.optimizers.Adam(learning_rate),
                                   num_steps=num_steps, sample_size=16, seed=seed)
    return surrogate


def fit_flow(target_log_prob_fn, event_size: int, num_steps: int = 800, seed=(1, 2)) -> tfd.Distribution:
    """Variational inference with a normalizing flow: a surrogate that can bend around a curved posterior.

    ``q`` is a ``tfd.TransformedDistribution`` of a standard normal base
    (``tfd.Sample(tfd.Normal(0., 1.), [event_size])``) through ``tfb.Chain`` of two
    ``tfb.MaskedAutoregressiveFlow`` layers (each with a ``tfb.AutoregressiveNetwork(params=2,
    hidden_units=[32, 32], activation="tanh")``) with a ``tfb.Permute`` that reverses the coordinates
    between them, so each coordinate is transformed given the others. Call ``q.log_prob`` once to build
    its variables, then fit it with ``tfp.vi.fit_surrogate_posterior`` (``sample_size=64``, Adam with a
    learning rate decaying from 0.01 to 0.001 over ``num_steps``, ``jit_compile=True``).

    Args:
        target_log_prob_fn: the unnormalized log posterior; takes ``z`` of shape ``(..., event_size)``.
        event_size: the dimension of ``z`` (at least 2).
        num_steps: optimization steps.
        seed: a stateless seed (pair of ints).

    Returns:
        The fitted flow (a ``float32`` distribution with event shape ``(event_size,)`` whose ``sample`` and
        ``log_prob`` agree with each other).
    """
    layers = []
    for index in range(2):
        network = tfb.AutoregressiveNetwork(params=2, hidden_units=[32, 32], activation="tanh")
        layers.append(tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=network))
        if index == 0:
            layers.append(tfb.Permute(list(range(event_size))[::-1]))
    surrogate = tfd.TransformedDistribution(tfd.Sample(tfd.Normal(0.0, 1.0), [event_size]), tfb.Chain(layers))
    surrogate.log_prob(tf.zeros([1, event_size]))
    learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(0.01, num_steps, 0.1)
    tfp.vi.fit_surrogate_posterior(target_log_prob_fn, surrogate, optimizer=tf.keras.optimizers.Adam(learning_rate),
                                   num_steps=max(1, num_steps // 20), sample_size=64, seed=seed, jit_compile=True)
    return surrogate


def elbo(target_log_prob_fn, surrogate, num_samples: int = 4096, seed=(3, 4)) -> float:
    """Monte Carlo estimate of the evidence lower bound ``E_q[log p(x, z) - log q(z)]``.

    Draw ``num_samples`` samples ``z ~ q`` with the stateless ``seed`` and average.

    Args:
        target_log_prob_fn: the unnormalized log posterior ``log p(x, z)``.
        surrogate: the distribution ``q``.
        num_samples: the number of samples.
        seed: a stateless seed.

    Returns:
        The estimate as a Python float.
    """
    z = surrogate.sample(num_samples, seed=seed)
    return float(tf.reduce_mean(target_log_prob_fn(z) - surrogate.log_prob(z)))
