"""Reference solution for A30, Emerging Technologies.

The course text on this topic is prose only, and several of its subjects have no hardware here: no neuromorphic chip
(Loihi, TrueNorth, SpiNNaker), no quantum processor and no EEG amplifier. Each question therefore grades the
computational core of its subject on synthetic data, against an independent computation in the judge: graph layers
by hand with NumPy oracles and node permutations (Q1), tabular and policy-gradient RL with a CartPole policy rolled
out by the grader (Q2), a leaky integrate-and-fire network with surrogate gradients, STDP and synaptic-operation
counts (Q3), circuit compilation and qubit routing with Cirq, shot noise, readout mitigation and a repetition code
(Q4), Hodgkin-Huxley against SciPy's ``solve_ivp``, Izhikevich and Wilson-Cowan models and a conductance fit (Q5),
and a brain-computer interface pipeline on a synthetic EEG generator with known sources (Q6).
"""

# %% [setup]

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import math
import warnings

warnings.filterwarnings("ignore", category=FutureWarning)

import cirq
import gymnasium as gym
import networkx as nx
import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.signal
import tensorflow as tf

SEED = 0


def make_motor_imagery(n_trials: int, n_channels: int = 8, fs: int = 128, seconds: float = 2.0, seed: int = 0):
    """Synthetic two-class motor-imagery EEG with known sources (the course's generator; no EEG hardware here).

    Two 10 Hz (mu-band) sources, a "left" and a "right" one, plus ``n_channels - 2`` pink-noise sources are mixed
    into the channels by one random matrix per seed (the same for every trial). Class 0 attenuates the first mu
    source (event-related desynchronisation), class 1 the second. Sensor noise is added on top.

    Returns:
        ``(X, y, mixing)``: X of shape ``(n_trials, n_channels, int(fs * seconds))`` (float64), labels y in {0, 1},
        and the mixing matrix ``(n_channels, n_channels)`` whose first two columns are the mu sources' patterns.
    """
    rng = np.random.default_rng(seed)
    n = int(fs * seconds)
    t = np.arange(n) / fs
    mixing = rng.normal(size=(n_channels, n_channels))
    y = rng.integers(0, 2, size=n_trials)
    freqs = np.fft.rfftfreq(n, 1 / fs)
    shape = 1.0 / np.sqrt(np.maximum(freqs, 1.0))
    X = np.empty((n_trials, n_channels, n))
    for k in range(n_trials):
        src = np.empty((n_channels, n))
        for j in range(2):
            amp = 0.3 if y[k] == j else 1.0
            f = 10.0 + rng.normal(0, 0.5)
            env = 1.0 + 0.2 * np.sin(2 * np.pi * rng.uniform(0.3, 1.0) * t + rng.uniform(0, 2 * np.pi))
            src[j] = amp * env * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
        spec = (rng.normal(size=(n_channels - 2, freqs.size)) + 1j * rng.normal(size=(n_channels - 2, freqs.size)))
        src[2:] = np.fft.irfft(spec * shape, n=n) * np.sqrt(n) * 0.25
        X[k] = mixing @ src + 0.1 * rng.normal(size=(n_channels, n))
    return X, y, mixing


def make_cursor_session(n_steps: int, n_channels: int = 16, seed: int = 0):
    """A continuous cursor task: a smooth 2-D velocity and channel features linear-Gaussian in it.

    Returns:
        ``(velocity (n_steps, 2), features (n_steps, n_channels))``, both float64.
    """
    rng = np.random.default_rng(seed)
    A = np.array([[0.95, 0.05], [-0.05, 0.95]])
    x = np.zeros((n_steps, 2))
    for k in range(1, n_steps):
        x[k] = A @ x[k - 1] + rng.normal(0, 0.3, size=2)
    H = rng.normal(size=(n_channels, 2))
    z = x @ H.T + rng.normal(size=(n_steps, 2)) @ rng.normal(0, 0.3, size=(2, n_channels)) + rng.normal(
        0, 1.0, size=(n_steps, n_channels))
    return x, z


# %% [q1]
def normalized_adjacency(A) -> tf.Tensor:
    """GCN propagation matrix ``D^-1/2 (A + I) D^-1/2`` of a dense adjacency matrix (float32, shape (N, N))."""
    ### BEGIN SOLUTION
    A = tf.convert_to_tensor(A, tf.float32)
    a_tilde = A + tf.eye(tf.shape(A)[0], dtype=tf.float32)
    d_inv_sqrt = tf.math.rsqrt(tf.reduce_sum(a_tilde, axis=1))
    return d_inv_sqrt[:, None] * a_tilde * d_inv_sqrt[None, :]
    ### END SOLUTION


def gcn_layer(A_hat, X, W) -> tf.Tensor:
    """One graph convolution without activation: ``A_hat @ X @ W``."""
    ### BEGIN SOLUTION
    X = tf.convert_to_tensor(X, tf.float32)
    return tf.matmul(tf.convert_to_tensor(A_hat, tf.float32), tf.matmul(X, tf.convert_to_tensor(W, tf.float32)))
    ### END SOLUTION


