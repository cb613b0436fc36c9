# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, cirq, ... come from the reference setup cell)
# train_cartpole returns the initial (untrained) policy.
# %% [q2]
def discounted_returns(rewards, dones, gamma: float) -> np.ndarray:
    """Returns-to-go ``G_t = r_t + gamma * (1 - done_t) * G_{t+1}`` (``G`` after the last step is 0); float64."""
    r = np.asarray(rewards, np.float64)
    d = np.asarray(dones, np.float64)
    G = np.zeros_like(r)
    running = 0.0
    for t in range(len(r) - 1, -1, -1):
        running = r[t] + gamma * (1.0 - d[t]) * running
        G[t] = running
    return G


def gae(rewards, values, next_values, dones, gamma: float = 0.99, lam: float = 0.95) -> np.ndarray:
    """Generalized advantage estimation (Schulman et al. 2016); float64.

    ``delta_t = r_t + gamma * (1 - done_t) * next_values_t - values_t`` and
    ``A_t = delta_t + gamma * lam * (1 - done_t) * A_{t+1}`` (``A`` after the last step is 0).
    """
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


def value_iteration(P, R, gamma: float, tol: float = 1e-12):
    """Value iteration on a finite MDP: ``P[s, a, s']`` transition probabilities, ``R[s, a]`` expected rewards.

    Iterates ``V <- max_a (R + gamma * P @ V)`` until the largest change is below ``tol``.

    Returns:
        ``(V (S,), policy (S,) ints)``, the policy greedy with respect to the final V.
    """
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


def q_learning(P, R, gamma: float, episodes: int = 1500, steps: int = 40, alpha: float = 0.5, epsilon: float = 0.2,
               seed: int = 0) -> np.ndarray:
    """Tabular Q-learning on the MDP ``(P, R)``, learning from sampled transitions only.

    Each episode starts in a uniformly random state and lasts ``steps`` steps; actions are epsilon-greedy; the next
    state is drawn from ``P[s, a]`` with ``np.random.default_rng(seed)``. Update:
    ``Q[s, a] += alpha * (r + gamma * max Q[s'] - Q[s, a])``.

    Returns:
        Q of shape (S, A), float64.
    """
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


def reinforce_grad(W, b, states, actions, advantages):
    """Gradient of the REINFORCE loss of a linear softmax policy ``pi(a | s) = softmax(s @ W + b)``.

    Loss: ``-mean_t(advantages_t * log pi(actions_t | states_t))``. Use ``tf.GradientTape``.

    Returns:
        ``(dL/dW, dL/db)`` with the shapes of W and b.
    """
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


def train_cartpole(seed: int = 0, updates: int = 80, batch: int = 4, lr: float = 0.03):
    """REINFORCE with normalised returns-to-go for a linear softmax policy on gymnasium's ``CartPole-v1``.

    Returns:
        ``(W (4, 2), b (2,))``: the policy's parameters. The grader rolls out the greedy policy
        ``argmax(s @ W + b)`` itself, on its own episodes.
    """
    rng = np.random.default_rng(seed)
    env = gym.make("CartPole-v1")
    params = [np.zeros((4, 2)), np.zeros(2)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    recent = []
    for k in range(1, 1):
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
