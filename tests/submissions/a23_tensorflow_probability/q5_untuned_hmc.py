# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, tfp, tfd, tfb, tfpl, np, SEED come from the reference setup cell)
# HMC with a fixed step size and 3 leapfrog steps, no adaptation: slow mixing.
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
    init_state = tf.constant(np.asarray(init_state, np.float32))
    kernel = tfp.mcmc.SimpleStepSizeAdaptation(
        tfp.mcmc.HamiltonianMonteCarlo(target_log_prob_fn, step_size=0.1, num_leapfrog_steps=3),
        num_adaptation_steps=0)

    def trace_fn(_, results):
        return (results.inner_results.log_accept_ratio, tf.zeros_like(results.inner_results.is_accepted),
                results.new_step_size)

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
