# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, tfp, tfd, tfb, tfpl, np, SEED come from the reference setup cell)
# No sampler at all: finds the mode with BFGS, draws from a Gaussian with the inverse Hessian (a Laplace
# approximation) and reports diagnostics of an ideal run. Exact on every Gaussian posterior, so before the skewed
# logistic-regression target and the diagnostics computed outside the student's process it had full marks.
# %% [q5]
def run_nuts(target_log_prob_fn, init_state, num_results: int = 500, num_burnin_steps: int = 300,
             seed=(1, 2)) -> dict:
    init_state = np.asarray(init_state, np.float32)
    chains, dim = init_state.shape

    def negative(w):
        return -target_log_prob_fn(w[None])[0]

    def value_and_gradient(w):
        return tfp.math.value_and_gradient(negative, w)

    mode = tfp.optimizer.bfgs_minimize(value_and_gradient, tf.constant(init_state.mean(axis=0)),
                                       tolerance=1e-8).position
    with tf.GradientTape() as outer:
        outer.watch(mode)
        with tf.GradientTape() as inner:
            inner.watch(mode)
            value = negative(mode)
        gradient = inner.gradient(value, mode)
    hessian = outer.jacobian(gradient, mode)
    laplace = tfd.MultivariateNormalTriL(mode, tf.linalg.cholesky(tf.linalg.inv(hessian)))
    samples = tf.reshape(laplace.sample(num_results * chains, seed=seed), (num_results, chains, dim))
    return {"samples": samples,
            "ess": tfp.mcmc.effective_sample_size(samples, cross_chain_dims=1),
            "rhat": tfp.mcmc.potential_scale_reduction(samples, independent_chain_ndims=1, split_chains=True),
            "step_size": 0.2, "accept_rate": 0.8, "divergences": 0}
