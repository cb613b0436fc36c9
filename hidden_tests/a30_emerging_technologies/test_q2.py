"""Hidden tests for A30 Q2: returns and GAE against NumPy, value iteration against the exact Bellman solution,
Q-learning's greedy policy on a gridworld, the REINFORCE gradient against its closed form, and a CartPole policy
rolled out by the course's own loop in the reference worker."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q2")


def _returns(r, d, g):
    G, run = np.zeros(len(r)), 0.0
    for t in reversed(range(len(r))):
        run = r[t] + g * (1 - d[t]) * run
        G[t] = run
    return G


def _gae(r, v, nv, d, g, lam):
    A, run = np.zeros(len(r)), 0.0
    for t in reversed(range(len(r))):
        run = r[t] + g * (1 - d[t]) * nv[t] - v[t] + g * lam * (1 - d[t]) * run
        A[t] = run
    return A


@pytest.mark.points(2)
def test_returns_and_gae_across_episode_boundaries(student, rng):
    n = 60
    r = rng.normal(size=n)
    d = (rng.random(n) < 0.1).astype(np.float64)
    d[-1] = 0.0
    v, nv = rng.normal(size=n), rng.normal(size=n)
    for gamma, lam in ((0.99, 0.95), (0.8, 0.5)):
        checks.assert_tensor(student.call("discounted_returns", r, d, gamma), _returns(r, d, gamma), expect="any",
                             atol=1e-9, rtol=1e-9, name=f"discounted_returns(gamma={gamma})")
        checks.assert_tensor(student.call("gae", r, v, nv, d, gamma, lam), _gae(r, v, nv, d, gamma, lam),
                             expect="any", atol=1e-9, rtol=1e-9, name=f"gae(gamma={gamma}, lam={lam})")


def _gridworld(rng, size=5):
    n = size * size
    goal = int(rng.integers(n))
    pit = int((goal + 1 + rng.integers(n - 1)) % n)
    P = np.zeros((n, 4, n))
    R = np.full((n, 4), -1.0)
    moves = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    for s in range(n):
        r, c = divmod(s, size)
        for a, (dr, dc) in enumerate(moves):
            if s == goal:
                P[s, a, s] = 1.0
                R[s, a] = 0.0
                continue
            r2, c2 = min(max(r + dr, 0), size - 1), min(max(c + dc, 0), size - 1)
            s2 = r2 * size + c2
            P[s, a, s2] = 1.0
            if s2 == pit:
                R[s, a] = -10.0
    return P, R


def _policy_value(P, R, pi, gamma):
    n = len(R)
    Ppi = P[np.arange(n), pi]
    return np.linalg.solve(np.eye(n) - gamma * Ppi, R[np.arange(n), pi])


@pytest.mark.points(2)
def test_value_iteration_solves_bellman(student, rng):
    n, a = 12, 3
    P = rng.random((n, a, n)) ** 3
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(n, a))
    gamma = 0.9
    V, pi = student.call("value_iteration", P, R, gamma)
    V, pi = np.asarray(V, np.float64), np.asarray(pi).astype(int)
    checks.assert_tensor(V, _policy_value(P, R, pi, gamma), expect="any", atol=1e-8, rtol=0,
                         name="V vs the exact value of the returned policy")
    Q = R + gamma * P @ V
    checks.assert_tensor(V, Q.max(axis=1), expect="any", atol=1e-8, rtol=0, name="V vs the Bellman optimality backup")
    assert np.all(Q[np.arange(n), pi] >= Q.max(axis=1) - 1e-9), "the returned policy is not greedy in V"


@pytest.mark.points(2)
def test_q_learning_greedy_policy_is_optimal(student, rng):
    P, R = _gridworld(rng)
    gamma = 0.9
    Q = np.asarray(student.call("q_learning", P, R, gamma, 1500, 40, 0.5, 0.2, int(rng.integers(1000))), np.float64)
    assert Q.shape == R.shape, "Q has the wrong shape"
    pi = Q.argmax(axis=1)
    V_pi = _policy_value(P, R, pi, gamma)
    # Compare with the optimum computed directly (not from the student's value iteration).
    V = np.zeros(len(R))
    for _ in range(2000):
        V = (R + gamma * P @ V).max(axis=1)
    checks.assert_tensor(V_pi, V, expect="any", atol=1e-6, rtol=0, name="value of Q-learning's greedy policy")
    Q_star = R + gamma * P @ V
    assert np.max(np.abs(Q - Q_star)) < 0.5, "Q is far from Q* (sampled updates with alpha=0.5 converge here)"


@pytest.mark.points(2)
def test_reinforce_gradient_closed_form_and_sign(student, rng):
    n = 32
    W, b = rng.normal(size=(4, 2)), rng.normal(size=2)
    S = rng.normal(size=(n, 4))
    A = rng.integers(0, 2, size=n)
    adv = rng.normal(size=n)
    z = S @ W + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = -(adv[:, None] / n) * (np.eye(2)[A] - p)
    gW, gb = student.call("reinforce_grad", W, b, S, A, adv)
    checks.assert_tensor(gW, S.T @ dz, expect="any", atol=1e-6, rtol=1e-5, name="dL/dW")
    checks.assert_tensor(gb, dz.sum(axis=0), expect="any", atol=1e-6, rtol=1e-5, name="dL/db")
    # One small descent step on a single advantaged action raises its log-probability.
    s1, a1 = S[:1], A[:1]
    gW1, gb1 = student.call("reinforce_grad", W, b, s1, a1, np.array([1.0]))
    before = (s1 @ W + b)[0]
    after = (s1 @ (W - 0.1 * np.asarray(gW1)) + b - 0.1 * np.asarray(gb1))[0]

    def logp(z):
        return z[a1[0]] - np.log(np.exp(z).sum())

    assert logp(after) > logp(before), "a step against the gradient does not raise the advantaged action's log-prob"


@pytest.mark.points(2)
def test_cartpole_policy_rolled_out_by_the_grader(student, reference, rng, thresholds):
    W, b = student.call("train_cartpole", int(rng.integers(100)))
    W, b = np.asarray(W, np.float64), np.asarray(b, np.float64)
    assert W.shape == (4, 2) and b.shape == (2,), "train_cartpole returns (W (4, 2), b (2,))"
    seeds = [int(s) for s in rng.integers(0, 1 << 30, size=20)]
    returns = reference.probe("cartpole_rollout", W, b, seeds)
    mean = float(np.mean(returns))
    assert mean >= thresholds["min_cartpole_return"], (
        f"the greedy policy's mean return over the grader's 20 episodes is {mean:.1f}; "
        f"it must reach {thresholds['min_cartpole_return']}")
