"""Worker-side probes for A23, TensorFlow Probability.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's
notebook or of the reference module. Probes run inside the sandboxed worker and hold no expected
answers: they build the targets (log densities) the judge describes, call the namespace's
functions, run the distributions and Keras models that cannot cross the wire, and return plain
arrays. Every probe that trains or samples seeds TensorFlow first, so a regrade repeats itself.
"""

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions
tfb = tfp.bijectors


def _f32(x):
    return tf.constant(np.asarray(x, np.float32))


def _seed(seed):
    tf.keras.utils.set_random_seed(int(seed))


# --------------------------------------------------------------------------------------------
# Q1


def blr_log_prob(ns, X, prior_scale, noise_scale, values):
    """``model.log_prob(**values)`` of ``make_blr_model(X, prior_scale, noise_scale)``, and the model's kind."""
    model = ns["make_blr_model"](np.asarray(X, np.float32), float(prior_scale),
                                 None if noise_scale is None else float(noise_scale))
    lp = model.log_prob(**{k: _f32(v) for k, v in values.items()})
    return {"log_prob": tf.convert_to_tensor(lp), "is_joint": isinstance(model, tfd.JointDistribution)}


def blr_sample(ns, X, prior_scale, noise_scale, n, seed):
    """Shapes, dtypes and values of ``model.sample(n, seed=seed)`` (field by field)."""
    _seed(seed)
    model = ns["make_blr_model"](np.asarray(X, np.float32), float(prior_scale),
                                 None if noise_scale is None else float(noise_scale))
    draw = model.sample(int(n), seed=int(seed))
    fields = draw._asdict() if hasattr(draw, "_asdict") else dict(draw) if isinstance(draw, dict) else None
    if fields is None:
        return {"fields": None}
    return {"fields": list(fields), "values": {k: tf.convert_to_tensor(v) for k, v in fields.items()}}


def bijector_values(ns, shift, scale, x, y):
    """forward, inverse and both log-det-Jacobians (event_ndims=0) of ``make_positive_bijector``."""
    bij = ns["make_positive_bijector"](float(shift), float(scale))
    x, y = _f32(x), _f32(y)
    return {"is_bijector": isinstance(bij, tfb.Bijector),
            "forward": tf.convert_to_tensor(bij.forward(x)),
            "inverse": tf.convert_to_tensor(bij.inverse(y)),
            "fldj": tf.convert_to_tensor(bij.forward_log_det_jacobian(x, event_ndims=0)),
            "ildj": tf.convert_to_tensor(bij.inverse_log_det_jacobian(y, event_ndims=0))}


def lognormal_values(ns, loc, scale, shift, y, n, seed):
    """log_prob at ``y``, ``n`` samples and the class of ``shifted_lognormal(loc, scale, shift)``."""
    dist = ns["shifted_lognormal"](float(loc), float(scale), float(shift))
    return {"is_transformed": isinstance(dist, tfd.TransformedDistribution),
            "log_prob": tf.convert_to_tensor(dist.log_prob(_f32(y))),
            "samples": tf.convert_to_tensor(dist.sample(int(n), seed=(int(seed), 1)))}


# --------------------------------------------------------------------------------------------
# Q2


def _bayesian_layers(model):
    return [layer for layer in model.layers if hasattr(layer, "kernel_posterior")]


def bnn_structure(ns, n_train, x, seed):
    """KL terms of ``build_bnn(n_train)`` after one call, next to the analytic KL of each Flipout layer."""
    _seed(seed)
    model = ns["build_bnn"](int(n_train))
    x = _f32(x)
    first = model(x)
    second = model(x)
    manual = tf.constant(0.0)
    for layer in _bayesian_layers(model):
        if layer.kernel_prior is not None:
            manual += tf.reduce_sum(tfd.kl_divergence(layer.kernel_posterior, layer.kernel_prior))
        if getattr(layer, "bias_prior", None) is not None and getattr(layer, "bias_posterior", None) is not None:
            manual += tf.reduce_sum(tfd.kl_divergence(layer.bias_posterior, layer.bias_prior))
    return {"is_distribution": isinstance(first, tfd.Distribution),
            "n_losses": len(model.losses),
            "loss_sum": float(tf.add_n([tf.reduce_sum(v) for v in model.losses])) if model.losses else 0.0,
            "manual_kl": float(manual),
            "n_bayesian_layers": len(_bayesian_layers(model)),
            "layer_types": [type(layer).__name__ for layer in model.layers],
            "mean_1": tf.reshape(tf.convert_to_tensor(first.mean()), [-1]),
            "mean_2": tf.reshape(tf.convert_to_tensor(second.mean()), [-1])}


def bnn_predict_untrained(ns, n_train, x, n_samples, seed):
    """``predict_mc`` of a fresh (untrained) ``build_bnn`` model."""
    _seed(seed)
    model = ns["build_bnn"](int(n_train))
    return ns["predict_mc"](model, np.asarray(x, np.float32), int(n_samples))


