"""Reference solution for A23, TensorFlow Probability.

Each ``# %% [qK]`` section is the solution cell of question ``qK``, verbatim; nbgrader removes the
marked solution regions from the student release. This docstring sits before the first section, so
it is in no notebook cell.

Course-text errors corrected here (and in the manifest's intro): ``tfp.layers.Convolution2DVariational``
does not exist (``Convolution2DFlipout`` and ``Convolution2DReparameterization`` do); MCMC is only
asymptotically exact, which is why R-hat and the effective sample size are reported; "parallel
tempering" and "replica exchange" are one method (``tfp.mcmc.ReplicaExchangeMC``); temperature and
Platt scaling are not TFP APIs (Q3 writes temperature scaling with ``tfp.optimizer.bfgs_minimize``);
there is no automatic Keras-to-Bayesian converter (Q2 swaps ``Dense`` for ``DenseFlipout`` by hand);
``tfp.layers`` are tf-keras layers, so ``TF_USE_LEGACY_KERAS=1`` must be set before TensorFlow is imported.
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions
tfb = tfp.bijectors
tfpl = tfp.layers

SEED = 0


# %% [q1]
def make_blr_model(X, prior_scale: float = 1.0, noise_scale=None) -> tfd.JointDistribution:
    """Bayesian linear regression as a ``tfd.JointDistributionCoroutineAutoBatched``.

    The generative model, with ``D = X.shape[1]`` and ``N = X.shape[0]``::

        w     ~ Normal(0, prior_scale)   (D independent weights; name "w")
        sigma ~ HalfNormal(1)            (name "sigma"; only when noise_scale is None)
        y     ~ Normal(X @ w, sigma)     (N observations; name "y"; sigma = noise_scale when given)

    Name every random variable with ``name=...`` so that ``model.log_prob(w=..., sigma=..., y=...)``
    and ``model.sample(n, seed=...)`` (a namedtuple with fields ``w``, ``sigma``, ``y``) work. All
    ``float32``.

    Args:
        X: a ``float32`` array of shape ``(N, D)``.
        prior_scale: the prior standard deviation of each weight.
        noise_scale: the known noise standard deviation, or ``None`` for a ``HalfNormal(1)`` prior on it.

    Returns:
        The joint distribution.
    """
    ### BEGIN SOLUTION
    X = tf.constant(np.asarray(X, np.float32))
    num_features = int(X.shape[-1])

    @tfd.JointDistributionCoroutineAutoBatched
    def model():
        w = yield tfd.Sample(tfd.Normal(np.float32(0.0), np.float32(prior_scale)), num_features, name="w")
        if noise_scale is None:
            sigma = yield tfd.HalfNormal(np.float32(1.0), name="sigma")
        else:
            sigma = np.float32(noise_scale)
        yield tfd.Normal(tf.linalg.matvec(X, w), sigma, name="y")

    return model
    ### END SOLUTION


def blr_posterior(X, y, prior_scale: float, noise_scale: float) -> tuple:
    """The closed-form (conjugate) posterior of the weights when the noise scale is known.

    With prior ``w ~ N(0, prior_scale^2 I)`` and likelihood ``y ~ N(X w, noise_scale^2 I)`` the
    posterior is Gaussian: precision ``A = X^T X / noise_scale^2 + I / prior_scale^2``, covariance
    ``A^-1`` and mean ``A^-1 X^T y / noise_scale^2``. Compute it with ``tf.linalg`` in ``float64``.

    Args:
        X: an array of shape ``(N, D)``.
        y: an array of shape ``(N,)``.
        prior_scale: the prior standard deviation of each weight.
        noise_scale: the noise standard deviation.

    Returns:
        ``(mean, cov)``: ``float64`` tensors of shapes ``(D,)`` and ``(D, D)``.
    """
    ### BEGIN SOLUTION
    X = tf.constant(np.asarray(X, np.float64))
    y = tf.constant(np.asarray(y, np.float64))
    noise_var = tf.constant(float(noise_scale) ** 2, tf.float64)
    precision = (tf.matmul(X, X, transpose_a=True) / noise_var
                 + tf.eye(int(X.shape[1]), dtype=tf.float64) / float(prior_scale) ** 2)
    cov = tf.linalg.inv(precision)
    mean = tf.linalg.matvec(cov, tf.linalg.matvec(X, y, transpose_a=True)) / noise_var
    return mean, cov
    ### END SOLUTION


def make_positive_bijector(shift: float, scale: float) -> tfb.Bijector:
    """A bijector from the real line to ``(shift, inf)``: ``forward(x) = shift + scale * exp(x)``.

    Compose ``tfb.Shift``, ``tfb.Scale`` and ``tfb.Exp`` with ``tfb.Chain`` (a chain applies its
    bijectors from the last to the first), so that ``inverse`` and the log-determinants of the
    Jacobian come for free.

    Args:
        shift: the lower bound of the output.
        scale: a positive scale.

    Returns:
        A ``tfb.Bijector``.
    """
    ### BEGIN SOLUTION
    return tfb.Chain([tfb.Shift(np.float32(shift)), tfb.Scale(np.float32(scale)), tfb.Exp()])
    ### END SOLUTION


def shifted_lognormal(loc: float, scale: float, shift: float) -> tfd.Distribution:
    """The distribution of ``shift + exp(Z)`` with ``Z ~ Normal(loc, scale)``, as a ``tfd.TransformedDistribution``.

    Transform a ``tfd.Normal`` with a bijector (change of variables); do not write the density by hand.

    Args:
        loc: the mean of ``Z``.
        scale: the standard deviation of ``Z``.
        shift: the lower bound of the support.

    Returns:
        A ``float32`` ``tfd.TransformedDistribution``.
    """
    ### BEGIN SOLUTION
    return tfd.TransformedDistribution(tfd.Normal(np.float32(loc), np.float32(scale)),
                                       tfb.Chain([tfb.Shift(np.float32(shift)), tfb.Exp()]))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    def kl(q, p, _):
        return tfd.kl_divergence(q, p) / n_train

    return tf.keras.Sequential([
        tf.keras.Input(shape=(1,)),
        tfpl.DenseFlipout(hidden, activation="relu", kernel_divergence_fn=kl),
        tfpl.DenseFlipout(2, kernel_divergence_fn=kl),
        tfpl.DistributionLambda(lambda t: tfd.Normal(loc=t[..., :1], scale=1e-3 + tf.math.softplus(t[..., 1:]))),
    ])
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    x = np.asarray(x, np.float32)
    model = build_bnn(len(x))
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss=lambda y, dist: -dist.log_prob(y))
    model.fit(x, np.asarray(y, np.float32), epochs=epochs, batch_size=64, verbose=0)
    return model
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% [q3]
def expected_calibration_error(probs, labels, n_bins: int = 10) -> float:
    """Expected calibration error of a classifier with equal-width confidence bins.

    The confidence of a row is its largest probability and the prediction its ``argmax``. Row
    ``i`` falls in bin ``min(floor(confidence_i * n_bins), n_bins - 1)``. Then
    ``ECE = sum over bins b of (n_b / N) * |accuracy_b - mean confidence_b|`` (empty bins count 0).
    Write it with TensorFlow ops (``tf.math.unsorted_segment_sum``, say) or use
    ``tfp.stats.expected_calibration_error``, which bins the same way.

    Args:
        probs: a ``float32`` array of shape ``(N, C)`` whose rows sum to 1.
        labels: an int array of shape ``(N,)``.
        n_bins: the number of bins.

    Returns:
        The ECE as a Python float.
    """
    ### BEGIN SOLUTION
    probs = tf.constant(np.asarray(probs, np.float32))
    labels = tf.constant(np.asarray(labels, np.int64))
    confidence = tf.reduce_max(probs, axis=1)
    correct = tf.cast(tf.equal(tf.argmax(probs, axis=1), labels), tf.float32)
    bins = tf.minimum(tf.cast(tf.floor(confidence * n_bins), tf.int32), n_bins - 1)
    confidence_sum = tf.math.unsorted_segment_sum(confidence, bins, n_bins)
    correct_sum = tf.math.unsorted_segment_sum(correct, bins, n_bins)
    return float(tf.reduce_sum(tf.abs(correct_sum - confidence_sum)) / tf.cast(tf.size(labels), tf.float32))
    ### END SOLUTION


def fit_temperature(logits, labels) -> float:
    """Temperature scaling: the ``T > 0`` that minimizes the NLL of ``softmax(logits / T)`` on held-out data.

    Optimize ``log T`` (so that ``T`` stays positive), starting at ``T = 1``, with
    ``tfp.optimizer.bfgs_minimize`` and ``tfp.math.value_and_gradient`` of the mean
    ``tf.nn.sparse_softmax_cross_entropy_with_logits`` (in ``float64``). Temperature scaling is not a
    TFP API: TFP supplies the optimizer, you write the objective. Check ``result.converged``: on
    this one-dimensional problem ``lbfgs_minimize``'s line search can stop early and report failure.

    Args:
        logits: a ``float32`` array of shape ``(N, C)`` from a validation (calibration) split.
        labels: an int array of shape ``(N,)``.

    Returns:
        ``T`` as a Python float (``T > 1`` means the model was overconfident).
    """
    ### BEGIN SOLUTION
    logits = tf.constant(np.asarray(logits, np.float64))
    labels = tf.constant(np.asarray(labels, np.int64))

    def loss_and_grad(log_t):
        def nll(log_t):
            return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits / tf.exp(log_t[0])))
        return tfp.math.value_and_gradient(nll, log_t)

    result = tfp.optimizer.bfgs_minimize(loss_and_grad, initial_position=tf.zeros([1], tf.float64),
                                         tolerance=1e-8, max_iterations=100)
    if not bool(result.converged):
        raise RuntimeError("temperature scaling did not converge")
    return float(tf.exp(result.position[0]))
    ### END SOLUTION


def uncertainty_decomposition(member_probs) -> dict:
    """Split the predictive uncertainty of an ensemble (or of MC samples of a BNN) into two parts.

    ``member_probs[s, n]`` is member ``s``'s class distribution for example ``n``. In nats, with
    ``H`` the entropy of a ``tfd.Categorical``:

    - ``total`` = ``H(mean over s of member_probs[s, n])`` (entropy of the predictive distribution);
    - ``aleatoric`` = ``mean over s of H(member_probs[s, n])`` (expected entropy: noise in the data);
    - ``epistemic`` = ``total - aleatoric`` (the mutual information between the label and the
      model; zero when all members agree).

    Args:
        member_probs: a ``float32`` array of shape ``(S, N, C)``.

    Returns:
        A dict with ``"total"``, ``"aleatoric"``, ``"epistemic"``: ``float32`` tensors of shape ``(N,)``.
    """
    ### BEGIN SOLUTION
    member_probs = tf.constant(np.asarray(member_probs, np.float32))
    total = tfd.Categorical(probs=tf.reduce_mean(member_probs, axis=0)).entropy()
    aleatoric = tf.reduce_mean(tfd.Categorical(probs=member_probs).entropy(), axis=0)
    return {"total": total, "aleatoric": aleatoric, "epistemic": total - aleatoric}
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    surrogate = tfd.Independent(
        tfd.Normal(loc=tf.Variable(tf.zeros([event_size])),
                   scale=tfp.util.TransformedVariable(tf.ones([event_size]), tfb.Softplus())),
        reinterpreted_batch_ndims=1)
    learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(0.1, num_steps, 0.02)
    tfp.vi.fit_surrogate_posterior(target_log_prob_fn, surrogate, optimizer=tf.keras.optimizers.Adam(learning_rate),
                                   num_steps=num_steps, sample_size=16, seed=seed)
    return surrogate
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    surrogate = tfd.MultivariateNormalTriL(
        loc=tf.Variable(tf.zeros([event_size])),
        scale_tril=tfp.util.TransformedVariable(tf.eye(event_size), tfb.FillScaleTriL()))
    learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(0.1, num_steps, 0.02)
    tfp.vi.fit_surrogate_posterior(target_log_prob_fn, surrogate, optimizer=tf.keras.optimizers.Adam(learning_rate),
                                   num_steps=num_steps, sample_size=16, seed=seed)
    return surrogate
    ### END SOLUTION


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
    ### BEGIN SOLUTION
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
                                   num_steps=num_steps, sample_size=64, seed=seed, jit_compile=True)
    return surrogate
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    z = surrogate.sample(num_samples, seed=seed)
    return float(tf.reduce_mean(target_log_prob_fn(z) - surrogate.log_prob(z)))
    ### END SOLUTION


# %% [q5]
def run_nuts(target_log_prob_fn, init_state, num_results: int = 500, num_burnin_steps: int = 300,
             seed=(1, 2)) -> dict:
    """Sample a posterior with the No-U-Turn Sampler and report convergence diagnostics.

    - Kernel: ``tfp.mcmc.NoUTurnSampler(target_log_prob_fn, step_size=0.1)`` wrapped in
      ``tfp.mcmc.DualAveragingStepSizeAdaptation(..., num_adaptation_steps=int(0.8 * num_burnin_steps))``.
    - Run ``tfp.mcmc.sample_chain`` inside a ``tf.function`` with the stateless ``seed``; every row of
      ``init_state`` is one chain. Trace the log acceptance ratio, the divergences and the step size.
    - Diagnostics on the kept draws: ``tfp.mcmc.effective_sample_size(samples, cross_chain_dims=1)`` and
      ``tfp.mcmc.potential_scale_reduction(samples, independent_chain_ndims=1, split_chains=True)``.

    Args:
        target_log_prob_fn: the log posterior; takes a batch of states of shape ``(C, D)``.
        init_state: a ``float32`` array of shape ``(C, D)``: ``C`` chains of ``D`` parameters.
        num_results: draws kept per chain.
        num_burnin_steps: warm-up steps (discarded).
        seed: a stateless seed.

    Returns:
        A dict: ``"samples"`` (``float32`` tensor ``(num_results, C, D)``), ``"ess"`` and ``"rhat"``
        (tensors ``(D,)``), ``"step_size"`` (float, the adapted step size), ``"accept_rate"`` (float,
        the mean of ``min(1, exp(log_accept_ratio))`` over kept draws) and ``"divergences"`` (int,
        divergent transitions among the kept draws).
    """
    ### BEGIN SOLUTION
    init_state = tf.constant(np.asarray(init_state, np.float32))
    kernel = tfp.mcmc.DualAveragingStepSizeAdaptation(
        tfp.mcmc.NoUTurnSampler(target_log_prob_fn, step_size=0.1),
        num_adaptation_steps=int(0.8 * num_burnin_steps))

    def trace_fn(_, results):
        return results.inner_results.log_accept_ratio, results.inner_results.has_divergence, results.new_step_size

    @tf.function(autograph=False)
    def sample():
        return tfp.mcmc.sample_chain(num_results, init_state, kernel=kernel, num_burnin_steps=num_burnin_steps,
                                     trace_fn=trace_fn, seed=seed)

    samples, (log_accept_ratio, divergent, step_size) = sample()
    return {
        "samples": samples,
        "ess": tfp.mcmc.effective_sample_size(samples, cross_chain_dims=1),
        "rhat": tfp.mcmc.potential_scale_reduction(samples, independent_chain_ndims=1, split_chains=True),
        "step_size": float(step_size[-1]),
        "accept_rate": float(tf.reduce_mean(tf.exp(tf.minimum(log_accept_ratio, 0.0)))),
        "divergences": int(tf.reduce_sum(tf.cast(divergent, tf.int32))),
    }
    ### END SOLUTION


# %% [q6]
def negative_log_likelihood(y, distribution) -> tf.Tensor:
    """The Keras loss of probabilistic layers: ``-distribution.log_prob(y)``, one value per example."""
    ### BEGIN SOLUTION
    return -distribution.log_prob(y)
    ### END SOLUTION


def build_normal_regressor(hidden: int = 32) -> tf.keras.Model:
    """A heteroscedastic regressor: a Normal with a learned mean and scale for each input.

    ``Input((1,))`` -> ``Dense(hidden, "tanh")`` -> ``Dense(tfpl.IndependentNormal.params_size(1))``
    -> ``tfpl.IndependentNormal(1)``.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.Input(shape=(1,)),
        tf.keras.layers.Dense(hidden, activation="tanh"),
        tf.keras.layers.Dense(tfpl.IndependentNormal.params_size(1)),
        tfpl.IndependentNormal(1),
    ])
    ### END SOLUTION


