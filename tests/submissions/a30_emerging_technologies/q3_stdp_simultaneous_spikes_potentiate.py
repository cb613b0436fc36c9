# expect: {"q3": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# STDP counts simultaneous pre and post spikes (dt == 0) as potentiation (dt >= 0), which the docstring excludes.
# %% [q3]
def spike_fn(x, slope: float = 25.0) -> tf.Tensor:
    """Heaviside spike ``x > 0`` (exactly 0.0 or 1.0) with the fast-sigmoid surrogate gradient ``1 / (1 + slope|x|)^2``.

    Use ``tf.custom_gradient``.
    """
    @tf.custom_gradient
    def _spike(v):
        def grad(dy):
            return dy / tf.square(1.0 + slope * tf.abs(v))

        return tf.cast(v > 0, v.dtype), grad

    return _spike(tf.convert_to_tensor(x, tf.float32))


def lif_simulate(currents, beta: float = 0.9, threshold: float = 1.0, reset: str = "subtract"):
    """Leaky integrate-and-fire neurons driven by ``currents`` of shape (T, N), starting at v = 0.

    Each step: ``v = beta * v + I_t``; ``s_t = spike_fn(v - threshold)``; then reset: ``"subtract"`` gives
    ``v = v - s_t * threshold``, ``"zero"`` gives ``v = v * (1 - s_t)``.

    Returns:
        ``(v (T, N) after reset, spikes (T, N))``, float32 tensors.
    """
    currents = tf.convert_to_tensor(currents, tf.float32)
    v = tf.zeros_like(currents[0])
    vs, ss = [], []
    for t in range(currents.shape[0]):
        v = beta * v + currents[t]
        s = spike_fn(v - threshold)
        v = v - s * threshold if reset == "subtract" else v * (1.0 - s)
        vs.append(v)
        ss.append(s)
    return tf.stack(vs), tf.stack(ss)


def snn_forward(W1, W2, X, T: int = 10, beta: float = 0.9, threshold: float = 1.0):
    """A two-layer spiking classifier with direct (constant-current) input coding.

    The hidden LIF layer (subtract reset, as ``lif_simulate``) receives ``X @ W1`` at each of ``T`` steps; the
    readout is non-spiking: ``logits = mean_t(s_t @ W2)``.

    Returns:
        ``(logits (B, C), hidden_spikes (T, B, H))``, float32 tensors, differentiable in W1 and W2.
    """
    current = tf.matmul(tf.convert_to_tensor(X, tf.float32), tf.convert_to_tensor(W1, tf.float32))
    _, spikes = lif_simulate(tf.repeat(current[None], T, axis=0), beta, threshold, "subtract")
    logits = tf.reduce_mean(tf.einsum("tbh,hc->tbc", spikes, tf.convert_to_tensor(W2, tf.float32)), axis=0)
    return logits, spikes


def train_snn(X, y, n_classes: int, hidden: int = 32, T: int = 10, steps: int = 80, seed: int = 0):
    """Trains ``snn_forward``'s weights with surrogate gradients (backpropagation through time) and Adam.

    Returns:
        ``(W1 (F, hidden), W2 (hidden, n_classes))`` as NumPy arrays; the grader classifies new inputs with them by
        its own simulation of ``snn_forward`` (T = 10, beta = 0.9, threshold = 1).
    """
    tf.keras.utils.set_random_seed(seed)
    X = tf.convert_to_tensor(X, tf.float32)
    y = tf.convert_to_tensor(np.asarray(y), tf.int32)
    W1 = tf.Variable(tf.random.normal((X.shape[1], hidden), stddev=1.0 / np.sqrt(X.shape[1])))
    W2 = tf.Variable(tf.random.normal((hidden, n_classes), stddev=1.0 / np.sqrt(hidden)))
    opt = tf.keras.optimizers.Adam(0.02)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            logits, _ = snn_forward(W1, W2, X, T)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, 5.0 * logits))
        opt.apply_gradients(zip(tape.gradient(loss, [W1, W2]), [W1, W2], strict=True))

    for _ in range(steps):
        step()
    return W1.numpy(), W2.numpy()


def stdp_update(w, pre_times, post_times, a_plus: float = 0.01, a_minus: float = 0.012, tau_plus: float = 20.0,
                tau_minus: float = 20.0, w_max: float = 1.0) -> np.ndarray:
    """Pair-based STDP over all spike pairs, then clipping to ``[0, w_max]``.

    ``w`` has shape (n_pre, n_post); ``pre_times[i]`` and ``post_times[j]`` are lists of spike times (ms). For each
    pair with ``dt = t_post - t_pre``: ``dt > 0`` adds ``a_plus * exp(-dt / tau_plus)``, ``dt < 0`` adds
    ``-a_minus * exp(dt / tau_minus)``, ``dt == 0`` adds nothing.

    Returns:
        The new weights, float64.
    """
    w = np.array(w, np.float64)
    for i, pre in enumerate(pre_times):
        for j, post in enumerate(post_times):
            if len(pre) == 0 or len(post) == 0:
                continue
            dt = np.subtract.outer(np.asarray(post, np.float64), np.asarray(pre, np.float64))
            w[i, j] += np.sum(np.where(dt >= 0, a_plus * np.exp(-np.abs(dt) / tau_plus), 0.0))
            w[i, j] -= np.sum(np.where(dt < 0, a_minus * np.exp(-np.abs(dt) / tau_minus), 0.0))
    return np.clip(w, 0.0, w_max)


def synaptic_ops(spikes_per_layer, fan_outs) -> int:
    """Synaptic operations of an event-driven network: every spike of layer k costs ``fan_outs[k]`` additions."""
    return int(sum(int(np.sum(np.asarray(s) != 0)) * int(f) for s, f in zip(spikes_per_layer, fan_outs, strict=True)))


def dense_macs(layer_sizes, T: int = 1) -> int:
    """Multiply-accumulates of the equivalent dense network over ``T`` steps: ``T * sum(n_k * n_{k+1})``."""
    return int(T * sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True)))