def bnn_fit_predict(ns, x, y, x_grid, x_test, epochs, seed):
    """Train with ``fit_bnn`` and run ``predict_mc`` on a grid and on held-out inputs."""
    _seed(seed)
    model = ns["fit_bnn"](np.asarray(x, np.float32), np.asarray(y, np.float32), int(epochs), int(seed))
    _seed(seed + 1)
    grid = ns["predict_mc"](model, np.asarray(x_grid, np.float32), 50)
    test = ns["predict_mc"](model, np.asarray(x_test, np.float32), 50)
    return {"grid": grid, "test": test}


# --------------------------------------------------------------------------------------------
# Q3


def decomposition(ns, member_probs):
    """``uncertainty_decomposition`` of the given member probabilities."""
    return ns["uncertainty_decomposition"](np.asarray(member_probs, np.float32))


# --------------------------------------------------------------------------------------------
# Q4


def _normal_normal_target(x, prior_loc, prior_scale, noise_scale):
    x = _f32(x)
    prior = tfd.Normal(_f32(prior_loc), np.float32(prior_scale))

    def target(z):
        z = tf.convert_to_tensor(z)
        return (tf.reduce_sum(prior.log_prob(z), axis=-1)
                + tf.reduce_sum(tfd.Normal(z[..., None, :], np.float32(noise_scale)).log_prob(x), axis=[-2, -1]))

    return target


def _blr_target(X, y, prior_scale, noise_scale):
    X, y = _f32(X), _f32(y)

    def target(w):
        w = tf.convert_to_tensor(w)
        prior = tf.reduce_sum(tfd.Normal(np.float32(0.0), np.float32(prior_scale)).log_prob(w), axis=-1)
        mu = tf.linalg.matvec(X, w)  # batched w (..., D) -> (..., N)
        return prior + tf.reduce_sum(tfd.Normal(mu, np.float32(noise_scale)).log_prob(y), axis=-1)

    return target


def _moments(surrogate):
    draws = surrogate.sample(20000, seed=(11, 12))
    return {"is_distribution": isinstance(surrogate, tfd.Distribution),
            "mean": tf.convert_to_tensor(surrogate.mean()),
            "sample_mean": tf.reduce_mean(draws, axis=0),
            "sample_cov": tfp.stats.covariance(draws),
            "event_shape": [int(d) for d in surrogate.event_shape]}


def vi_normal_normal(ns, x, prior_loc, prior_scale, noise_scale, num_steps, seed):
    """Mean-field VI on a conjugate Normal-Normal model; the surrogate's moments and its ELBO."""
    _seed(seed)
    target = _normal_normal_target(x, prior_loc, prior_scale, noise_scale)
    surrogate = ns["fit_mean_field"](target, int(np.shape(x)[1]), int(num_steps), (int(seed), 7))
    out = _moments(surrogate)
    out["elbo"] = ns["elbo"](target, surrogate, 4096, (int(seed), 8))
    return out


def elbo_of_fixed_gaussian(ns, x, prior_loc, prior_scale, noise_scale, q_loc, q_scale, num_samples, seed):
    """The namespace's ``elbo`` for a given mean-field Gaussian ``q`` on the Normal-Normal model."""
    target = _normal_normal_target(x, prior_loc, prior_scale, noise_scale)
    q = tfd.Independent(tfd.Normal(_f32(q_loc), _f32(q_scale)), 1)
    return ns["elbo"](target, q, int(num_samples), (int(seed), 9))


def vi_blr(ns, kind, X, y, prior_scale, noise_scale, num_steps, seed):
    """``fit_mean_field`` or ``fit_full_rank`` on a Bayesian linear regression posterior; its moments."""
    _seed(seed)
    target = _blr_target(X, y, prior_scale, noise_scale)
    fit = ns["fit_full_rank" if kind == "full_rank" else "fit_mean_field"]
    surrogate = fit(target, int(np.shape(X)[1]), int(num_steps), (int(seed), 7))
    return _moments(surrogate)


def _banana_target(curvature, noise_scale):
    def target(z):
        z = tf.convert_to_tensor(z)
        return (tfd.Normal(np.float32(0.0), np.float32(1.0)).log_prob(z[..., 0])
                + tfd.Normal(np.float32(curvature) * (z[..., 0] ** 2 - 1), np.float32(noise_scale)).log_prob(z[..., 1]))

    return target


def _bijector_names(bijector, depth=0):
    names = [type(bijector).__name__]
    if depth < 4:
        for inner in getattr(bijector, "bijectors", []) or []:
            names += _bijector_names(inner, depth + 1)
    return names


def vi_flow_banana(ns, curvature, noise_scale, num_steps, seed, points):
    """``fit_flow`` on a curved 2-D posterior: draws from the flow, ``log q`` at them and at the judge's points."""
    _seed(seed)
    surrogate = ns["fit_flow"](_banana_target(curvature, noise_scale), 2, int(num_steps), (int(seed), 7))
    draws = surrogate.sample(4000, seed=(13, 14))
    return {"is_distribution": isinstance(surrogate, tfd.Distribution),
            "event_shape": [int(d) for d in surrogate.event_shape],
            "bijectors": _bijector_names(getattr(surrogate, "bijector", None)),
            "draws": np.asarray(draws, np.float32),
            "log_q_draws": np.asarray(surrogate.log_prob(draws), np.float32),
            "log_q_points": np.asarray(surrogate.log_prob(_f32(points)), np.float32)}


