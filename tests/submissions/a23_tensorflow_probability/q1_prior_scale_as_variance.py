# expect: {"q1": "below_full"}
# ruff: noqa: F821  (a fragment: tf, tfp, tfd, tfb, tfpl, np, SEED come from the reference setup cell)
# Normal(0, prior_scale**2): the prior scale taken for a variance.
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
    X = tf.constant(np.asarray(X, np.float32))
    num_features = int(X.shape[-1])

    @tfd.JointDistributionCoroutineAutoBatched
    def model():
        w = yield tfd.Sample(tfd.Normal(np.float32(0.0), np.float32(prior_scale) ** 2), num_features, name="w")
        if noise_scale is None:
            sigma = yield tfd.HalfNormal(np.float32(1.0), name="sigma")
        else:
            sigma = np.float32(noise_scale)
        yield tfd.Normal(tf.linalg.matvec(X, w), sigma, name="y")

    return model


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
    X = tf.constant(np.asarray(X, np.float64))
    y = tf.constant(np.asarray(y, np.float64))
    noise_var = tf.constant(float(noise_scale) ** 2, tf.float64)
    precision = (tf.matmul(X, X, transpose_a=True) / noise_var
                 + tf.eye(int(X.shape[1]), dtype=tf.float64) / float(prior_scale) ** 2)
    cov = tf.linalg.inv(precision)
    mean = tf.linalg.matvec(cov, tf.linalg.matvec(X, y, transpose_a=True)) / noise_var
    return mean, cov


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
    return tfb.Chain([tfb.Shift(np.float32(shift)), tfb.Scale(np.float32(scale)), tfb.Exp()])


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
    return tfd.TransformedDistribution(tfd.Normal(np.float32(loc), np.float32(scale)),
                                       tfb.Chain([tfb.Shift(np.float32(shift)), tfb.Exp()]))