def gat_layer(A, X, W, a_src, a_dst, negative_slope: float = 0.2):
    """One single-head graph attention layer (Velickovic et al. 2018), without output activation.

    ``H = X @ W``; scores ``e_ij = LeakyReLU(H_i . a_src + H_j . a_dst)`` for every j in i's neighbourhood including
    i itself (``A + I > 0``); ``alpha_ij`` = softmax of ``e_ij`` over that neighbourhood, 0 elsewhere; output
    ``alpha @ H``.

    Returns:
        ``(output (N, F'), alpha (N, N))``, float32 tensors.
    """
    ### BEGIN SOLUTION
    A = tf.convert_to_tensor(A, tf.float32)
    H = tf.matmul(tf.convert_to_tensor(X, tf.float32), tf.convert_to_tensor(W, tf.float32))
    s = tf.linalg.matvec(H, tf.convert_to_tensor(a_src, tf.float32))
    d = tf.linalg.matvec(H, tf.convert_to_tensor(a_dst, tf.float32))
    e = tf.nn.leaky_relu(s[:, None] + d[None, :], alpha=negative_slope)
    mask = (A + tf.eye(tf.shape(A)[0])) > 0
    e = tf.where(mask, e, tf.fill(tf.shape(e), -1e30))
    alpha = tf.where(mask, tf.nn.softmax(e, axis=1), 0.0)
    return tf.matmul(alpha, H), alpha
    ### END SOLUTION


def sage_layer(A, X, W_self, W_neigh) -> tf.Tensor:
    """GraphSAGE-mean layer without activation: ``X @ W_self + mean_{j in N(i)} X_j @ W_neigh``.

    The neighbour mean of a node without neighbours is zero.
    """
    ### BEGIN SOLUTION
    A = tf.convert_to_tensor(A, tf.float32)
    X = tf.convert_to_tensor(X, tf.float32)
    deg = tf.reduce_sum(A, axis=1, keepdims=True)
    mean = tf.matmul(A, X) / tf.maximum(deg, 1.0)
    return tf.matmul(X, tf.convert_to_tensor(W_self, tf.float32)) + tf.matmul(mean,
                                                                              tf.convert_to_tensor(W_neigh, tf.float32))
    ### END SOLUTION