def build_mdn(n_components: int = 3, hidden: int = 32) -> tf.keras.Model:
    """A mixture density network: a mixture of ``n_components`` Normals whose weights, means and scales depend on x.

    ``Input((1,))`` -> ``Dense(hidden, "tanh")`` ->
    ``Dense(tfpl.MixtureNormal.params_size(n_components, [1]))`` -> ``tfpl.MixtureNormal(n_components, [1])``.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.Input(shape=(1,)),
        tf.keras.layers.Dense(hidden, activation="tanh"),
        tf.keras.layers.Dense(tfpl.MixtureNormal.params_size(n_components, [1])),
        tfpl.MixtureNormal(n_components, [1]),
    ])
    ### END SOLUTION


def build_poisson_regressor(input_dim: int) -> tf.keras.Model:
    """Poisson regression with a custom ``tfpl.DistributionLambda``.

    ``Input((input_dim,))`` -> ``Dense(1)`` (the log rate) -> ``tfpl.DistributionLambda`` returning
    ``tfd.Independent(tfd.Poisson(log_rate=t), reinterpreted_batch_ndims=1)``, so that a count
    target of shape ``(B, 1)`` has one log-probability per example.
    """
    ### BEGIN SOLUTION
    return tf.keras.Sequential([
        tf.keras.Input(shape=(input_dim,)),
        tf.keras.layers.Dense(1),
        tfpl.DistributionLambda(lambda t: tfd.Independent(tfd.Poisson(log_rate=t), reinterpreted_batch_ndims=1)),
    ])
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss=negative_log_likelihood)
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.float32), epochs=epochs, batch_size=64, verbose=0)
    return model
    ### END SOLUTION