# --------------------------------------------------------------------------------------------
# Q5


def diagnostics(ns, samples):
    """TFP's ESS and split R-hat of draws ``(num_results, chains, D)``: run in the reference worker on the draws the
    student's ``run_nuts`` returned, so no diagnostic comes from the student's process."""
    samples = tf.cast(tf.convert_to_tensor(np.asarray(samples, np.float32)), tf.float32)
    return {"ess": tfp.mcmc.effective_sample_size(samples, cross_chain_dims=1),
            "rhat": tfp.mcmc.potential_scale_reduction(samples, independent_chain_ndims=1, split_chains=True)}


def _nuts(ns, target, init, num_results, num_burnin, seed):
    return dict(ns["run_nuts"](target, np.asarray(init, np.float32), int(num_results), int(num_burnin),
                               (int(seed[0]), int(seed[1]))))


def nuts_blr(ns, X, y, prior_scale, noise_scale, init, num_results, num_burnin, seed):
    """``run_nuts`` on a Bayesian linear regression posterior (noise known)."""
    _seed(seed[0])
    return _nuts(ns, _blr_target(X, y, prior_scale, noise_scale), init, num_results, num_burnin, seed)


def nuts_logistic(ns, X, y, prior_scale, init, num_results, num_burnin, seed):
    """``run_nuts`` on a Bayesian logistic regression posterior: skewed, so a Gaussian at the mode is not it."""
    _seed(seed[0])
    X, y = _f32(X), _f32(y)

    def target(w):
        logits = tf.linalg.matvec(X, tf.convert_to_tensor(w))  # batched w (..., D) -> (..., N)
        prior = tf.reduce_sum(tfd.Normal(np.float32(0.0), np.float32(prior_scale)).log_prob(w), axis=-1)
        return prior + tf.reduce_sum(tfd.Bernoulli(logits=logits).log_prob(y), axis=-1)

    return _nuts(ns, target, init, num_results, num_burnin, seed)


def nuts_gaussian(ns, loc, cov, init, num_results, num_burnin, seed):
    """``run_nuts`` on a correlated, badly scaled Gaussian."""
    _seed(seed[0])
    dist = tfd.MultivariateNormalTriL(_f32(loc), tf.linalg.cholesky(_f32(cov)))
    return _nuts(ns, dist.log_prob, init, num_results, num_burnin, seed)


# --------------------------------------------------------------------------------------------
# Q6


def nll_values(ns, loc, scale, y, rate, counts):
    """The namespace's ``negative_log_likelihood`` for a Normal and for a Poisson distribution."""
    fn = ns["negative_log_likelihood"]
    normal = fn(_f32(y), tfd.Normal(_f32(loc), _f32(scale)))
    poisson = fn(_f32(counts), tfd.Poisson(rate=_f32(rate)))
    return {"normal": tf.convert_to_tensor(normal), "poisson": tf.convert_to_tensor(poisson)}


def layer_structure(ns, builder, args, x, seed):
    """The output type, last ``Dense`` width, shapes and a sample of a model from ``ns[builder](*args)``."""
    _seed(seed)
    model = ns[builder](*args)
    dist = model(_f32(x))
    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    out = {"is_distribution": isinstance(dist, tfd.Distribution),
           "is_keras_model": isinstance(model, tf.keras.Model),
           "last_dense_units": int(dense[-1].units) if dense else None,
           "last_layer": type(model.layers[-1]).__name__ if model.layers else None}
    if out["is_distribution"]:
        out.update({"batch_shape": [int(d) for d in dist.batch_shape],
                    "event_shape": [int(d) for d in dist.event_shape],
                    "sample": tf.convert_to_tensor(dist.sample(seed=int(seed))),
                    "log_prob_shape": [int(d) for d in dist.log_prob(tf.zeros([int(np.shape(x)[0]), 1])).shape]})
    return out


def fit_and_log_prob(ns, builder, args, x, y, x_test, y_test, epochs, learning_rate, seed):
    """Build with ``ns[builder](*args)``, train with ``fit_nll``, then log-probabilities of held-out pairs.

    The held-out targets reach the worker only after training has finished. Training that left a weight NaN or
    infinite is reported as ``diverged`` without calling the model: its output layer would sample from a distribution
    with NaN parameters, and TensorFlow's Poisson sampler never returns on a NaN rate.
    """
    _seed(seed)
    model = ns[builder](*args)
    model = ns["fit_nll"](model, np.asarray(x, np.float32), np.asarray(y, np.float32), int(epochs),
                          float(learning_rate), int(seed))
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        nan = tf.fill([len(x_test)], np.float32(np.nan))
        return {"log_prob": nan, "mean": nan, "diverged": True}
    dist = model(_f32(x_test))
    return {"log_prob": tf.reshape(tf.convert_to_tensor(dist.log_prob(_f32(y_test))), [-1]),
            "mean": tf.reshape(tf.convert_to_tensor(dist.mean()), [-1]), "diverged": False}