def sage_sample(adj_list, nodes, fanout: int, seed: int) -> list:
    """GraphSAGE neighbour sampling: ``fanout`` neighbours of each node, uniformly at random.

    Without replacement when the node has at least ``fanout`` neighbours, with replacement otherwise; an isolated
    node gets ``[]``. ``adj_list[v]`` is the list of node v's neighbours. Deterministic for a seed.

    Returns:
        One list of sampled neighbours (plain ints) per node in ``nodes``, in that order.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    out = []
    for v in nodes:
        nb = list(adj_list[v])
        if not nb:
            out.append([])
            continue
        picks = rng.choice(len(nb), size=fanout, replace=len(nb) < fanout)
        out.append([int(nb[i]) for i in picks])
    return out
    ### END SOLUTION


def train_gcn(A, X, train_idx, train_labels, n_classes: int, hidden: int = 16, epochs: int = 200, seed: int = 0):
    """Semi-supervised node classification with a two-layer GCN (Kipf and Welling 2017).

    Model: ``logits = A_hat @ relu(A_hat @ X @ W1) @ W2`` with ``A_hat = normalized_adjacency(A)`` (no biases),
    trained with cross-entropy on the labelled nodes only.

    Returns:
        ``(W1 (F, hidden), W2 (hidden, n_classes))`` as NumPy arrays; the grader classifies the unlabelled nodes with
        them.
    """
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)
    A_hat = normalized_adjacency(A)
    X = tf.convert_to_tensor(X, tf.float32)
    init = tf.keras.initializers.GlorotUniform(seed=seed)
    W1 = tf.Variable(init((X.shape[1], hidden)))
    W2 = tf.Variable(init((hidden, n_classes)))
    idx = tf.constant(np.asarray(train_idx, np.int32))
    lab = tf.constant(np.asarray(train_labels, np.int32))
    opt = tf.keras.optimizers.Adam(0.01)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            h = tf.nn.relu(gcn_layer(A_hat, X, W1))
            h = tf.nn.dropout(h, 0.5)
            logits = gcn_layer(A_hat, h, W2)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(lab, tf.gather(logits, idx)))
            loss += 5e-4 * tf.reduce_sum(W1 * W1)
        grads = tape.gradient(loss, [W1, W2])
        opt.apply_gradients(zip(grads, [W1, W2], strict=True))
        return loss

    for _ in range(epochs):
        step()
    return W1.numpy(), W2.numpy()
    ### END SOLUTION


# %% [q2]
def discounted_returns(rewards, dones, gamma: float) -> np.ndarray:
    """Returns-to-go ``G_t = r_t + gamma * (1 - done_t) * G_{t+1}`` (``G`` after the last step is 0); float64."""
    ### BEGIN SOLUTION
    r = np.asarray(rewards, np.float64)
    d = np.asarray(dones, np.float64)
    G = np.zeros_like(r)
    running = 0.0
    for t in range(len(r) - 1, -1, -1):
        running = r[t] + gamma * (1.0 - d[t]) * running
        G[t] = running
    return G
    ### END SOLUTION


def gae(rewards, values, next_values, dones, gamma: float = 0.99, lam: float = 0.95) -> np.ndarray:
    """Generalized advantage estimation (Schulman et al. 2016); float64.

    ``delta_t = r_t + gamma * (1 - done_t) * next_values_t - values_t`` and
    ``A_t = delta_t + gamma * lam * (1 - done_t) * A_{t+1}`` (``A`` after the last step is 0).
    """
    ### BEGIN SOLUTION
    r = np.asarray(rewards, np.float64)
    v = np.asarray(values, np.float64)
    nv = np.asarray(next_values, np.float64)
    d = np.asarray(dones, np.float64)
    adv = np.zeros_like(r)
    running = 0.0
    for t in range(len(r) - 1, -1, -1):
        delta = r[t] + gamma * (1.0 - d[t]) * nv[t] - v[t]
        running = delta + gamma * lam * (1.0 - d[t]) * running
        adv[t] = running
    return adv
    ### END SOLUTION


def value_iteration(P, R, gamma: float, tol: float = 1e-12):
    """Value iteration on a finite MDP: ``P[s, a, s']`` transition probabilities, ``R[s, a]`` expected rewards.

    Iterates ``V <- max_a (R + gamma * P @ V)`` until the largest change is below ``tol``.

    Returns:
        ``(V (S,), policy (S,) ints)``, the policy greedy with respect to the final V.
    """
    ### BEGIN SOLUTION
    P = np.asarray(P, np.float64)
    R = np.asarray(R, np.float64)
    V = np.zeros(P.shape[0])
    while True:
        Q = R + gamma * P @ V
        V_new = Q.max(axis=1)
        if np.max(np.abs(V_new - V)) < tol:
            V = V_new
            break
        V = V_new
    return V, (R + gamma * P @ V).argmax(axis=1)
    ### END SOLUTION


def q_learning(P, R, gamma: float, episodes: int = 1500, steps: int = 40, alpha: float = 0.5, epsilon: float = 0.2,
               seed: int = 0) -> np.ndarray:
    """Tabular Q-learning on the MDP ``(P, R)``, learning from sampled transitions only.

    Each episode starts in a uniformly random state and lasts ``steps`` steps; actions are epsilon-greedy; the next
    state is drawn from ``P[s, a]`` with ``np.random.default_rng(seed)``. Update:
    ``Q[s, a] += alpha * (r + gamma * max Q[s'] - Q[s, a])``.

    Returns:
        Q of shape (S, A), float64.
    """
    ### BEGIN SOLUTION
    P = np.asarray(P, np.float64)
    R = np.asarray(R, np.float64)
    rng = np.random.default_rng(seed)
    n_s, n_a = R.shape
    Q = np.zeros((n_s, n_a))
    for _ in range(episodes):
        s = int(rng.integers(n_s))
        for _ in range(steps):
            a = int(rng.integers(n_a)) if rng.random() < epsilon else int(np.argmax(Q[s]))
            s2 = int(rng.choice(n_s, p=P[s, a]))
            Q[s, a] += alpha * (R[s, a] + gamma * Q[s2].max() - Q[s, a])
            s = s2
    return Q
    ### END SOLUTION


def reinforce_grad(W, b, states, actions, advantages):
    """Gradient of the REINFORCE loss of a linear softmax policy ``pi(a | s) = softmax(s @ W + b)``.

    Loss: ``-mean_t(advantages_t * log pi(actions_t | states_t))``. Use ``tf.GradientTape``.

    Returns:
        ``(dL/dW, dL/db)`` with the shapes of W and b.
    """
    ### BEGIN SOLUTION
    W = tf.Variable(tf.convert_to_tensor(W, tf.float64))
    b = tf.Variable(tf.convert_to_tensor(b, tf.float64))
    s = tf.convert_to_tensor(states, tf.float64)
    a = tf.convert_to_tensor(actions, tf.int32)
    adv = tf.convert_to_tensor(advantages, tf.float64)
    with tf.GradientTape() as tape:
        logp = tf.nn.log_softmax(tf.matmul(s, W) + b)
        chosen = tf.gather(logp, a, batch_dims=1)
        loss = -tf.reduce_mean(adv * chosen)
    gW, gb = tape.gradient(loss, [W, b])
    return gW.numpy(), gb.numpy()
    ### END SOLUTION


def train_cartpole(seed: int = 0, updates: int = 80, batch: int = 4, lr: float = 0.03):
    """REINFORCE with normalised returns-to-go for a linear softmax policy on gymnasium's ``CartPole-v1``.

    Returns:
        ``(W (4, 2), b (2,))``: the policy's parameters. The grader rolls out the greedy policy
        ``argmax(s @ W + b)`` itself, on its own episodes.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    env = gym.make("CartPole-v1")
    params = [np.zeros((4, 2)), np.zeros(2)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    recent = []
    for k in range(1, updates + 1):
        S, A, G = [], [], []
        for _ in range(batch):
            s, _ = env.reset(seed=int(rng.integers(1 << 31)))
            rewards, done = [], False
            while not done:
                z = s @ params[0] + params[1]
                p = np.exp(z - z.max())
                a = int(rng.random() < p[1] / p.sum())
                S.append(s)
                A.append(a)
                s, r, term, trunc, _ = env.step(a)
                rewards.append(r)
                done = term or trunc
            recent.append(len(rewards))
            G.append(discounted_returns(rewards, np.zeros(len(rewards)), 0.99))
        if np.mean(recent[-2 * batch:]) >= 300:
            break
        G = np.concatenate(G)
        adv = (G - G.mean()) / (G.std() + 1e-8)
        grads = reinforce_grad(params[0], params[1], np.array(S), np.array(A), adv)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] = params[i] - lr * (m[i] / (1 - 0.9 ** k)) / (np.sqrt(v[i] / (1 - 0.999 ** k)) + 1e-8)
    env.close()
    return params[0], params[1]
    ### END SOLUTION


# %% [q3]
def spike_fn(x, slope: float = 25.0) -> tf.Tensor:
    """Heaviside spike ``x > 0`` (exactly 0.0 or 1.0) with the fast-sigmoid surrogate gradient ``1 / (1 + slope|x|)^2``.

    Use ``tf.custom_gradient``.
    """
    ### BEGIN SOLUTION
    @tf.custom_gradient
    def _spike(v):
        def grad(dy):
            return dy / tf.square(1.0 + slope * tf.abs(v))

        return tf.cast(v > 0, v.dtype), grad

    return _spike(tf.convert_to_tensor(x, tf.float32))
    ### END SOLUTION


def lif_simulate(currents, beta: float = 0.9, threshold: float = 1.0, reset: str = "subtract"):
    """Leaky integrate-and-fire neurons driven by ``currents`` of shape (T, N), starting at v = 0.

    Each step: ``v = beta * v + I_t``; ``s_t = spike_fn(v - threshold)``; then reset: ``"subtract"`` gives
    ``v = v - s_t * threshold``, ``"zero"`` gives ``v = v * (1 - s_t)``.

    Returns:
        ``(v (T, N) after reset, spikes (T, N))``, float32 tensors.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def snn_forward(W1, W2, X, T: int = 10, beta: float = 0.9, threshold: float = 1.0):
    """A two-layer spiking classifier with direct (constant-current) input coding.

    The hidden LIF layer (subtract reset, as ``lif_simulate``) receives ``X @ W1`` at each of ``T`` steps; the
    readout is non-spiking: ``logits = mean_t(s_t @ W2)``.

    Returns:
        ``(logits (B, C), hidden_spikes (T, B, H))``, float32 tensors, differentiable in W1 and W2.
    """
    ### BEGIN SOLUTION
    current = tf.matmul(tf.convert_to_tensor(X, tf.float32), tf.convert_to_tensor(W1, tf.float32))
    _, spikes = lif_simulate(tf.repeat(current[None], T, axis=0), beta, threshold, "subtract")
    logits = tf.reduce_mean(tf.einsum("tbh,hc->tbc", spikes, tf.convert_to_tensor(W2, tf.float32)), axis=0)
    return logits, spikes
    ### END SOLUTION


def train_snn(X, y, n_classes: int, hidden: int = 32, T: int = 10, steps: int = 80, seed: int = 0):
    """Trains ``snn_forward``'s weights with surrogate gradients (backpropagation through time) and Adam.

    Returns:
        ``(W1 (F, hidden), W2 (hidden, n_classes))`` as NumPy arrays; the grader classifies new inputs with them by
        its own simulation of ``snn_forward`` (T = 10, beta = 0.9, threshold = 1).
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def stdp_update(w, pre_times, post_times, a_plus: float = 0.01, a_minus: float = 0.012, tau_plus: float = 20.0,
                tau_minus: float = 20.0, w_max: float = 1.0) -> np.ndarray:
    """Pair-based STDP over all spike pairs, then clipping to ``[0, w_max]``.

    ``w`` has shape (n_pre, n_post); ``pre_times[i]`` and ``post_times[j]`` are lists of spike times (ms). For each
    pair with ``dt = t_post - t_pre``: ``dt > 0`` adds ``a_plus * exp(-dt / tau_plus)``, ``dt < 0`` adds
    ``-a_minus * exp(dt / tau_minus)``, ``dt == 0`` adds nothing.

    Returns:
        The new weights, float64.
    """
    ### BEGIN SOLUTION
    w = np.array(w, np.float64)
    for i, pre in enumerate(pre_times):
        for j, post in enumerate(post_times):
            if len(pre) == 0 or len(post) == 0:
                continue
            dt = np.subtract.outer(np.asarray(post, np.float64), np.asarray(pre, np.float64))
            w[i, j] += np.sum(np.where(dt > 0, a_plus * np.exp(-np.abs(dt) / tau_plus), 0.0))
            w[i, j] -= np.sum(np.where(dt < 0, a_minus * np.exp(-np.abs(dt) / tau_minus), 0.0))
    return np.clip(w, 0.0, w_max)
    ### END SOLUTION


def synaptic_ops(spikes_per_layer, fan_outs) -> int:
    """Synaptic operations of an event-driven network: every spike of layer k costs ``fan_outs[k]`` additions."""
    ### BEGIN SOLUTION
    return int(sum(int(np.sum(np.asarray(s) != 0)) * int(f) for s, f in zip(spikes_per_layer, fan_outs, strict=True)))
    ### END SOLUTION


def dense_macs(layer_sizes, T: int = 1) -> int:
    """Multiply-accumulates of the equivalent dense network over ``T`` steps: ``T * sum(n_k * n_{k+1})``."""
    ### BEGIN SOLUTION
    return int(T * sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True)))
    ### END SOLUTION


# %% [q4]
def compile_for_device(circuit: cirq.Circuit, device_graph: nx.Graph):
    """Compiles a circuit to the CZ gate set and routes it onto a device's connectivity graph.

    Use ``cirq.optimize_for_target_gateset`` with ``cirq.CZTargetGateset()`` and ``cirq.RouteCQC``; the result must
    use only CZ and single-qubit gates, and every two-qubit gate must act on an edge of ``device_graph``.

    Returns:
        ``(compiled circuit, initial_mapping {logical qubit: device qubit}, final_mapping {device qubit: device
        qubit})``: the circuit equals the original placed by ``initial_mapping`` and followed by the qubit
        permutation ``final_mapping`` that the inserted swaps made.
    """
    ### BEGIN SOLUTION
    compiled = cirq.optimize_for_target_gateset(circuit, gateset=cirq.CZTargetGateset())
    routed, initial_map, swap_map = cirq.RouteCQC(device_graph).route_circuit(compiled)
    routed = cirq.optimize_for_target_gateset(routed, gateset=cirq.CZTargetGateset())
    return routed, initial_map, swap_map
    ### END SOLUTION


def sample_expectation(circuit: cirq.Circuit, qubits, shots: int, seed: int):
    """Estimates ``<Z_q1 Z_q2 ...>`` over ``qubits`` from ``shots`` measurements (``cirq.Simulator(seed=seed)``).

    Returns:
        ``(mean, stderr)``: the mean of the per-shot parities ``prod(1 - 2 b_q)`` and its standard error
        ``std(parities, ddof=1) / sqrt(shots)``.
    """
    ### BEGIN SOLUTION
    c = circuit + cirq.Circuit(cirq.measure(*qubits, key="m"))
    bits = cirq.Simulator(seed=seed).run(c, repetitions=shots).measurements["m"]
    parity = np.prod(1 - 2 * bits.astype(np.int64), axis=1).astype(np.float64)
    return float(parity.mean()), float(parity.std(ddof=1) / np.sqrt(shots))
    ### END SOLUTION


def readout_confusion(p01: float, p10: float, n_qubits: int) -> np.ndarray:
    """Confusion matrix ``M[measured, true]`` of independent single-qubit readout errors.

    ``p01`` is the probability of reading 0 as 1, ``p10`` of reading 1 as 0. Bitstrings are indexed big-endian
    (qubit 0 is the most significant bit, as Cirq).
    """
    ### BEGIN SOLUTION
    single = np.array([[1 - p01, p10], [p01, 1 - p10]])
    M = np.ones((1, 1))
    for _ in range(n_qubits):
        M = np.kron(M, single)
    return M
    ### END SOLUTION


def mitigate_readout(counts: dict, confusion) -> np.ndarray:
    """Readout-error mitigation by least-squares inversion of the confusion matrix.

    ``counts`` maps bitstrings (``"010"``, big-endian) to counts. The measured distribution ``p_meas`` is solved from
    ``confusion @ p = p_meas`` in the least-squares sense, clipped at 0 and renormalised to sum to 1.
    """
    ### BEGIN SOLUTION
    M = np.asarray(confusion, np.float64)
    p_meas = np.zeros(M.shape[0])
    for bits, c in counts.items():
        p_meas[int(bits, 2)] += c
    p_meas /= p_meas.sum()
    p = np.linalg.lstsq(M, p_meas, rcond=None)[0]
    p = np.clip(p, 0.0, None)
    return p / p.sum()
    ### END SOLUTION


def majority_decode(bits) -> np.ndarray:
    """Majority vote of each row of a (shots, n) 0/1 array (n odd); ints."""
    ### BEGIN SOLUTION
    bits = np.asarray(bits)
    return (2 * bits.sum(axis=1) > bits.shape[1]).astype(np.int64)
    ### END SOLUTION


def repetition_code_logical_error(p: float, shots: int, seed: int) -> float:
    """Logical error rate of the 3-qubit bit-flip code storing |0>, simulated with Cirq.

    Encode with two CNOTs from qubit 0, apply ``cirq.bit_flip(p)`` to each qubit, measure all three, decode by
    ``majority_decode``; run with ``cirq.DensityMatrixSimulator(seed=seed)`` (it samples every shot from one
    density matrix; the state-vector simulator would simulate each noisy shot separately). Returns the fraction of
    shots decoded as 1.
    """
    ### BEGIN SOLUTION
    q = cirq.LineQubit.range(3)
    c = cirq.Circuit(cirq.CNOT(q[0], q[1]), cirq.CNOT(q[0], q[2]), cirq.bit_flip(p).on_each(*q),
                     cirq.measure(*q, key="m"))
    bits = cirq.DensityMatrixSimulator(seed=seed).run(c, repetitions=shots).measurements["m"]
    return float(majority_decode(bits).mean())
    ### END SOLUTION


# %% [q5]
def hodgkin_huxley(i_ext: float, t_max_ms: float = 50.0, dt: float = 0.01, g_k: float = 36.0):
    """The Hodgkin-Huxley squid axon model integrated with classical fourth-order Runge-Kutta.

    C = 1 uF/cm2, gNa = 120, gK = ``g_k``, gL = 0.3 mS/cm2, ENa = 50, EK = -77, EL = -54.387 mV; V0 = -65 mV and
    m, h, n at their steady states ``alpha / (alpha + beta)`` at V0. Rates (V in mV, per ms):
    ``a_n = 0.01 (V + 55) / (1 - exp(-(V + 55) / 10))``, ``b_n = 0.125 exp(-(V + 65) / 80)``,
    ``a_m = 0.1 (V + 40) / (1 - exp(-(V + 40) / 10))``, ``b_m = 4 exp(-(V + 65) / 18)``,
    ``a_h = 0.07 exp(-(V + 65) / 20)``, ``b_h = 1 / (1 + exp(-(V + 35) / 10))``. State order (V, m, h, n).

    Returns:
        ``(t, V)``: ``round(t_max_ms / dt) + 1`` times from 0 and the membrane potential there (float64).
    """
    ### BEGIN SOLUTION
    def rates(V):
        an = 0.01 * (V + 55) / (1 - math.exp(-(V + 55) / 10))
        bn = 0.125 * math.exp(-(V + 65) / 80)
        am = 0.1 * (V + 40) / (1 - math.exp(-(V + 40) / 10))
        bm = 4 * math.exp(-(V + 65) / 18)
        ah = 0.07 * math.exp(-(V + 65) / 20)
        bh = 1 / (1 + math.exp(-(V + 35) / 10))
        return am, bm, ah, bh, an, bn

    def f(y):
        V, m, h, n = y
        am, bm, ah, bh, an, bn = rates(V)
        i_ion = 120 * m ** 3 * h * (V - 50) + g_k * n ** 4 * (V + 77) + 0.3 * (V + 54.387)
        return np.array([i_ext - i_ion, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n])

    am, bm, ah, bh, an, bn = rates(-65.0)
    y = np.array([-65.0, am / (am + bm), ah / (ah + bh), an / (an + bn)])
    steps = int(round(t_max_ms / dt))
    V = np.empty(steps + 1)
    V[0] = y[0]
    for k in range(steps):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        V[k + 1] = y[0]
    return np.arange(steps + 1) * dt, V
    ### END SOLUTION


def spike_times(V, t, threshold: float = 0.0) -> np.ndarray:
    """Times of upward crossings of ``threshold`` (``V[k] < threshold <= V[k+1]``), linearly interpolated."""
    ### BEGIN SOLUTION
    V = np.asarray(V, np.float64)
    t = np.asarray(t, np.float64)
    k = np.nonzero((V[:-1] < threshold) & (V[1:] >= threshold))[0]
    return t[k] + (threshold - V[k]) / (V[k + 1] - V[k]) * (t[k + 1] - t[k])
    ### END SOLUTION


def izhikevich(a: float, b: float, c: float, d: float, i_ext, dt: float = 0.25):
    """Izhikevich (2003) neuron with forward Euler, one step per entry of ``i_ext``; v0 = -65, u0 = b * v0.

    Each step (both updates use the old v and u): ``v' = v + dt (0.04 v^2 + 5 v + 140 - u + I)``,
    ``u' = u + dt a (b v - u)``; if ``v' >= 30``: record the step's index as a spike, store 30 in the trace, then
    ``v' = c``, ``u' = u' + d``.

    Returns:
        ``(v trace (len(i_ext),), spike step indices)``.
    """
    ### BEGIN SOLUTION
    i_ext = np.asarray(i_ext, np.float64)
    v, u = -65.0, b * -65.0
    trace = np.empty(len(i_ext))
    spikes = []
    for k, current in enumerate(i_ext):
        v, u = v + dt * (0.04 * v * v + 5 * v + 140 - u + current), u + dt * a * (b * v - u)
        if v >= 30:
            spikes.append(k)
            trace[k] = 30.0
            v, u = c, u + d
        else:
            trace[k] = v
    return trace, np.array(spikes, dtype=np.int64)
    ### END SOLUTION


def _wc_sigmoid(x, a, theta):
    return 1.0 / (1.0 + np.exp(-a * (x - theta)))


def wilson_cowan_rhs(state, params: dict) -> np.ndarray:
    """Wilson-Cowan rates ``(dE/dt, dI/dt)`` at ``state = (E, I)``.

    ``tau_e dE/dt = -E + S_e(w_ee E - w_ei I + P)``, ``tau_i dI/dt = -I + S_i(w_ie E - w_ii I + Q)``, with
    ``S_x(u) = 1 / (1 + exp(-a_x (u - theta_x)))``. ``params`` holds those names.
    """
    ### BEGIN SOLUTION
    exc, inh = state
    p = params
    d_exc = (-exc + _wc_sigmoid(p["w_ee"] * exc - p["w_ei"] * inh + p["P"], p["a_e"], p["theta_e"])) / p["tau_e"]
    d_inh = (-inh + _wc_sigmoid(p["w_ie"] * exc - p["w_ii"] * inh + p["Q"], p["a_i"], p["theta_i"])) / p["tau_i"]
    return np.array([d_exc, d_inh])
    ### END SOLUTION


def wilson_cowan_fixed_points(params: dict) -> list:
    """All fixed points of ``wilson_cowan_rhs`` in [0, 1]^2 with their stability.

    Returns:
        A list of ``{"E": float, "I": float, "stable": bool}`` sorted by E; stable when every eigenvalue of the
        Jacobian there has a negative real part.
    """
    ### BEGIN SOLUTION
    found = []
    for e0 in np.linspace(0, 1, 11):
        for i0 in np.linspace(0, 1, 11):
            sol, info, ok, _ = scipy.optimize.fsolve(lambda s: wilson_cowan_rhs(s, params), [e0, i0],
                                                     full_output=True, xtol=1e-13)
            if ok != 1 or np.max(np.abs(wilson_cowan_rhs(sol, params))) > 1e-9:
                continue
            if not all(-1e-9 <= v <= 1 + 1e-9 for v in sol):
                continue
            if any(np.max(np.abs(sol - f)) < 1e-6 for f in found):
                continue
            found.append(sol)
    out = []
    for sol in sorted(found, key=lambda s: s[0]):
        J = np.empty((2, 2))
        for k in range(2):
            h = np.zeros(2)
            h[k] = 1e-6
            J[:, k] = (wilson_cowan_rhs(sol + h, params) - wilson_cowan_rhs(sol - h, params)) / 2e-6
        out.append({"E": float(sol[0]), "I": float(sol[1]), "stable": bool(np.all(np.linalg.eigvals(J).real < 0))})
    return out
    ### END SOLUTION


def fit_gk(target_V, i_ext: float, t_max_ms: float, dt: float, bounds=(20.0, 50.0)) -> float:
    """Fits the potassium conductance gK of ``hodgkin_huxley`` to a recorded voltage trace (least squares on V)."""
    ### BEGIN SOLUTION
    target_V = np.asarray(target_V, np.float64)

    def loss(g):
        return float(np.mean((hodgkin_huxley(i_ext, t_max_ms, dt, g_k=g)[1] - target_V) ** 2))

    grid = np.linspace(bounds[0], bounds[1], 16)
    k = int(np.argmin([loss(g) for g in grid]))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    return float(scipy.optimize.minimize_scalar(loss, bounds=(lo, hi), method="bounded",
                                                options={"xatol": 1e-4}).x)
    ### END SOLUTION


# %% [q6]
def bandpass(x, fs: float, lo: float, hi: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass along the last axis.

    ``scipy.signal.butter(order, [lo, hi], "bandpass", fs=fs, output="sos")`` applied with ``sosfiltfilt``.
    """
    ### BEGIN SOLUTION
    sos = scipy.signal.butter(order, [lo, hi], btype="bandpass", fs=fs, output="sos")
    return scipy.signal.sosfiltfilt(sos, np.asarray(x, np.float64), axis=-1)
    ### END SOLUTION


def csp(X_a, X_b, n_components: int = 4) -> np.ndarray:
    """Common spatial patterns of two classes of trials (trials, channels, samples).

    Class covariances are the means of the trace-normalised trial covariances ``x x^T / trace(x x^T)``; the filters
    solve the generalised eigenproblem ``C_a w = lambda (C_a + C_b) w``. Returns W of shape (channels,
    n_components): the ``n_components // 2`` filters of largest lambda (descending), then those of smallest lambda
    (ascending).
    """
    ### BEGIN SOLUTION
    def cov(X):
        C = np.einsum("kct,kdt->kcd", X, X)
        return np.mean(C / np.trace(C, axis1=1, axis2=2)[:, None, None], axis=0)

    Ca, Cb = cov(np.asarray(X_a, np.float64)), cov(np.asarray(X_b, np.float64))
    vals, vecs = scipy.linalg.eigh(Ca, Ca + Cb)
    half = n_components // 2
    order = list(range(len(vals) - 1, len(vals) - 1 - half, -1)) + list(range(half))
    return vecs[:, order]
    ### END SOLUTION


def log_var_features(X, W) -> np.ndarray:
    """CSP log-variance features of shape (trials, n_components).

    For each trial, the variance over time of each filtered signal ``W^T x``, as ``log(var_k / sum_j var_j)``.
    """
    ### BEGIN SOLUTION
    Z = np.einsum("cf,kct->kft", np.asarray(W, np.float64), np.asarray(X, np.float64))
    var = Z.var(axis=2)
    return np.log(var / var.sum(axis=1, keepdims=True))
    ### END SOLUTION


def csp_lda_predict(X_train, y_train, X_test, fs: float) -> np.ndarray:
    """The classic motor-imagery pipeline; returns the predicted labels of ``X_test``.

    8-30 Hz band-pass, 4 CSP filters, log-variance features and linear discriminant analysis
    (``sklearn.discriminant_analysis.LinearDiscriminantAnalysis`` may be used).
    """
    ### BEGIN SOLUTION
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    y_train = np.asarray(y_train)
    Xf, Xt = bandpass(X_train, fs, 8, 30), bandpass(X_test, fs, 8, 30)
    W = csp(Xf[y_train == 0], Xf[y_train == 1], 4)
    lda = LinearDiscriminantAnalysis().fit(log_var_features(Xf, W), y_train)
    return lda.predict(log_var_features(Xt, W)).astype(np.int64)
    ### END SOLUTION


def build_eegnet(chans: int, samples: int, n_classes: int, F1: int = 8, D: int = 2, F2: int = 16,
                 kern_length: int = 64, dropout: float = 0.25) -> tf.keras.Model:
    """EEGNet (Lawhern et al. 2018) on inputs of shape (chans, samples, 1).

    Conv2D(F1, (1, kern_length), same, no bias) -> BatchNorm -> DepthwiseConv2D((chans, 1), depth_multiplier=D, no
    bias, max-norm 1) -> BatchNorm -> ELU -> AveragePooling2D((1, 4)) -> Dropout -> SeparableConv2D(F2, (1, 16),
    same, no bias) -> BatchNorm -> ELU -> AveragePooling2D((1, 8)) -> Dropout -> Flatten -> Dense(n_classes,
    max-norm 0.25) -> softmax.
    """
    ### BEGIN SOLUTION
    L = tf.keras.layers
    inp = tf.keras.Input((chans, samples, 1))
    x = L.Conv2D(F1, (1, kern_length), padding="same", use_bias=False)(inp)
    x = L.BatchNormalization()(x)
    x = L.DepthwiseConv2D((chans, 1), depth_multiplier=D, use_bias=False,
                          depthwise_constraint=tf.keras.constraints.MaxNorm(1.0))(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("elu")(x)
    x = L.AveragePooling2D((1, 4))(x)
    x = L.Dropout(dropout)(x)
    x = L.SeparableConv2D(F2, (1, 16), padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("elu")(x)
    x = L.AveragePooling2D((1, 8))(x)
    x = L.Dropout(dropout)(x)
    x = L.Flatten()(x)
    x = L.Dense(n_classes, kernel_constraint=tf.keras.constraints.MaxNorm(0.25))(x)
    return tf.keras.Model(inp, L.Activation("softmax")(x))
    ### END SOLUTION


def kalman_fit(X, Z) -> dict:
    """Least-squares fit of the Kalman decoder of Wu et al. (2003) from training states X (T, d) and features Z (T, m).

    ``A = argmin sum ||x_{t+1} - A x_t||^2``, ``W`` = covariance of those residuals (divided by T - 1),
    ``H = argmin sum ||z_t - H x_t||^2``, ``Q`` = covariance of those residuals (divided by T).

    Returns:
        ``{"A": (d, d), "W": (d, d), "H": (m, d), "Q": (m, m)}``.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, np.float64)
    Z = np.asarray(Z, np.float64)
    X1, X2 = X[:-1], X[1:]
    A = np.linalg.solve(X1.T @ X1, X1.T @ X2).T
    r = X2 - X1 @ A.T
    H = np.linalg.solve(X.T @ X, X.T @ Z).T
    q = Z - X @ H.T
    return {"A": A, "W": r.T @ r / (len(X) - 1), "H": H, "Q": q.T @ q / len(X)}
    ### END SOLUTION


def kalman_decode(params: dict, Z, x0, P0) -> np.ndarray:
    """Kalman filter; returns the filtered states (T, d).

    For each t, predict ``x = A x``, ``P = A P A^T + W`` (starting from x0, P0), then update with z_t:
    ``K = P H^T (H P H^T + Q)^-1``, ``x = x + K (z_t - H x)``, ``P = (I - K H) P``.
    """
    ### BEGIN SOLUTION
    A, W, H, Q = (np.asarray(params[k], np.float64) for k in ("A", "W", "H", "Q"))
    x = np.asarray(x0, np.float64)
    P = np.asarray(P0, np.float64)
    out = []
    for z in np.asarray(Z, np.float64):
        x = A @ x
        P = A @ P @ A.T + W
        K = P @ H.T @ np.linalg.inv(H @ P @ H.T + Q)
        x = x + K @ (z - H @ x)
        P = (np.eye(len(x)) - K @ H) @ P
        out.append(x)
    return np.array(out)
    ### END SOLUTION


def wolpaw_itr(acc: float, n_classes: int, trial_s: float) -> float:
    """Wolpaw's information transfer rate in bits per minute.

    ``B = log2 N + P log2 P + (1 - P) log2((1 - P) / (N - 1))`` bits per trial (the last term is 0 at P = 1),
    times ``60 / trial_s``; 0 when ``P <= 1 / N``.
    """
    ### BEGIN SOLUTION
    N, P = n_classes, acc
    if P <= 1.0 / N:
        return 0.0
    bits = math.log2(N) + P * math.log2(P)
    if P < 1:
        bits += (1 - P) * math.log2((1 - P) / (N - 1))
    return bits * 60.0 / trial_s
    ### END SOLUTION
